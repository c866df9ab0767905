//! Settings: asdf's `.asdfrc` keys and `tool`'s own, merged from defaults,
//! `.asdfrc` (`ASDF_CONFIG_FILE`), `config.toml` (`TOOL_CONFIG_FILE`) and the
//! environment. The raw values remember where they came from (`tool
//! settings`); the typed `Values` are parsed from them once, at load, and
//! the `InstallSettings` only installs read, when a command's context asks.

mod defs;
mod files;
mod values;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

pub use defs::{DEFS, Key, Kind, SettingDef, former_name};
pub use values::{
    CacheSettings, Concurrency, InstallSettings, MissingModules, PythonSettings, Refresh, Values,
    parse_size,
};

use crate::env::Env;
use crate::error::Result;
use files::{apply_asdfrc, apply_config_toml, lookup};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Env(v) => write!(f, "${v}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// The typed values every module reads.
    pub values: Values,
    /// Raw text and source of each setting, in `DEFS` order.
    /// Defaults are borrowed: a shim loads the settings and mostly finds
    /// no file, so none of the ~30 default texts is copied.
    raw: Vec<(Cow<'static, str>, Source)>,
    /// `.asdfrc` hooks (`pre_asdf_install_<plugin> = <command>` and the like).
    pub hooks: BTreeMap<String, String>,
    pub asdfrc_path: PathBuf,
    pub config_path: PathBuf,
    /// `config.toml` as read, for per-tool tables such as `[backends]`.
    table: toml::Table,
}

/// Where `key`'s definition is in `DEFS`: they are in the enum's order (a
/// test checks), so no search (every shim looks up a dozen).
fn index(key: Key) -> usize {
    key as usize
}

impl Settings {
    pub fn load(env: &Env) -> Result<Self> {
        let asdfrc_path = env
            .var("ASDF_CONFIG_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| env.home.join(".asdfrc"));
        let config_path = env
            .var("TOOL_CONFIG_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                env.var("XDG_CONFIG_HOME")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| env.home.join(".config"))
                    .join("tool/config.toml")
            });
        let mut raw = defaults();
        let mut hooks = BTreeMap::new();
        apply_asdfrc(&asdfrc_path, &mut raw, &mut hooks)?;
        let table = apply_config_toml(&config_path, &mut raw)?;
        apply_env(env, &mut raw);
        let values = values::Parser { raw: &raw }.values()?;
        Ok(Settings {
            values,
            raw,
            hooks,
            asdfrc_path,
            config_path,
            table,
        })
    }

    /// The settings of installs, caches and release lists (`cache.*`,
    /// `upstream.*`, `python.*`, `ruby.*`); a value that does not parse is
    /// an error naming it. A command's `Context` parses them once, at load.
    pub fn install_settings(&self) -> Result<InstallSettings> {
        values::Parser { raw: &self.raw }.install_settings()
    }

    /// Every known setting with its effective value (secrets masked) and
    /// source, in `DEFS` order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static SettingDef, String, &Source)> {
        DEFS.iter().zip(&self.raw).map(|(d, (v, s))| {
            let shown = match d.kind {
                Kind::Secret if !v.is_empty() => "(set)".to_string(),
                Kind::Flag if values::is_yes(v) => "yes".to_string(),
                Kind::Flag => "no".to_string(),
                Kind::Url => v
                    .split_whitespace()
                    .map(crate::remote::redact)
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => v.to_string(),
            };
            (d, shown, s)
        })
    }

    /// Where `key`'s value came from.
    pub fn source(&self, key: Key) -> &Source {
        &self.raw[index(key)].1
    }

    /// These settings with `{os}` taken from a build config (`build.os`),
    /// unless the `os` setting was set (in a file or the environment).
    pub fn with_build_os(mut self, os: String) -> Settings {
        if *self.source(Key::Os) == Source::Default {
            self.values.os = Some(os);
        }
        self
    }

    /// The backend chain configured for `tool`: `TOOL_BACKENDS_<TOOL>`
    /// (space-separated), else `[backends] <tool> = [...]` in config.toml.
    pub fn backends_for(&self, env: &Env, tool: &str) -> Option<Vec<String>> {
        let var = format!(
            "TOOL_BACKENDS_{}",
            tool.to_ascii_uppercase().replace('-', "_")
        );
        let text = env
            .var(&var)
            .or_else(|| lookup(&self.table, &format!("backends.{tool}")))?;
        let names: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        (!names.is_empty()).then_some(names)
    }
}

