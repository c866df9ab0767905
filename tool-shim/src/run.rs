//! The fast path itself: the common shim run (tools named in the shebang,
//! no plugin, no setting that changes the shim path, a plain version set in
//! a `.tool-versions` file, installed, with the command in its `bin/`),
//! done with the same reads, in the same order, and `exec`ed with the same
//! arguments and environment as the std path (`shim::run`, `shim::find`).
//! `None` anywhere means "not sure": the caller hands the run to the std
//! path, which does it all again and has the words for every error.

use alloc::vec::Vec;
use core::ffi::CStr;

use crate::env::Vars;
use crate::path::{self, join};
use crate::sys::{self, Read};
use shim_rules::tool_versions::{self, Found};

/// What the kernel gave: `tool-shim --tools=a,b <shim> args…`.
pub struct Start<'a> {
    pub args: Vec<&'a CStr>,
    pub vars: Vars<'a>,
}

/// The shim's tools, command and arguments, as the shebang gave them.
struct Shim<'a> {
    tools: Vec<&'a [u8]>,
    command: &'a [u8],
    args: &'a [&'a CStr],
}

/// Where the std path looks, from the environment.
struct Places {
    home: Vec<u8>,
    cwd: Vec<u8>,
    data: Vec<u8>,
    file_name: Vec<u8>,
}

/// Runs the shim; returns only when the std path must take over.
pub fn run(start: &Start<'_>) -> Option<()> {
    let shim = shim(&start.args)?;
    let words = shim.args.iter().map(|a| a.to_bytes());
    if shim_rules::install_rule::installs_programs(shim.command, words) {
        return None;
    }
    let vars = &start.vars;
    if vars.sets_shim_behaviour(&shim.tools) {
        return None;
    }
    let places = places(vars)?;
    settings_are_silent(vars, &places, &shim)?;
    for tool in &shim.tools {
        let plugin = join(&places.data, &[b"plugins", tool]);
        if sys::stat(&path::c(plugin)?) == Some(true) {
            return None;
        }
    }
    for tool in &shim.tools {
        if let Some(version) = set_version(&places, tool)? {
            return exec(vars, &places, &shim, tool, version);
        }
    }
    None
}

