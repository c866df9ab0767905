//! The settings as types, each parsed once (`Values` at load,
//! `InstallSettings` when first asked for): each raw value (with where it
//! came from) becomes a field, and a value that does not parse is an error
//! naming the setting, the value and its file or variable.

use std::time::Duration;

use super::Source;
use super::defs::Key;
use crate::archive::key::Template;
use crate::error::{Error, Result};

/// `concurrency`: a number, or `auto`, resolved only when a build asks (the
/// shim path never pays for counting cores).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Concurrency {
    Auto,
    Jobs(usize),
    /// Anything else (asdf passes `-1` to plugins as it is): our own builds
    /// use every core.
    Other(String),
}

impl Concurrency {
    /// Parallel jobs for `tool`'s own builds.
    pub fn jobs(&self) -> usize {
        match self {
            Concurrency::Jobs(n) => *n,
            _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    /// `ASDF_CONCURRENCY` for plugins: the setting as written, as asdf
    /// passes it, with `auto` resolved.
    pub fn for_plugins(&self) -> String {
        match self {
            Concurrency::Other(text) => text.clone(),
            _ => self.jobs().to_string(),
        }
    }
}

/// What a source build does when an optional module did not build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingModules {
    Error,
    Warn,
}

/// How often the plugin index is refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    Every(Duration),
    Never,
}

#[derive(Debug, Clone)]
pub struct CacheSettings {
    /// Buckets read after the local one.
    pub urls: Vec<String>,
    pub key_template: Template,
    pub require_checksum: bool,
    pub max_unpacked_size: u64,
    /// Bearer token for http(s) buckets (never printed).
    pub token: Option<String>,
    pub retries: usize,
    pub read_timeout: Duration,
    /// `name:base64` public keys; parsed (and refused) by the cache.
    pub trusted_keys: Vec<String>,
    /// `name:base64` public keys whose signatures count for nothing.
    pub revoked_keys: Vec<String>,
    pub signing_key: Option<std::path::PathBuf>,
    /// How old an archive no record names must be before `cache gc` takes it.
    pub gc_grace: Duration,
}

#[derive(Debug, Clone)]
pub struct PythonSettings {
    pub mirror: Option<String>,
    /// What source archives are checked against.
    pub verify: crate::provenance::Policy,
    pub missing_modules: MissingModules,
    /// pip requirements every build installs (pins).
    pub default_packages: Vec<String>,
    /// Where conda installers are found by file name.
    pub conda_mirror: Option<String>,
    /// A table of conda installers of one's own.
    pub conda_installers: Option<std::path::PathBuf>,
    /// Where python-build-standalone archives are found.
    pub prebuilt_mirror: String,
    /// A list of PBS archives of one's own (uv's format): a file or URL.
    pub prebuilt_list: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RubySettings {
    pub mirror: String,
    /// A release table of one's own, read after the shipped one.
    pub releases: Option<std::path::PathBuf>,
}

/// Where the upstream backend finds official releases.
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    pub nodejs_mirror: String,
    /// What Node.js archives are checked against.
    pub nodejs_verify: crate::provenance::Policy,
    pub golang_mirror: String,
    pub golang_releases: String,
    /// What Go archives are checked against.
    pub golang_verify: crate::provenance::Policy,
    /// OpenPGP key files trusted besides the shipped keyrings.
    pub trusted_keys: Vec<std::path::PathBuf>,
    pub rust_mirror: String,
    /// What Rust installers are checked against.
    pub rust_verify: crate::provenance::Policy,
    pub list_ttl: Duration,
}

#[derive(Debug, Clone)]
pub struct Values {
    pub legacy_version_file: bool,
    pub use_release_candidates: bool,
    pub always_keep_download: bool,
    /// Parallel build jobs.
    pub concurrency: Concurrency,
    pub disable_plugin_short_name_repository: bool,
    pub plugin_repository_refresh: Refresh,
    pub plugin_repository_url: String,
    /// Read-only folders laid out like `installs/`.
    pub shared_installs: Vec<std::path::PathBuf>,
    /// `.readthedocs.yaml` sets versions.
    pub readthedocs_config: bool,
    /// A newer copy of the service's version table.
    pub readthedocs_table: Option<std::path::PathBuf>,
    /// `{os}` in cache keys; `None` = read `/etc/os-release`.
    pub os: Option<String>,
    /// `tool install` as `--locked`.
    pub locked: bool,
}

