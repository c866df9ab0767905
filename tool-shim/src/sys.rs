//! The system calls of the fast path, through rustix (no libc): opening and
//! reading small files, `stat`, the working directory and `execve`. Every
//! failure but "not found" is the std path's to report.

use alloc::vec::Vec;
use core::ffi::CStr;

use rustix::fs::{FileType, Mode, OFlags};
use rustix::io::Errno;

/// Larger files are the std path's to refuse or read.
pub const MAX_READ: usize = 1 << 20;

/// What opening a file found.
pub enum Read {
    Missing,
    Text(Vec<u8>),
    /// Anything else: the std path reports it.
    Unsure,
}

/// The file at `path`, read whole, as the std path reads its files
/// (`fs::read_capped`): only a regular file, opened without blocking, and
/// as long as `fstat` says (a file that grows meanwhile is taken as it
/// was), so one `read` does; else read to its end.
pub fn read(path: &CStr) -> Read {
    let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK;
    let fd = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Read::Missing,
        Err(_) => return Read::Unsure,
    };
    // Past `MAX_READ`, one byte more, so a file too large shows as one.
    let mut limit = MAX_READ + 1;
    match rustix::fs::fstat(&fd) {
        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::RegularFile => {
            let size = usize::try_from(st.st_size).unwrap_or(limit);
            if size != 0 && size < MAX_READ {
                limit = size;
            }
        }
        _ => return Read::Unsure,
    }
    let mut text: Vec<u8> = Vec::with_capacity(limit.min(4096));
    while text.len() < limit {
        if text.capacity() == text.len() {
            text.reserve(text.len().min(limit - text.len()));
        }
        let room = (limit - text.len()).min(text.capacity() - text.len());
        match rustix::io::read(&fd, &mut text.spare_capacity_mut()[..room]) {
            Ok(([], _)) => break,
            Ok((init, _)) => {
                let n = init.len();
                // SAFETY: `read` initialised these `n` bytes just past `len`.
                unsafe { text.set_len(text.len() + n) }
            }
            Err(Errno::INTR) => {}
            Err(_) => return Read::Unsure,
        }
    }
    // Left open: `exec` closes it (O_CLOEXEC), a system call sooner.
    core::mem::forget(fd);
    match text.len() > MAX_READ {
        true => Read::Unsure,
        false => Read::Text(text),
    }
}

/// Whether `path` exists (`stat` succeeds), and whether it is a folder.
pub fn stat(path: &CStr) -> Option<bool> {
    let st = rustix::fs::stat(path).ok()?;
    Some(FileType::from_raw_mode(st.st_mode) == FileType::Directory)
}

/// The working directory, as glibc's `getcwd` answers it: the system call
/// says `(unreachable)/…` for a folder outside this process's root, where
/// glibc walks `..` instead; that case is the std path's.
pub fn cwd() -> Option<Vec<u8>> {
    let cwd = rustix::process::getcwd(Vec::new()).ok()?.into_bytes();
    cwd.starts_with(b"/").then_some(cwd)
}

/// The real path of this program, from `/proc/self/exe`, into `buf`: its
/// length, `None` when unknown or longer than `buf`.
pub fn own_exe(buf: &mut [u8]) -> Option<usize> {
    let n = rustix::fs::readlinkat_raw(rustix::fs::CWD, c"/proc/self/exe", &mut *buf).ok()?;
    (n < buf.len()).then_some(n)
}

/// Replaces this process; returns only on failure. `argv` and `envp` are
/// null-terminated arrays of C strings that outlive the call (the caller's
/// or the process's own blocks). Never inlined: callgrind counts up to it
/// (`bench/shim-instructions.sh`).
#[inline(never)]
pub fn exec(program: &CStr, argv: *const *const u8, envp: *const *const u8) -> Errno {
    // SAFETY: per the contract above.
    unsafe { rustix::runtime::execve(program, argv, envp) }
}

pub fn print_error(parts: &[&[u8]]) {
    // SAFETY: descriptor 2 is stderr by convention; when it is closed the
    // writes fail, which is all that can be done.
    let err = unsafe { rustix::stdio::stderr() };
    for part in parts {
        let _ = rustix::io::write(err, part);
    }
}
