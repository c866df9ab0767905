//! The error type every command returns, and the exit code each kind maps to.

use std::path::PathBuf;

/// Exit codes are interface (documented in the README).
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILURE: i32 = 1;
    pub const USAGE: i32 = 2;
    /// A version is set for the command but not installed (asdf's 126).
    pub const NOT_INSTALLED: i32 = 126;
    /// No version is set for the command, or the command is unknown (asdf's 127).
    pub const NOT_SET: i32 = 127;
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

    #[error(
        "unknown tool `{0}`\n  hint: list the known tools with `tool plugin list`, or add one with `tool plugin add {0} <git-url>`"
    )]
    UnknownTool(String),

    #[error("invalid {what} `{value}`: {why}")]
    Invalid {
        what: &'static str,
        value: String,
        why: &'static str,
    },

    /// A version is set but not installed; the message carries the hint.
    #[error("{0}")]
    NotInstalled(String),

    /// No version is set; the message carries the hint.
    #[error("{0}")]
    NotSet(String),

    #[error("{0}")]
    Usage(String),

    /// Ctrl-C, SIGTERM or SIGHUP stopped the work; it was cleaned up.
    #[error("interrupted; nothing was left half-done")]
    Interrupted,

    /// A cached build made for another os/arch/libc: a miss, not a failure.
    #[error("{0}")]
    Incompatible(String),

    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(context: &'static str, path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        Error::Io {
            context,
            path: path.into(),
            err,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NotInstalled(_) => exit::NOT_INSTALLED,
            Error::NotSet(_) => exit::NOT_SET,
            Error::Usage(_) => exit::USAGE,
            Error::Interrupted => exit::INTERRUPTED,
            _ => exit::FAILURE,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The exit code for any error that reached `main`.
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Error>())
        .map_or(exit::FAILURE, Error::exit_code)
}
