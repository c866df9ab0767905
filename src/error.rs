//! The application's error type, above the leaf layers' own (`archive`,
//! `remote`), which it keeps as sources; the exit code each kind maps to; and
//! the hint, a separate field the command line prints under the message.

use std::path::PathBuf;

/// Exit codes are interface (documented in the README).
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILURE: i32 = 1;
    /// Argument errors: 1, as asdf.
    pub const USAGE: i32 = 1;
    /// A shim or `exec` cannot run its command: not installed (asdf's 126).
    pub const NOT_INSTALLED: i32 = 126;
    /// A shim or `exec` has no version set for its command (asdf's 126 too).
    pub const NOT_SET: i32 = 126;
    /// Stopped by Ctrl-C or a termination signal (128 + SIGINT).
    pub const INTERRUPTED: i32 = 130;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// The I/O error is part of the message, not a separate cause, so it is
    /// printed once.
    #[error("{context}: {path}: {err}")]
    Io {
        context: &'static str,
        path: PathBuf,
        err: std::io::Error,
    },

    /// A file error from `fs-err` (its message names the path).
    #[error(transparent)]
    Fs(#[from] std::io::Error),

    /// asdf's words for a name no tool can have.
    #[error("{0} is invalid. Name may only contain lowercase letters, numbers, '_', and '-'")]
    InvalidName(String),

    /// A download nothing vouches for, refused before any of it is used:
    /// `file` names it and where it is, `missing` what should have.
    #[error("{file} has no {missing}: refusing to install it")]
    NoChecksum { file: String, missing: String },

    /// A publisher's signature that does not hold: `file` is what it
    /// signs, `expected` the keys trusted for it, `found` what was there.
    #[error(
        "{file}: the publisher's signature does not hold: expected a signature by {expected}; found {found}; nothing was installed"
    )]
    Signature {
        file: String,
        expected: String,
        found: String,
    },

    /// What was published (a release list, an installer, a manifest) is
    /// not what its format promises (`what` names it, `why` says how, one
    /// sentence together).
    #[error("{what} {why}")]
    BadData { what: String, why: String },

    /// A cache object its signatures do not vouch for while
    /// `cache.trusted_keys` is set: refused before any of it is extracted,
    /// and never passed over for another backend (it may be an attack).
    #[error("refusing {object} from {bucket}: {why}")]
    Untrusted {
        object: String,
        bucket: String,
        why: String,
    },

    /// A publish that would change what a key already names.
    #[error(
        "{key} is already published in {bucket} with other bytes (there: {theirs}; this build: {ours}); the bucket was left as it is"
    )]
    Conflict {
        key: String,
        bucket: String,
        theirs: String,
        ours: String,
    },

    /// asdf's words for uninstalling a version that is not installed.
    #[error("No such version")]
    NoSuchVersion,

    /// What `plugin test` found wrong with a plugin.
    #[error("{0}")]
    PluginCheck(String),

    /// A backend said it installed, but left the folder empty.
    #[error("{backend} reported success but installed nothing into {}", .dir.display())]
    InstalledNothing { backend: &'static str, dir: PathBuf },

    /// asdf's words for a plugin whose `list-all` failed: its stderr, then stdout.
    #[error("Plugin {tool}'s list-all callback script failed with output:\n{output}")]
    ListAllFailed { tool: String, output: String },

    /// asdf's words for a tool that is neither a plugin nor built in.
    #[error("No such plugin: {0}")]
    UnknownTool(String),

    #[error("invalid {what} `{}`: {why}", shown(.value))]
    Invalid {
        what: &'static str,
        value: String,
        why: &'static str,
    },

    #[error("invalid value `{}` for {name} (from {origin}): {why}", shown(.value))]
    Setting {
        name: &'static str,
        value: String,
        origin: String,
        why: &'static str,
    },

    /// A version is set but not installed.
    #[error("{message}")]
    NotInstalled { message: String, hint: String },

    /// No version is set.
    #[error("{message}")]
    NotSet { message: String, hint: String },

    #[error("{0}")]
    Usage(String),

    /// Ctrl-C, SIGTERM or SIGHUP stopped the work; it was cleaned up.
    #[error("interrupted; nothing was left half-done")]
    Interrupted,

    #[error(transparent)]
    Archive(Box<crate::archive::Error>),

    #[error(transparent)]
    Remote(Box<crate::remote::Error>),

    /// A backend's real error; the cause keeps its exit code and hint.
    #[error("{backend} backend failed")]
    Backend {
        backend: &'static str,
        #[source]
        source: Box<Error>,
    },

    /// A download whose sha256 is not the one expected.
    #[error(
        "checksum mismatch for {file}: {expected_from} says {expected}, the download is {actual}; {outcome}"
    )]
    Checksum {
        /// The file and where it came from (`x.tar.zst in <bucket>`).
        file: String,
        expected_from: String,
        expected: String,
        actual: String,
        /// What was (not) done about it.
        outcome: &'static str,
    },

    /// A program `tool` ran (a plugin script, a hook, git, a build step)
    /// failed; `detail` is its output or where to find it.
    #[error("{what} failed with {status}{}{detail}", if .detail.is_empty() { "" } else { "\n" })]
    Failed {
        what: String,
        status: String,
        detail: String,
    },

    /// Nothing can install (or matches) the version asked for; `why` has a
    /// line per place asked.
    #[error("{what}:\n  {}", .why.join("\n  "))]
    NoVersion { what: String, why: Vec<String> },

    /// The versions set for a command are installed, but none has it.
    #[error("No {command} executable found for {} {}", .tools.join(", "), .versions.join(", "))]
    NoExecutable {
        command: String,
        tools: Vec<String>,
        versions: Vec<String>,
    },

    /// Any other failure with what to do next.
    #[error("{message}")]
    Hinted { message: String, hint: String },

    #[error("{0}")]
    Other(String),

    /// A failure already reported by what failed (a hook's own output):
    /// nothing more to print, just the exit code.
    #[error("")]
    Quiet(i32),
}