/// Every setting at its default, in `DEFS` order (borrowed, not copied).
fn defaults() -> Vec<(Cow<'static, str>, Source)> {
    (DEFS.iter())
        .map(|d| (Cow::Borrowed(d.default), Source::Default))
        .collect()
}

/// Each setting's variable, where set, over the files: the first of its
/// names that is set and not empty wins. Every shim runs this, so the
/// environment is first narrowed to the variables whose first byte some
/// setting's name starts with (a handful, against dozens of names).
fn apply_env(env: &Env, raw: &mut [(Cow<'static, str>, Source)]) {
    let mut firsts = [false; 256];
    for first in DEFS
        .iter()
        .flat_map(|d| d.env)
        .filter_map(|n| n.bytes().next())
    {
        firsts[usize::from(first)] = true;
    }
    let candidates: Vec<&crate::env::Var> = (env.vars().iter())
        .filter(|v| (v.name.as_encoded_bytes().first()).is_some_and(|b| firsts[usize::from(*b)]))
        .filter(|v| !v.value.is_empty())
        .collect();
    for (i, def) in DEFS.iter().enumerate() {
        let set = def.env.iter().find_map(|name| {
            let var = candidates.iter().find(|v| v.name == *name)?;
            Some((*name, var.value.to_str()?))
        });
        if let Some((name, value)) = set {
            raw[i] = (value.trim().to_string().into(), Source::Env(name));
        }
    }
}

/// Whether `.asdfrc`'s `key` names `def`, by its name or its former one.
fn known_as(def: &SettingDef, key: &str) -> bool {
    def.name == key || former_name(def.name).is_some_and(|f| f == key)
}

/// The no-libc `tool-shim`'s lists and `.asdfrc` screening, compared below.
#[cfg(test)]
use shim_rules::settings as no_libc;

#[cfg(test)]
mod tests {
    use super::*;

    /// `Values` holds the settings every load parses (the shim path's); the
    /// dotted ones are `InstallSettings`', which the shim never parses.
    fn parsed_by_shims(def: &SettingDef) -> bool {
        !def.name.contains('.')
    }

    #[test]
    fn the_no_libc_shim_knows_every_setting_shims_parse() {
        let names: Vec<&str> = (DEFS.iter())
            .filter(|d| parsed_by_shims(d))
            .map(|d| d.name)
            .collect();
        assert_eq!(no_libc::SHIM_SETTINGS, names.as_slice());
        let vars: Vec<&str> = (DEFS.iter())
            .filter(|d| parsed_by_shims(d))
            .flat_map(|d| d.env.iter().copied())
            .collect();
        assert_eq!(no_libc::SHIM_SETTING_VARS, vars.as_slice());
        for def in DEFS.iter().filter(|d| parsed_by_shims(d)) {
            assert_eq!(
                former_name(def.name),
                None,
                "{} has no other name",
                def.name
            );
        }
    }

    #[test]
    fn the_no_libc_shim_passes_over_only_config_files_that_set_nothing_for_shims() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let texts = [
            ("", true),
            ("# only a comment\n", true),
            ("[cache]\nurls = [\"s3://b/p\"]\ntoken = \"t\"\n", true),
            ("[backends]\npython = [\"cache\", \"source\"]\n", true),
            (
                "[upstream]\nnodejs_mirror = \"https://m\"\n[python]\nverify = \"off\"\n",
                true,
            ),
            (
                "[vendor]\ngolang_mirror = 'x'\n[cache]\nrequire_checksum = true\n",
                true,
            ),
            ("unknown = \"x\"\n", true),
            ("legacy_version_file = true\n", false),
            ("concurrency = 4\n", false),
            (
                "[cache]\nretries = 3\nmax_unpacked_size = 0x10_0000\n",
                true,
            ),
            ("[cache]\nretries = 99999999999999999999\n", false),
            ("[cache]\nread_timeout = 1.5\n", false),
            ("[cache]\nurls = [\"a\"\n", false),
            ("a = 1\na = 2\n", false),
            ("when = 1979-05-27\n", false),
            ("shared_installs = [\"/opt\"]\n", false),
            ("[locked]\nx = \"y\"\n", false),
            ("cache = \"s3://b\"\n", false),
            ("[cache]\nretries = { x = 1 }\n", false),
            ("[cache.x]\ny = 1\n", false),
            ("[other]\nx = { y = 1 }\n", true),
        ];
        for (text, silent) in texts {
            std::fs::write(&path, text).unwrap();
            let mut raw = defaults();
            let ours = apply_config_toml(&path, &mut raw);
            let passed_over = no_libc::config_is_silent(text);
            assert_eq!(passed_over, silent, "{text:?}");
            if passed_over {
                assert!(ours.is_ok(), "{text:?}");
                let set = DEFS.iter().zip(&raw);
                assert!(
                    set.filter(|(d, _)| parsed_by_shims(d))
                        .all(|(_, (_, src))| *src == Source::Default),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn the_no_libc_shim_knows_the_sections_of_config_toml() {
        let mut sections: Vec<String> = (DEFS.iter())
            .flat_map(|d| [Some(d.name.to_string()), former_name(d.name)])
            .flatten()
            .filter_map(|n| Some(n.split_once('.')?.0.to_string()))
            .chain(["backends".to_string()])
            .collect();
        sections.sort();
        sections.dedup();
        assert_eq!(no_libc::SECTIONS, sections.as_slice());
    }

    #[test]
    fn the_no_libc_shim_parses_toml_with_the_same_crate_version() {
        let version = |lock: &str| {
            let text = std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(lock),
            )
            .unwrap();
            let at = text.find("name = \"toml\"\nversion = ").unwrap();
            text[at..].lines().nth(1).unwrap().to_string()
        };
        assert_eq!(version("tool-shim/Cargo.lock"), version("Cargo.lock"));
    }

    #[test]
    fn the_no_libc_shim_passes_over_only_asdfrc_files_that_set_nothing_for_shims() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".asdfrc");
        let texts = [
            "",
            "# comment\n\n",
            "cache.urls = s3://b/p\nupstream.nodejs_mirror = https://m\n",
            "vendor.golang_mirror = https://m\npython.verify = off\n",
            "pre_asdf_install_python = echo hi\npost_python_pip = x\n",
            "pre_nodejs_python = x\n",
            "unknown_key = 1\nnot a setting\n",
            "  # café = yes\n",
            "legacy_version_file = yes\n",
            "legacy_version_file = no\n",
            "  concurrency=4\r\n",
            "pre_python_python = echo before\n",
            "shared_installs = /opt\n",
            "\u{a0}locked = yes\n",
            "os=ubuntu-22.04\n",
            "\x0bpre_python_python = echo hi\n",
            "pre_python_python\x0b= exit 3\n",
            "\x0c\x0blocked = bogus\x0b\n",
            "\x0b# legacy_version_file = yes\n",
            "# r\u{e9}glages\n",
        ];
        let mut silent = 0;
        for text in texts {
            std::fs::write(&path, text).unwrap();
            let mut raw = defaults();
            let mut hooks = BTreeMap::new();
            apply_asdfrc(&path, &mut raw, &mut hooks).unwrap();
            let sets_shim_setting = DEFS
                .iter()
                .zip(&raw)
                .any(|(d, (_, source))| parsed_by_shims(d) && *source != Source::Default);
            let hook = hooks.contains_key("pre_python_python");
            let passed_over = no_libc::asdfrc_is_silent(text.as_bytes(), &[b"python"], b"python");
            assert_eq!(passed_over, !(sets_shim_setting || hook), "{text:?}");
            silent += usize::from(passed_over);
        }
        assert_eq!(silent, 10);
        // Latin-1 in a comment or a line of no setting: both pass it.
        let latin1 = b"# r\xe9glages\nother = caf\xe9\n";
        std::fs::write(&path, latin1).unwrap();
        apply_asdfrc(&path, &mut defaults(), &mut BTreeMap::new()).unwrap();
        assert!(!no_libc::asdfrc_is_silent(latin1, &[b"python"], b"python"));
        assert!(no_libc::asdfrc_is_silent(
            b"# r\xe9glages\n",
            &[b"python"],
            b"python"
        ));
    }

    #[test]
    fn every_key_has_exactly_one_definition() {
        for def in DEFS {
            let same: Vec<_> = DEFS.iter().filter(|d| d.key == def.key).collect();
            assert_eq!(same.len(), 1, "{}", def.name);
            assert_eq!(
                DEFS[index(def.key)].name,
                def.name,
                "DEFS is in Key's order"
            );
        }
    }

    #[test]
    fn former_vendor_names_still_name_their_setting() {
        let def = &DEFS[index(Key::NodejsMirror)];
        assert_eq!(def.name, "upstream.nodejs_mirror");
        assert!(known_as(def, "upstream.nodejs_mirror"));
        assert!(known_as(def, "vendor.nodejs_mirror"));
        assert!(!known_as(def, "vendor.golang_mirror"));
    }
}
