//! The environment block as the std path reads it (`env::Env`): entries
//! `NAME=value` with the name running to the first `=` after its first
//! byte, looked up by their first entry; and the variables that hand a
//! shim to the std path.

use alloc::vec::Vec;
use core::ffi::CStr;

use shim_rules::settings::SHIM_SETTING_VARS;

pub struct Var<'a> {
    pub name: &'a [u8],
    pub value: &'a [u8],
    /// The whole `NAME=value\0`, as `execve` takes it.
    pub entry: *const u8,
}

pub struct Vars<'a>(pub Vec<Var<'a>>);

impl<'a> Vars<'a> {
    pub fn new(block: &[&'a CStr]) -> Self {
        let vars = block.iter().filter_map(|entry| {
            let bytes = entry.to_bytes();
            let eq = bytes.get(1..)?.iter().position(|b| *b == b'=')? + 1;
            Some(Var {
                name: &bytes[..eq],
                value: &bytes[eq + 1..],
                entry: entry.as_ptr().cast(),
            })
        });
        Vars(vars.collect())
    }

    /// The first entry's value (`Env::is_set` asks whether there is one).
    pub fn first(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.0.iter().find(|v| v.name == name).map(|v| v.value)
    }

    /// The first entry's value when not empty (`Env::var_os`).
    pub fn non_empty(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.first(name).filter(|v| !v.is_empty())
    }

    /// As `non_empty`, when UTF-8 too (`Env::var`).
    pub fn text(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.non_empty(name)
            .filter(|v| core::str::from_utf8(v).is_ok())
    }

    /// Whether a variable the std path would act on is set: a setting the
    /// shim path reads, or `ASDF_<TOOL>_VERSION` of one of `tools`.
    pub fn sets_shim_behaviour(&self, tools: &[&[u8]]) -> bool {
        self.0.iter().filter(|v| !v.value.is_empty()).any(|v| {
            SHIM_SETTING_VARS.iter().any(|s| s.as_bytes() == v.name)
                || tools.iter().any(|t| is_version_var(v.name, t))
        })
    }
}

/// `ASDF_<TOOL>_VERSION` (upper case, `-` as `_`) for `tool`.
fn is_version_var(name: &[u8], tool: &[u8]) -> bool {
    let Some(middle) = (name.strip_prefix(b"ASDF_")).and_then(|r| r.strip_suffix(b"_VERSION"))
    else {
        return false;
    };
    middle.len() == tool.len()
        && middle.iter().zip(tool).all(|(m, t)| {
            *m == match t {
                b'-' => b'_',
                t => t.to_ascii_uppercase(),
            }
        })
}