/// The settings only installs, caches and release lists read: parsed into a
/// command's `Context` (`Settings::install_settings`), so a shim never pays for them.
#[derive(Debug, Clone)]
pub struct InstallSettings {
    pub cache: CacheSettings,
    pub python: PythonSettings,
    pub ruby: RubySettings,
    pub upstream: UpstreamSettings,
}

impl InstallSettings {
    /// Retries and timeouts for every remote, bucket or mirror.
    pub fn transfer(&self, env: &crate::env::Env) -> crate::remote::Options {
        crate::remote::Options {
            retries: self.cache.retries,
            read_timeout: self.cache.read_timeout,
            resolve_first: !env.uses_proxy(),
        }
    }
}

/// The longest a duration setting may be, in seconds.
const TEN_YEARS: u64 = 10 * 365 * 86_400;
/// More parallel build jobs than any machine runs.
const MAX_JOBS: usize = 4096;

/// Reads raw values by key, turning parse failures into load errors.
pub(super) struct Parser<'a> {
    /// Each setting's text and source, in `DEFS` order.
    pub raw: &'a [(std::borrow::Cow<'static, str>, Source)],
}

impl<'a> Parser<'a> {
    /// `key`'s text, where it came from and its name.
    fn get(&self, key: Key) -> (&'a str, &'a Source, &'static str) {
        let i = super::index(key);
        (self.raw[i].0.as_ref(), &self.raw[i].1, super::DEFS[i].name)
    }

    fn bad(&self, key: Key, why: &'static str) -> Error {
        let (value, source, name) = self.get(key);
        Error::Setting {
            name,
            value: crate::remote::redact_words(value)
                .chars()
                .take(200)
                .collect(),
            origin: source.to_string(),
            why,
        }
    }

    fn text(&self, key: Key) -> String {
        self.get(key).0.to_string()
    }

    fn optional(&self, key: Key) -> Option<String> {
        Some(self.text(key)).filter(|v| !v.is_empty())
    }

    fn flag(&self, key: Key) -> Result<bool> {
        let value = self.get(key).0;
        match value.to_ascii_lowercase().as_str() {
            "no" | "false" | "0" | "off" | "" => Ok(false),
            _ if is_yes(value) => Ok(true),
            _ => Err(self.bad(key, "expected yes or no")),
        }
    }

