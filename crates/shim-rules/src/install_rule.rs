//! Which command lines install programs (`pip install`, `npm install -g`…),
//! from the command name and arguments alone, on bytes and core only: the
//! one rule both shim paths follow (`tool`'s `shim::installers` runs those
//! as a child and reshims; the no-libc `tool-shim` hands them over).

/// Whether `command args…` installs or removes programs; arguments that are
/// not UTF-8 are left out. Every other command returns before it looks at
/// an argument.
pub fn installs_programs<'a>(command: &[u8], args: impl Iterator<Item = &'a [u8]> + Clone) -> bool {
    let installer = matches!(
        command,
        b"cargo" | b"gem" | b"go" | b"conda" | b"mamba" | b"micromamba" | b"npm" | b"pnpm" | b"uv"
    ) || is_pip(command)
        || command.starts_with(b"python");
    if !installer {
        return false;
    }
    let words = || args.clone().filter(|a| core::str::from_utf8(a).is_ok());
    let first = || words().find(|w| !w.starts_with(b"-"));
    let is = |w: Option<&[u8]>, names: &[&[u8]]| w.is_some_and(|w| names.contains(&w));
    match command {
        b"cargo" => is(first(), &[b"install", b"uninstall"]),
        b"gem" => is(first(), &[b"install", b"uninstall", b"update"]),
        b"go" => is(first(), &[b"install"]),
        b"conda" | b"mamba" | b"micromamba" => is(
            first(),
            &[b"install", b"create", b"remove", b"uninstall", b"update"],
        ),
        b"npm" | b"pnpm" => {
            let global = words().any(|w| matches!(w, b"-g" | b"--global" | b"--location=global"));
            let verbs: [&[u8]; 11] = [
                b"install",
                b"i",
                b"add",
                b"uninstall",
                b"remove",
                b"rm",
                b"un",
                b"r",
                b"update",
                b"up",
                b"link",
            ];
            global && is(first(), &verbs)
        }
        b"uv" => {
            let mut w = words();
            w.next() == Some(b"tool") && is(w.next(), &[b"install", b"uninstall", b"upgrade"])
        }
        c if is_pip(c) => is(first(), &[b"install", b"uninstall"]),
        _ => pip_module(words()),
    }
}

/// `pip`, `pip3`, `pip3.11`.
fn is_pip(command: &[u8]) -> bool {
    command
        .strip_prefix(b"pip")
        .is_some_and(|rest| rest.iter().all(|b| b.is_ascii_digit() || *b == b'.'))
}

/// `python -m pip install …` (or `-mpip`).
fn pip_module<'a>(mut words: impl Iterator<Item = &'a [u8]>) -> bool {
    let sub = match words.next() {
        Some(b"-m") if words.next() == Some(b"pip") => words.find(|w| !w.starts_with(b"-")),
        Some(b"-mpip") => words.find(|w| !w.starts_with(b"-")),
        _ => return false,
    };
    matches!(sub, Some(b"install" | b"uninstall"))
}
