//! Child processes for long work (plugin scripts, builds): each runs in its own
//! process group, so Ctrl-C or SIGTERM to `tool` stops the whole tree and lets
//! the caller clean up; output goes live to stderr or to a log file. And a
//! shim's installer run in the foreground (`run_in_foreground`): the
//! terminal's signals reach it, those sent to the shim alone are passed on.

use std::fs::File;
use std::os::fd::RawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use std::os::unix::process::CommandExt;

use crate::error::{Error, Result};

/// Writing to a closed pipe (`tool list all x | head -1`) ends the program
/// quietly, as it does a shell script, instead of failing every later print.
pub fn die_quietly_on_closed_pipes() {
    // SAFETY: restores the default action of one signal; no handler runs.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
}

/// As std's start-up does for a Rust `main`: a standard descriptor the parent
/// left closed is opened on `/dev/null`, so no file opened later takes its
/// number (and a child sees it as a program started by std would). For
/// `tool-shim-full`, whose C `main` skips std's start-up, before it writes files.
pub fn reopen_closed_stdio() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three pollfd; a zero timeout returns at once.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) };
    for pfd in fds {
        let closed = match ready {
            0 => false, // all three open: the usual case
            1.. => pfd.revents & libc::POLLNVAL != 0,
            // poll itself failed (RLIMIT_NOFILE of 0…): ask the descriptor.
            // SAFETY: F_GETFD only reads the descriptor's flags.
            _ => (unsafe { libc::fcntl(pfd.fd, libc::F_GETFD) }) == -1,
        };
        if closed {
            // SAFETY: a constant NUL-terminated path; open takes the lowest
            // free descriptor, which is this one (the lower ones are open).
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        }
    }
}

