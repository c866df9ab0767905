//! Settings: asdf's `.asdfrc` keys and `tool`'s own, merged from defaults,
//! `.asdfrc` (`ASDF_CONFIG_FILE`), `config.toml` (`TOOL_CONFIG_FILE`) and the
//! environment, each value remembering where it came from.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::env::Env;
use crate::error::{Error, Result};

/// One known setting.
pub struct SettingDef {
    pub key: &'static str,
    pub default: &'static str,
    /// Environment variables that override it, strongest first.
    pub env: &'static [&'static str],
    pub kind: Kind,
    pub help: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Flag,
    Text,
    /// Text that is never printed.
    Secret,
}

pub const DEFS: &[SettingDef] = &[
    SettingDef {
        key: "legacy_version_file",
        default: "no",
        env: &["TOOL_LEGACY_VERSION_FILE"],
        kind: Kind::Flag,
        help: "read .python-version, .nvmrc, .node-version, .go-version…",
    },
    SettingDef {
        key: "use_release_candidates",
        default: "no",
        env: &["TOOL_USE_RELEASE_CANDIDATES"],
        kind: Kind::Flag,
        help: "let `latest` pick release candidates",
    },
    SettingDef {
        key: "always_keep_download",
        default: "no",
        env: &["TOOL_ALWAYS_KEEP_DOWNLOAD"],
        kind: Kind::Flag,
        help: "keep downloads/ after an install",
    },
    SettingDef {
        key: "concurrency",
        default: "auto",
        env: &["ASDF_CONCURRENCY", "TOOL_CONCURRENCY"],
        kind: Kind::Text,
        help: "parallel build jobs (`auto` = number of cores)",
    },
    SettingDef {
        key: "disable_plugin_short_name_repository",
        default: "no",
        env: &["TOOL_DISABLE_PLUGIN_SHORT_NAME_REPOSITORY"],
        kind: Kind::Flag,
        help: "never use the plugin index for `plugin add <name>`",
    },
    SettingDef {
        key: "plugin_repository_last_check_duration",
        default: "60",
        env: &["TOOL_PLUGIN_REPOSITORY_LAST_CHECK_DURATION"],
        kind: Kind::Text,
        help: "minutes between plugin index syncs (`never` to stop)",
    },
    SettingDef {
        key: "plugin_repository_url",
        default: "https://github.com/asdf-vm/asdf-plugins.git",
        env: &["TOOL_PLUGIN_REPOSITORY_URL"],
        kind: Kind::Text,
        help: "git URL of the plugin short-name index",
    },
    SettingDef {
        key: "cache.urls",
        default: "",
        env: &["TOOL_CACHE_URL", "TOOL_CACHE_URLS"],
        kind: Kind::Text,
        help: "buckets read after the local one (s3://, http(s)://, file://), space-separated",
    },
    SettingDef {
        key: "cache.key_template",
        default: "{os}-{tool}-{version}",
        env: &["TOOL_CACHE_KEY_TEMPLATE"],
        kind: Kind::Text,
        help: "object key of a cached build, without .tar.zst/.tar.gz ({os} {tool} {version} {arch} {libc})",
    },
    SettingDef {
        key: "cache.require_checksum",
        default: "no",
        env: &["TOOL_CACHE_REQUIRE_CHECKSUM"],
        kind: Kind::Flag,
        help: "refuse cached archives that have no .sha256 beside them",
    },
    SettingDef {
        key: "cache.max_unpacked_size",
        default: "16G",
        env: &["TOOL_CACHE_MAX_UNPACKED_SIZE"],
        kind: Kind::Text,
        help: "refuse archives that expand beyond this size (K, M, G suffixes)",
    },
    SettingDef {
        key: "cache.token",
        default: "",
        env: &["TOOL_CACHE_TOKEN"],
        kind: Kind::Secret,
        help: "bearer token for http(s) buckets (never shown)",
    },
    SettingDef {
        key: "cache.retries",
        default: "4",
        env: &["TOOL_CACHE_RETRIES"],
        kind: Kind::Text,
        help: "retries on 5xx answers and dropped connections",
    },
    SettingDef {
        key: "cache.read_timeout",
        default: "30",
        env: &["TOOL_CACHE_READ_TIMEOUT"],
        kind: Kind::Text,
        help: "seconds without a byte before a download counts as dropped (then resumed)",
    },
    SettingDef {
        key: "python.mirror",
        default: "",
        env: &["TOOL_PYTHON_MIRROR"],
        kind: Kind::Text,
        help: "CPython source mirror in python.org's layout (https:// or file://); default python.org",
    },
    SettingDef {
        key: "python.missing_modules",
        default: "error",
        env: &["TOOL_PYTHON_MISSING_MODULES"],
        kind: Kind::Text,
        help: "a source build missing ssl, ctypes, sqlite3…: `error` (default) or `warn`",
    },
    SettingDef {
        key: "os",
        default: "auto",
        env: &["TOOL_OS"],
        kind: Kind::Text,
        help: "{os} in cache keys (auto: ID-VERSION_ID from /etc/os-release, e.g. ubuntu-20.04)",
    },
];

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
    values: BTreeMap<&'static str, (String, Source)>,
    /// `.asdfrc` hooks (`pre_asdf_install_<plugin> = <command>` and the like).
    pub hooks: BTreeMap<String, String>,
    pub asdfrc_path: PathBuf,
    pub config_path: PathBuf,
    /// `config.toml` as read, for per-tool tables such as `[backends]`.
    table: toml::Table,
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
        let mut settings = Settings {
            values: DEFS
                .iter()
                .map(|d| (d.key, (d.default.to_string(), Source::Default)))
                .collect(),
            hooks: BTreeMap::new(),
            asdfrc_path,
            config_path,
            table: toml::Table::new(),
        };
        settings.apply_asdfrc()?;
        settings.apply_config_toml()?;
        for def in DEFS {
            if let Some((var, value)) = def.env.iter().find_map(|v| env.var(v).map(|x| (*v, x))) {
                settings.put(def, &value, Source::Env(var));
            }
        }
        Ok(settings)
    }

    fn put(&mut self, def: &SettingDef, value: &str, source: Source) {
        let value = match def.kind {
            Kind::Flag => normalize_flag(value),
            Kind::Text | Kind::Secret => value.trim().to_string(),
        };
        self.values.insert(def.key, (value, source));
    }

    fn apply_asdfrc(&mut self) -> Result<()> {
        let path = self.asdfrc_path.clone();
        let Some(text) = read_optional(&path)? else {
            return Ok(());
        };
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim(), value.trim());
            match DEFS.iter().find(|d| d.key == key) {
                Some(def) => self.put(def, value, Source::File(path.clone())),
                None if key.starts_with("pre_") || key.starts_with("post_") => {
                    self.hooks.insert(key.to_string(), value.to_string());
                }
                None => {}
            }
        }
        Ok(())
    }

    fn apply_config_toml(&mut self) -> Result<()> {
        let path = self.config_path.clone();
        let Some(text) = read_optional(&path)? else {
            return Ok(());
        };
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| Error::Parse {
            path: path.clone(),
            line: line_of(&text, e.span().map_or(0, |s| s.start)),
            message: e.message().to_string(),
        })?;
        for def in DEFS {
            if let Some(value) = lookup(&table, def.key) {
                self.put(def, &value, Source::File(path.clone()));
            }
        }
        self.table = table;
        Ok(())
    }

    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map_or("", |(v, _)| v.as_str())
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key) == "yes"
    }

    /// Every known setting with its effective value (secrets masked) and
    /// source, in `DEFS` order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static SettingDef, &str, &Source)> {
        DEFS.iter().map(|d| {
            let (v, s) = &self.values[d.key];
            let shown = match d.kind {
                Kind::Secret if !v.is_empty() => "(set)",
                _ => v.as_str(),
            };
            (d, shown, s)
        })
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

    /// `concurrency`: a number, or the number of cores for `auto`.
    pub fn concurrency(&self) -> usize {
        self.get("concurrency")
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

fn normalize_flag(value: &str) -> String {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "on" => "yes".into(),
        _ => "no".into(),
    }
}

fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("cannot read settings", path, e)),
    }
}

/// A dotted key (`cache.urls`) in a TOML table, as text (arrays space-joined).
fn lookup(table: &toml::Table, key: &str) -> Option<String> {
    let mut parts = key.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Boolean(b) => if *b { "yes" } else { "no" }.to_string(),
        toml::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
