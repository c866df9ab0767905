//! Which command lines install programs (`pip install`, `npm install -g`…):
//! those are handed to the std path, which runs them as a child and reshims
//! after. The same rule as the main crate's `shim::installers`, whose tests
//! compile this file and compare the two on every case they know.

/// Whether `command args…` installs or removes programs; arguments that are
/// not UTF-8 are left out, as the std path reads them.
pub fn installs_programs(command: &[u8], args: &[&[u8]]) -> bool {
    let installer = matches!(
        command,
        b"cargo" | b"gem" | b"go" | b"conda" | b"mamba" | b"micromamba" | b"npm" | b"pnpm" | b"uv"
    ) || is_pip(command)
        || command.starts_with(b"python");
    if !installer {
        return false;
    }
    let words = || (args.iter().copied()).filter(|a| core::str::from_utf8(a).is_ok());
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