/// Set when SIGINT, SIGTERM or SIGHUP arrives while work is under way.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag raised by SIGINT/SIGTERM/SIGHUP from now on (the signals no
    /// longer kill `tool` at once: the work in progress stops and cleans up).
    pub fn on_signals() -> Self {
        let cancel = Cancel::default();
        for sig in [
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
        ] {
            // Registration only fails for forbidden signals, which these are not.
            let _ = signal_hook::flag::register(sig, Arc::clone(&cancel.0));
        }
        cancel
    }

    /// The flag itself, for readers that stop when it is raised.
    pub fn flag(&self) -> &AtomicBool {
        &self.0
    }

    /// The flag, shared with what outlives a borrow (a remote's requests).
    pub fn shared(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.0)
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub fn check(&self) -> Result<()> {
        if self.is_set() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// Where a child's stdout and stderr go.
#[derive(Debug, Clone)]
pub enum Sink {
    /// `tool`'s own stdout and stderr, as asdf runs plugin scripts (with
    /// `--json`, output goes to a log instead, so stdout stays JSON).
    Terminal,
    /// Both appended to a log file.
    Log(PathBuf),
}

/// Runs `cmd` to completion, stdin closed; stops it (and everything it
/// started) when `cancel` is raised. The child dies with `tool` (even by
/// kill -9); `hold`, an open descriptor such as the install lock, is
/// inherited by it and whatever it starts, so the lock outlives `tool` for
/// as long as any of them runs.
pub fn run(
    cmd: &mut Command,
    sink: &Sink,
    cancel: &Cancel,
    hold: Option<RawFd>,
) -> Result<ExitStatus> {
    supervise(cmd, hold);
    let (out, err) = match sink {
        Sink::Terminal => (Stdio::inherit(), Stdio::inherit()),
        Sink::Log(path) => {
            let file = open_log(path)?;
            let copy = file
                .try_clone()
                .map_err(|e| Error::io("cannot write the log", path, e))?;
            (Stdio::from(file), Stdio::from(copy))
        }
    };
    let program = cmd.get_program().to_string_lossy().to_string();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| Error::io("cannot start", &program, e))?;
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| Error::io("cannot wait for", &program, e))?
        {
            return Ok(status);
        }
        if cancel.is_set() {
            stop_group(&mut child);
            return Err(Error::Interrupted);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `cmd` in the foreground and waits for it, as `system()` does but
/// ignoring nothing: the child stays in this process's group with the signal
/// mask and dispositions this process had, so a terminal's Ctrl-C or Ctrl-\
/// reaches it directly and ends it; SIGINT, SIGQUIT, SIGTERM and SIGHUP sent
/// to this process by `kill` are passed on to it (one sent to the whole group
/// reaches it twice); and it dies with this process, even by `kill -9`.
/// Meanwhile those signals do not end this process: the caller answers as
/// the child ended.
pub fn run_in_foreground(cmd: &mut Command) -> std::io::Result<ExitStatus> {
    let relay = Relay::block();
    supervise(cmd, None);
    let mask = relay.old;
    let restore = move || {
        // SAFETY: pthread_sigmask is async-signal-safe; `mask` is a valid set.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &mask, std::ptr::null_mut()) };
        Ok(())
    };
    // SAFETY: the closure only makes an async-signal-safe call (see above).
    unsafe { cmd.pre_exec(restore) };
    let mut child = cmd.spawn()?;
    relay.wait(&mut child)
}

/// The signals a foreground child is sent, blocked in this thread while it
/// lives (taken by `sigwaitinfo`, never by a handler), with SIGCHLD to wake.
struct Relay {
    set: libc::sigset_t,
    old: libc::sigset_t,
}

impl Relay {
    const RELAYED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGHUP];

    fn block() -> Self {
        // SAFETY: sigemptyset/sigaddset fill sets owned here; pthread_sigmask
        // changes only this thread's mask and writes the old one to `old`.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for sig in Self::RELAYED.into_iter().chain([libc::SIGCHLD]) {
                libc::sigaddset(&mut set, sig);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
            Relay { set, old }
        }
    }

    /// Waits for `child`, passing on each relayed signal that was not the
    /// terminal's (the kernel sends those to the whole group: it has it).
    fn wait(&self, child: &mut std::process::Child) -> std::io::Result<ExitStatus> {
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            // SAFETY: a zeroed siginfo_t is a valid place for the answer.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            // SAFETY: `self.set` is a valid set; `info` is writable.
            let sig = unsafe { libc::sigwaitinfo(&self.set, &mut info) };
            if sig < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
            {
                return child.wait();
            }
            if Self::RELAYED.contains(&sig) && info.si_code != libc::SI_KERNEL {
                // SAFETY: kill(2) on our own child, not yet reaped (so its
                // pid is not reused).
                unsafe { libc::kill(child.id() as libc::pid_t, sig) };
            }
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        // SAFETY: puts back the mask `block` found; a signal that came after
        // the child ended is delivered now, as it would have been.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.old, std::ptr::null_mut()) };
    }
}

/// In the child, before exec: die with this process, keep `hold` open.
fn supervise(cmd: &mut Command, hold: Option<RawFd>) {
    let parent = std::process::id();
    let setup = move || {
        // SAFETY: prctl, getppid and fcntl are async-signal-safe and touch
        // only this (forked) process.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // `tool` died between fork and prctl: nobody will signal us.
            if libc::getppid() as u32 != parent {
                libc::_exit(1);
            }
            if let Some(fd) = hold {
                let flags = libc::fcntl(fd, libc::F_GETFD);
                if flags >= 0 {
                    libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC);
                }
            }
        }
        Ok(())
    };
    // SAFETY: the closure only makes async-signal-safe calls (see above).
    unsafe { cmd.pre_exec(setup) };
}

/// SIGTERM to the child's process group, then SIGKILL after a grace
/// period. The leader is reaped while waiting: an unreaped leader would keep
/// the group alive as a zombie until the SIGKILL.
fn stop_group(child: &mut std::process::Child) {
    let group = -(child.id() as i32);
    // SAFETY: kill(2) with a negative pid signals that process group only.
    unsafe { libc::kill(group, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let _ = child.try_wait();
        // SAFETY: signal 0 only checks whether the group still exists.
        if unsafe { libc::kill(group, 0) } != 0 {
            let _ = child.wait();
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: as above.
    unsafe { libc::kill(group, libc::SIGKILL) };
    let _ = child.wait();
}

fn open_log(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io("cannot create the log folder", dir, e))?;
    }
    File::options()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io("cannot write the log", path, e))
}

/// The last `n` lines of a log file, for error messages.
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