    /// A whole number up to `max`; `expected` says so in the message.
    fn number(&self, key: Key, max: u64, expected: &'static str) -> Result<u64> {
        match self.get(key).0.parse::<u64>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(self.bad(key, expected)),
        }
    }

    /// `{os}` for cache keys: `None` for `auto` or unset.
    fn os(&self) -> Result<Option<String>> {
        let Some(os) = self.optional(Key::Os).filter(|os| os != "auto") else {
            return Ok(None);
        };
        crate::platform::check_os(&os).map_err(|why| self.bad(Key::Os, why))?;
        Ok(Some(os))
    }

    pub fn values(&self) -> Result<Values> {
        Ok(Values {
            legacy_version_file: self.flag(Key::LegacyVersionFile)?,
            use_release_candidates: self.flag(Key::UseReleaseCandidates)?,
            always_keep_download: self.flag(Key::AlwaysKeepDownload)?,
            concurrency: self.concurrency()?,
            disable_plugin_short_name_repository: self
                .flag(Key::DisablePluginShortNameRepository)?,
            plugin_repository_refresh: match self.get(Key::PluginRepositoryLastCheckDuration).0 {
                "never" => Refresh::Never,
                _ => Refresh::Every(Duration::from_secs(
                    60 * self.number(
                        Key::PluginRepositoryLastCheckDuration,
                        TEN_YEARS / 60,
                        "expected never or a whole number of minutes up to 5256000 (ten years)",
                    )?,
                )),
            },
            plugin_repository_url: self.text(Key::PluginRepositoryUrl),
            shared_installs: self.folders(Key::SharedInstalls)?,
            readthedocs_config: self.flag(Key::ReadthedocsConfig)?,
            readthedocs_table: self.optional(Key::ReadthedocsTable).map(Into::into),
            os: self.os()?,
            locked: self.flag(Key::Locked)?,
        })
    }

    pub fn install_settings(&self) -> Result<InstallSettings> {
        Ok(InstallSettings {
            cache: self.cache()?,
            python: PythonSettings {
                mirror: self
                    .urls(Key::PythonMirror, &["http", "https", "file"])?
                    .pop(),
                verify: self.policy(Key::PythonVerify)?,
                missing_modules: match self.get(Key::PythonMissingModules).0 {
                    "error" => MissingModules::Error,
                    "warn" => MissingModules::Warn,
                    _ => return Err(self.bad(Key::PythonMissingModules, "expected error or warn")),
                },
                default_packages: self
                    .text(Key::PythonDefaultPackages)
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                conda_mirror: self
                    .urls(Key::PythonCondaMirror, &["http", "https", "file"])?
                    .pop(),
                conda_installers: self.optional(Key::PythonCondaInstallers).map(Into::into),
                prebuilt_mirror: self.one_url(Key::PythonPrebuiltMirror)?,
                prebuilt_list: self.optional(Key::PythonPrebuiltList),
            },
            ruby: RubySettings {
                mirror: self.one_url(Key::RubyMirror)?,
                releases: self.optional(Key::RubyReleases).map(Into::into),
            },
            upstream: self.upstream()?,
        })
    }

    /// `:`-separated absolute folders.
    fn folders(&self, key: Key) -> Result<Vec<std::path::PathBuf>> {
        let text = self.text(key);
        let folders: Vec<std::path::PathBuf> = text
            .split(':')
            .filter(|f| !f.trim().is_empty())
            .map(std::path::PathBuf::from)
            .collect();
        if folders.iter().any(|f| !f.is_absolute()) {
            return Err(self.bad(key, "expected absolute folders separated by `:`"));
        }
        Ok(folders)
    }

    /// `signatures`, `checksums` or `off`.
    fn policy(&self, key: Key) -> Result<crate::provenance::Policy> {
        crate::provenance::Policy::parse(&self.text(key))
            .ok_or_else(|| self.bad(key, "expected signatures, checksums or off"))
    }

    /// One http(s):// or file:// URL, without a trailing `/`.
    fn one_url(&self, key: Key) -> Result<String> {
        let urls = self.urls(key, &["http", "https", "file"])?;
        match urls.as_slice() {
            [url] => Ok(url.trim_end_matches('/').to_string()),
            _ => Err(self.bad(key, "expected one URL")),
        }
    }

    fn upstream(&self) -> Result<UpstreamSettings> {
        let one = |key: Key| self.one_url(key);
        Ok(UpstreamSettings {
            nodejs_mirror: one(Key::NodejsMirror)?,
            golang_mirror: one(Key::GolangMirror)?,
            golang_releases: one(Key::GolangReleases)?,
            nodejs_verify: self.policy(Key::NodejsVerify)?,
            golang_verify: self.policy(Key::GolangVerify)?,
            trusted_keys: self
                .text(Key::UpstreamTrustedKeys)
                .split_whitespace()
                .map(Into::into)
                .collect(),
            rust_mirror: one(Key::RustMirror)?,
            rust_verify: self.policy(Key::RustVerify)?,
            list_ttl: Duration::from_secs(self.number(
                Key::UpstreamListTtl,
                TEN_YEARS,
                "expected a whole number of seconds up to 315360000 (ten years)",
            )?),
        })
    }

    /// Space-separated URLs with one of `schemes`.
    fn urls(&self, key: Key, schemes: &[&str]) -> Result<Vec<String>> {
        let (text, _, _) = self.get(key);
        let urls: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        for u in &urls {
            match url::Url::parse(u) {
                Ok(p) if schemes.contains(&p.scheme()) => {}
                Ok(_) => {
                    return Err(
                        self.bad(key, "unsupported scheme: use s3://, http(s):// or file://")
                    );
                }
                Err(_) => return Err(self.bad(key, "not a URL")),
            }
        }
        Ok(urls)
    }

    fn concurrency(&self) -> Result<Concurrency> {
        let text = self.get(Key::Concurrency).0;
        Ok(match text {
            "auto" | "" => Concurrency::Auto,
            _ => match text.parse::<usize>() {
                Ok(n) if n > MAX_JOBS => {
                    return Err(self.bad(Key::Concurrency, "expected auto or a number up to 4096"));
                }
                Ok(n) if n > 0 => Concurrency::Jobs(n),
                _ => Concurrency::Other(text.to_string()),
            },
        })
    }

    fn cache(&self) -> Result<CacheSettings> {
        let template = Template::parse(&self.text(Key::CacheKeyTemplate));
        Ok(CacheSettings {
            urls: self.urls(Key::CacheUrls, &["s3", "http", "https", "file"])?,
            key_template: template.map_err(|e| match e {
                crate::archive::Error::Template { why, .. } => self.bad(Key::CacheKeyTemplate, why),
                _ => self.bad(Key::CacheKeyTemplate, "it is not a key template"),
            })?,
            require_checksum: self.flag(Key::CacheRequireChecksum)?,
            max_unpacked_size: parse_size(&self.text(Key::CacheMaxUnpackedSize)).ok_or_else(
                || {
                    self.bad(
                        Key::CacheMaxUnpackedSize,
                        "expected a size like 16G or 500M",
                    )
                },
            )?,
            token: self.optional(Key::CacheToken),
            retries: self.number(Key::CacheRetries, 100, "expected a whole number up to 100")?
                as usize,
            read_timeout: Duration::from_secs(self.number(
                Key::CacheReadTimeout,
                86_400,
                "expected a whole number of seconds up to 86400 (a day)",
            )?),
            trusted_keys: (self.text(Key::CacheTrustedKeys).split_whitespace())
                .map(str::to_string)
                .collect(),
            revoked_keys: (self.text(Key::CacheRevokedKeys).split_whitespace())
                .map(str::to_string)
                .collect(),
            signing_key: self.optional(Key::CacheSigningKey).map(Into::into),
            gc_grace: parse_duration(&self.text(Key::CacheGcGrace))
                .filter(|d| d.as_secs() <= TEN_YEARS)
                .ok_or_else(|| {
                    self.bad(
                        Key::CacheGcGrace,
                        "expected a duration like 1d, 12h, 30m or 90s (seconds when bare), up to ten years",
                    )
                })?,
        })
    }
}

