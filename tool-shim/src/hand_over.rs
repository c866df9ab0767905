//! Handing a run to the std shim path: `tool-shim-full` beside this
//! program, else `tool --shim`, with the same arguments and environment,
//! for every run the fast path is not sure of (and after a panic).

use core::ffi::CStr;

use crate::sys;

/// Runs `tool-shim-full` (else `tool --shim`) beside this program with the
/// same arguments (but `argv[0]`, which names the program run, and the
/// shebang's `--tools=`, which `tool --shim` does not take) and environment;
/// exits 126 when neither can run. Takes no memory from the arena (a full
/// one may be why it runs): the kernel's argument block is reused in place
/// and every path is on the stack.
pub fn hand_over(argv: *mut *mut u8, envp: *mut *mut u8) -> ! {
    let n = block_len(argv);
    // SAFETY: `i < n`: the kernel's argument strings.
    let arg =
        |i: usize| (i < n).then(|| unsafe { CStr::from_ptr((*argv.add(i)).cast()) }.to_bytes());
    // Started as one of the two already (a copy or link of this program
    // standing in for it): handing over to it again would loop.
    let as_full =
        arg(0).is_some_and(|a| a.rsplit(|b| *b == b'/').next() == Some(b"tool-shim-full"));
    let as_tool = arg(1) == Some(b"--shim");
    let listed = arg(1).is_some_and(|a| a.starts_with(b"--tools="));
    let mut exe = [0u8; 4096];
    let dir_len = own_dir(&mut exe, argv);
    let dir = &exe[..dir_len];
    let mut last = rustix::io::Errno::NOENT;
    let mut longer = [core::ptr::null::<u8>(); 1024];
    let mut program = [0u8; 4200];
    if !as_full
        && !as_tool
        && let Some(full) = beside(&mut program, dir, b"tool-shim-full")
    {
        // SAFETY: the kernel's block of `n` strings, ours to change.
        if let Some(args) = unsafe { arguments(argv, n, &[full], 1, &mut longer) } {
            last = sys::exec(full, args, envp.cast());
        }
    }
    let mut program = [0u8; 4200];
    if !as_tool && let Some(tool) = beside(&mut program, dir, b"tool") {
        // `tool --shim <shim>` reads the tools from the shim itself.
        let kept_from = if listed { 2 } else { 1 };
        // SAFETY: as above.
        if let Some(args) =
            unsafe { arguments(argv, n, &[tool, c"--shim"], kept_from, &mut longer) }
        {
            last = sys::exec(tool, args, envp.cast());
        }
    }
    let mut code = [0u8; 8];
    match dir.is_empty() {
        true => sys::print_error(&[
            b"tool-shim: cannot find the folder it is in (no /proc/self/exe, and argv[0] names none)\n",
        ]),
        false => sys::print_error(&[
            b"tool-shim: cannot run tool-shim-full or tool in ",
            dir,
            b": os error ",
            decimal(last.raw_os_error(), &mut code),
            b"\n",
        ]),
    }
    origin::program::immediate_exit(126)
}

/// `first` then the arguments from `argv[kept_from]` on: in place when
/// they fit over the ones they replace, else in `longer`.
///
/// # Safety
/// `argv` is the kernel's null-terminated block of `n` argument strings;
/// the strings of `first` outlive the `exec` the result is for.
unsafe fn arguments(
    argv: *mut *mut u8,
    n: usize,
    first: &[&CStr],
    kept_from: usize,
    longer: &mut [*const u8],
) -> Option<*const *const u8> {
    let kept = n.saturating_sub(kept_from);
    if n >= kept_from && kept_from == first.len() {
        for (i, f) in first.iter().enumerate() {
            // SAFETY: `i < kept_from <= n`: a slot of the block.
            unsafe { *argv.add(i) = f.as_ptr().cast_mut().cast() };
        }
        return Some(argv.cast());
    }
    if first.len() + kept + 1 > longer.len() {
        return None;
    }
    for (slot, f) in longer.iter_mut().zip(first) {
        *slot = f.as_ptr().cast();
    }
    for i in 0..kept {
        // SAFETY: `kept_from + i < n`.
        longer[first.len() + i] = unsafe { *argv.add(kept_from + i) }.cast_const();
    }
    longer[first.len() + kept] = core::ptr::null();
    Some(longer.as_ptr())
}

/// `dir/name` as a C string in `buf`; `None` without a folder (a name alone
/// would be looked up in the working directory).
fn beside<'a>(buf: &'a mut [u8], dir: &[u8], name: &[u8]) -> Option<&'a CStr> {
    if dir.is_empty() {
        return None;
    }
    let sep = usize::from(!dir.ends_with(b"/"));
    let len = dir.len() + sep + name.len();
    if len + 1 > buf.len() {
        return None;
    }
    buf[..dir.len()].copy_from_slice(dir);
    buf[dir.len()..dir.len() + sep].fill(b'/');
    buf[dir.len() + sep..len].copy_from_slice(name);
    buf[len] = 0;
    CStr::from_bytes_with_nul(&buf[..=len]).ok()
}

/// The folder of this program, into `buf`: `/proc/self/exe`'s, else (no
/// `/proc`) `argv[0]`'s (the kernel passes a shebang's path as written).
fn own_dir(buf: &mut [u8], argv: *mut *mut u8) -> usize {
    let len = match sys::own_exe(buf) {
        Some(n) => n,
        None => {
            // SAFETY: argv[0], when there is one, is a C string.
            let argv0 = unsafe {
                (!argv.is_null() && !(*argv).is_null()).then(|| CStr::from_ptr((*argv).cast()))
            };
            let bytes = argv0.map_or(&b""[..], CStr::to_bytes);
            let n = bytes.len().min(buf.len());
            buf[..n].copy_from_slice(&bytes[..n]);
            n
        }
    };
    match buf[..len].iter().rposition(|b| *b == b'/') {
        Some(0) => 1,
        Some(i) => i,
        None => 0,
    }
}

/// `n` in decimal, into `buf`.
fn decimal(mut n: i32, buf: &mut [u8; 8]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10).unsigned_abs() as u8;
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Entries of a null-terminated block.
pub fn block_len(block: *mut *mut u8) -> usize {
    let mut n = 0;
    // SAFETY: the kernel's null-terminated block.
    unsafe {
        while !block.is_null() && !(*block.add(n)).is_null() {
            n += 1;
        }
    }
    n
}