fn shim<'a>(args: &'a [&'a CStr]) -> Option<Shim<'a>> {
    let list = args.get(1)?.to_bytes().strip_prefix(b"--tools=")?;
    let tools: Vec<&[u8]> = list.split(|b| *b == b',').collect();
    if !tools.iter().all(|t| tool_versions::is_tool_name(t)) {
        return None;
    }
    let shim_path = args.get(2)?.to_bytes();
    let command = shim_path.rsplit(|b| *b == b'/').next()?;
    let odd = command.is_empty() || command == b"." || command == b"..";
    if odd || core::str::from_utf8(command).is_err() {
        return None;
    }
    Some(Shim {
        tools,
        command,
        args: &args[3..],
    })
}

fn places(vars: &Vars<'_>) -> Option<Places> {
    let home = vars.non_empty(b"HOME")?.to_vec();
    let cwd = sys::cwd()?;
    let data = match vars.non_empty(b"ASDF_DATA_DIR") {
        Some(dir) => path::absolute(&cwd, dir),
        None => join(&home, &[b".asdf"]),
    };
    let named = (vars.non_empty(b"ASDF_TOOL_VERSIONS_FILENAME"))
        .or_else(|| vars.non_empty(b"ASDF_DEFAULT_TOOL_VERSIONS_FILENAME"));
    let file_name = match named {
        None => b".tool-versions".to_vec(),
        Some(name) if is_file_name(name) => name.to_vec(),
        Some(_) => return None,
    };
    Some(Places {
        home,
        cwd,
        data,
        file_name,
    })
}

/// A name that joins as one component (the std path takes any UTF-8).
fn is_file_name(name: &[u8]) -> bool {
    core::str::from_utf8(name).is_ok() && !name.contains(&b'/') && name != b"." && name != b".."
}

/// `Some` when neither settings file sets anything the shim path reads.
fn settings_are_silent(vars: &Vars<'_>, places: &Places, shim: &Shim<'_>) -> Option<()> {
    let asdfrc = match vars.text(b"ASDF_CONFIG_FILE") {
        Some(file) => file.to_vec(),
        None => join(&places.home, &[b".asdfrc"]),
    };
    // Both read as the std path reads them (`fs::read_capped`): a regular
    // file, opened without blocking; anything else is its to refuse.
    match sys::read(&path::c(asdfrc)?) {
        Read::Missing => {}
        Read::Text(text) => {
            if !shim_rules::settings::asdfrc_is_silent(&text, &shim.tools, shim.command) {
                return None;
            }
        }
        Read::Unsure => return None,
    }
    let config = match vars.text(b"TOOL_CONFIG_FILE") {
        Some(file) => file.to_vec(),
        None => match vars.text(b"XDG_CONFIG_HOME") {
            Some(dir) => join(dir, &[b"tool/config.toml"]),
            None => join(&places.home, &[b".config", b"tool/config.toml"]),
        },
    };
    match sys::read(&path::c(config)?) {
        Read::Missing => Some(()),
        Read::Text(text) => {
            let text = core::str::from_utf8(&text).ok()?;
            shim_rules::settings::config_is_silent(text).then_some(())
        }
        Read::Unsure => None,
    }
}

/// The version set for `tool`: the nearest `.tool-versions` up from here
/// that names it, else the home one. `Some(None)`: set nowhere.
fn set_version(places: &Places, tool: &[u8]) -> Option<Option<Vec<u8>>> {
    let depth = path::depth(&places.cwd);
    for ups in 0..=depth {
        // `../../.tool-versions`: the kernel walks only the `..`s.
        let mut near = b"../".repeat(ups);
        near.extend_from_slice(&places.file_name);
        if let Some(found) = version_in(&near, tool)? {
            return Some(Some(found));
        }
    }
    // Home's file was among those, unless home is not one of the folders up
    // from here (the std path reads a file once, whatever asks).
    if path::is_within(&places.cwd, &places.home) {
        return Some(None);
    }
    version_in(&join(&places.home, &[&places.file_name]), tool)
}

/// `tool`'s version in the file at `file`; `Some(None)` when the file is
/// missing or does not name the tool.
fn version_in(file: &[u8], tool: &[u8]) -> Option<Option<Vec<u8>>> {
    match sys::read(&path::c(file.to_vec())?) {
        Read::Missing => Some(None),
        Read::Text(text) => match tool_versions::lookup(&text, tool)? {
            Found::Version(v) => Some(Some(v.to_vec())),
            Found::Absent => Some(None),
        },
        Read::Unsure => None,
    }
}

/// Runs `version` of `tool`, as `shim::run::exec` runs a found target: the
/// marker of an unfinished install hands over, and so does an `execve`
/// that fails (no such command in `bin/`, not executable, not a binary or
/// a `#!` script: the std path has the answer for each).
fn exec(
    vars: &Vars<'_>,
    places: &Places,
    shim: &Shim<'_>,
    tool: &[u8],
    version: Vec<u8>,
) -> Option<()> {
    let installs = join(&places.data, &[b"installs", tool]);
    let mut marker = b".".to_vec();
    marker.extend_from_slice(&version);
    marker.extend_from_slice(b".incomplete");
    if sys::stat(&path::c(join(&installs, &[&marker]))?).is_some() {
        return None;
    }
    let install = join(&installs, &[&version]);
    let bin = join(&install, &[b"bin"]);
    let program = path::c(join(&bin, &[shim.command]))?;
    let ours = variables(vars, tool, &version, &install, &bin)?;
    let mut argv: Vec<*const u8> = Vec::with_capacity(shim.args.len() + 2);
    argv.push(program.as_ptr().cast());
    argv.extend(shim.args.iter().map(|a| a.as_ptr().cast::<u8>()));
    argv.push(core::ptr::null());
    let mut envp: Vec<*const u8> = Vec::with_capacity(vars.0.len() + ours.len() + 1);
    let names: Vec<&[u8]> = ours.iter().map(env_name).collect();
    envp.extend(
        (vars.0.iter())
            .filter(|v| !names.contains(&v.name))
            .map(|v| v.entry),
    );
    envp.extend(ours.iter().map(|o| o.as_ptr().cast::<u8>()));
    envp.push(core::ptr::null());
    let _failed = sys::exec(&program, argv.as_ptr(), envp.as_ptr());
    None
}

/// What `Target::env_vars` sets for a built-in tool's version, in its order:
/// the tool's own variables (Go's `GOROOT`) unless set, asdf's three and
/// `PATH` with the version's `bin/` first.
fn variables(
    vars: &Vars<'_>,
    tool: &[u8],
    version: &[u8],
    install: &[u8],
    bin: &[u8],
) -> Option<Vec<alloc::ffi::CString>> {
    let mut out = Vec::with_capacity(5);
    let entry = |name: &[u8], value: &[&[u8]]| {
        let mut e = name.to_vec();
        e.push(b'=');
        value.iter().for_each(|v| e.extend_from_slice(v));
        path::c(e)
    };
    if let Some(name) = shim_rules::tools::install_path_var(tool)
        && vars.first(name.as_bytes()).is_none()
    {
        out.push(entry(name.as_bytes(), &[install])?);
    }
    let (kind, value) = match version.strip_prefix(b"ref-") {
        Some(r) => (&b"ref"[..], r),
        None => (&b"version"[..], version),
    };
    out.push(entry(b"ASDF_INSTALL_TYPE", &[kind])?);
    out.push(entry(b"ASDF_INSTALL_VERSION", &[value])?);
    out.push(entry(b"ASDF_INSTALL_PATH", &[install])?);
    let current = vars.non_empty(b"PATH").unwrap_or(b"");
    // A folder with `:` in its name cannot be a PATH entry; it is left out.
    let first: &[&[u8]] = match bin.contains(&b':') {
        true => &[],
        false => &[bin, b":"],
    };
    out.push(entry(b"PATH", &[first, &[current]].concat())?);
    Some(out)
}

/// The name in `NAME=value`.
fn env_name(entry: &alloc::ffi::CString) -> &[u8] {
    let bytes = entry.as_bytes();
    let eq = bytes.iter().position(|b| *b == b'=').unwrap_or(bytes.len());
    &bytes[..eq]
}