/// Whether a flag's text means yes (asdf writes `yes`; TOML, `true`).
pub fn is_yes(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "yes" | "true" | "1" | "on"
    )
}

/// `1d`, `12h`, `30m`, `90s`, `90` → a duration.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (num, unit) = match t.chars().last()? {
        's' => (&t[..t.len() - 1], 1u64),
        'm' => (&t[..t.len() - 1], 60),
        'h' => (&t[..t.len() - 1], 3600),
        'd' => (&t[..t.len() - 1], 86_400),
        _ => (t, 1),
    };
    Some(Duration::from_secs(
        num.trim().parse::<u64>().ok()?.checked_mul(unit)?,
    ))
}

/// `16G`, `500M`, `1024` → bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (num, mult) = match t.chars().last()? {
        'K' | 'k' => (&t[..t.len() - 1], 1u64 << 10),
        'M' | 'm' => (&t[..t.len() - 1], 1 << 20),
        'G' | 'g' => (&t[..t.len() - 1], 1 << 30),
        'T' | 't' => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16G"), Some(16 << 30));
        assert_eq!(parse_size("500m"), Some(500 << 20));
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn default_urls_parse_as_urls_would_be_checked() {
        for def in super::super::DEFS {
            if def.kind == super::super::Kind::Url {
                for u in def.default.split_whitespace() {
                    let parsed = url::Url::parse(u).unwrap_or_else(|e| panic!("{}: {e}", def.name));
                    assert!(
                        ["http", "https", "file"].contains(&parsed.scheme()),
                        "{}",
                        def.name
                    );
                }
            }
        }
    }
}