impl Error {
    pub fn io(context: &'static str, path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        Error::Io {
            context,
            path: path.into(),
            err,
        }
    }

    /// A version is set but cannot run (`hint` may be empty).
    pub fn not_installed(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::NotInstalled {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// No version is set (`hint` may be empty).
    pub fn not_set(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::NotSet {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn hinted(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Hinted {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A program's exit status as messages say it: `exit code 3`, `a signal`.
    pub fn status_text(status: std::process::ExitStatus) -> String {
        status
            .code()
            .map_or_else(|| "a signal".to_string(), |c| format!("exit code {c}"))
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NotInstalled { .. } => exit::NOT_INSTALLED,
            Error::NotSet { .. } => exit::NOT_SET,
            Error::Usage(_) => exit::USAGE,
            Error::Interrupted => exit::INTERRUPTED,
            Error::Backend { source, .. } => source.exit_code(),
            Error::Quiet(code) => *code,
            // A shim or exec whose version lacks the command (asdf's 126).
            Error::NoExecutable { .. } => exit::NOT_INSTALLED,
            _ => exit::FAILURE,
        }
    }

    /// What to do next, when there is something to say (one per line).
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::UnknownTool(name) => Some(format!(
                "list the known tools with `tool plugin list`, or add one with `tool plugin add {name} <git-url>`"
            )),
            Error::NotInstalled { hint, .. }
            | Error::NotSet { hint, .. }
            | Error::Hinted { hint, .. } => Some(hint.clone()).filter(|h| !h.is_empty()),
            Error::Backend { source, .. } => source.hint(),
            Error::Conflict { .. } => Some("`--replace` publishes this build in its place".into()),
            Error::Untrusted { .. } => Some(
                "check who can write the bucket; `tool cache verify` checks every key in it".into(),
            ),
            _ => None,
        }
    }

    /// The message with its causes (`a: b: c`) and hint lines, as printed.
    pub fn report(&self) -> String {
        with_hint(&chain(self), self.hint())
    }
}

/// A value as a message quotes it: at most its first 80 characters, so a
/// 5 MB line in a repository's file makes a short message.
pub fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 80;
    match value.char_indices().nth(MAX) {
        None => value.into(),
        Some((end, _)) => format!("{}… ({} bytes)", &value[..end], value.len()).into(),
    }
}

/// An error and its sources joined with `: `, as anyhow's `{:#}` does.
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let next = c.to_string();
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        cause = c.source();
    }
    text
}

fn with_hint(message: &str, hint: Option<String>) -> String {
    match hint {
        Some(h) => format!("{message}\n  hint: {}", h.replace('\n', "\n  hint: ")),
        None => message.to_string(),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crate::archive::Error> for Error {
    fn from(e: crate::archive::Error) -> Self {
        Error::Archive(Box::new(e))
    }
}

impl From<crate::remote::Error> for Error {
    fn from(e: crate::remote::Error) -> Self {
        Error::Remote(Box::new(e))
    }
}

/// This crate's error inside an anyhow chain, if there is one.
fn ours(err: &anyhow::Error) -> Option<&Error> {
    err.chain().find_map(|cause| cause.downcast_ref::<Error>())
}

/// The hint of this crate's error inside an anyhow chain.
pub fn hint_of(err: &anyhow::Error) -> Option<String> {
    ours(err).and_then(Error::hint)
}

/// The exit code for any error that reached `main`.
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    ours(err).map_or(exit::FAILURE, Error::exit_code)
}

/// Prints an error for whoever reads stderr: asdf's bare message for a
/// program (a script, asdf's tests), with `tool: ` and the hint for a person.
pub fn print(message: &str, hint: Option<String>, person: bool) {
    if message.is_empty() {
        return; // `Error::Quiet`: already reported
    }
    // A stderr that cannot be written (a closed pipe with SIGPIPE ignored,
    // as a shim may inherit it) loses the message, not the exit code.
    use std::io::Write;
    let _ = match person {
        true => writeln!(std::io::stderr(), "tool: {}", with_hint(message, hint)),
        false => writeln!(std::io::stderr(), "{message}"),
    };
}
