//! The table of known settings: name, default, environment variables,
//! kind and help. `tool settings` prints it; `values` parses it into types.

/// Every setting, so code names one without a string (a typo does not compile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    LegacyVersionFile,
    UseReleaseCandidates,
    AlwaysKeepDownload,
    Concurrency,
    DisablePluginShortNameRepository,
    PluginRepositoryLastCheckDuration,
    PluginRepositoryUrl,
    CacheUrls,
    CacheKeyTemplate,
    CacheRequireChecksum,
    CacheMaxUnpackedSize,
    CacheToken,
    CacheRetries,
    CacheReadTimeout,
    PythonMirror,
    PythonMissingModules,
    Os,
}

/// One known setting.
pub struct SettingDef {
    pub key: Key,
    /// As written in `.asdfrc`, `config.toml` (dotted) and `tool settings`.
    pub name: &'static str,
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
    /// URLs (space-separated): checked at load, shown without user info,
    /// passwords or signatures.
    Url,
}

pub const DEFS: &[SettingDef] = &[
    SettingDef {
        key: Key::LegacyVersionFile,
        name: "legacy_version_file",
        default: "no",
        env: &["TOOL_LEGACY_VERSION_FILE"],
        kind: Kind::Flag,
        help: "read .python-version, .nvmrc, .node-version, .go-version…",
    },
    SettingDef {
        key: Key::UseReleaseCandidates,
        name: "use_release_candidates",
        default: "no",
        env: &["TOOL_USE_RELEASE_CANDIDATES"],
        kind: Kind::Flag,
        help: "let `latest` pick release candidates",
    },
    SettingDef {
        key: Key::AlwaysKeepDownload,
        name: "always_keep_download",
        default: "no",
        env: &["TOOL_ALWAYS_KEEP_DOWNLOAD"],
        kind: Kind::Flag,
        help: "keep downloads/ after an install",
    },
    SettingDef {
        key: Key::Concurrency,
        name: "concurrency",
        default: "auto",
        env: &["ASDF_CONCURRENCY", "TOOL_CONCURRENCY"],
        kind: Kind::Text,
        help: "parallel build jobs (`auto` = number of cores)",
    },
    SettingDef {
        key: Key::DisablePluginShortNameRepository,
        name: "disable_plugin_short_name_repository",
        default: "no",
        env: &["TOOL_DISABLE_PLUGIN_SHORT_NAME_REPOSITORY"],
        kind: Kind::Flag,
        help: "never use the plugin index for `plugin add <name>`",
    },
    SettingDef {
        key: Key::PluginRepositoryLastCheckDuration,
        name: "plugin_repository_last_check_duration",
        default: "60",
        env: &["TOOL_PLUGIN_REPOSITORY_LAST_CHECK_DURATION"],
        kind: Kind::Text,
        help: "minutes between plugin index syncs (`never` to stop)",
    },
    SettingDef {
        key: Key::PluginRepositoryUrl,
        name: "plugin_repository_url",
        default: "https://github.com/asdf-vm/asdf-plugins.git",
        env: &["TOOL_PLUGIN_REPOSITORY_URL"],
        kind: Kind::Url,
        help: "git URL of the plugin short-name index",
    },
    SettingDef {
        key: Key::CacheUrls,
        name: "cache.urls",
        default: "",
        env: &["TOOL_CACHE_URL", "TOOL_CACHE_URLS"],
        kind: Kind::Url,
        help: "buckets read after the local one (s3://, http(s)://, file://), space-separated",
    },
    SettingDef {
        key: Key::CacheKeyTemplate,
        name: "cache.key_template",
        default: "{os}-{tool}-{version}",
        env: &["TOOL_CACHE_KEY_TEMPLATE"],
        kind: Kind::Text,
        help: "object key of a cached build, without .tar.zst/.tar.gz ({os} {tool} {version} {arch} {libc})",
    },
    SettingDef {
        key: Key::CacheRequireChecksum,
        name: "cache.require_checksum",
        default: "no",
        env: &["TOOL_CACHE_REQUIRE_CHECKSUM"],
        kind: Kind::Flag,
        help: "refuse cached archives that have no .sha256 beside them",
    },
    SettingDef {
        key: Key::CacheMaxUnpackedSize,
        name: "cache.max_unpacked_size",
        default: "16G",
        env: &["TOOL_CACHE_MAX_UNPACKED_SIZE"],
        kind: Kind::Text,
        help: "refuse archives that expand beyond this size (K, M, G suffixes)",
    },
    SettingDef {
        key: Key::CacheToken,
        name: "cache.token",
        default: "",
        env: &["TOOL_CACHE_TOKEN"],
        kind: Kind::Secret,
        help: "bearer token for http(s) buckets (never shown)",
    },
    SettingDef {
        key: Key::CacheRetries,
        name: "cache.retries",
        default: "4",
        env: &["TOOL_CACHE_RETRIES"],
        kind: Kind::Text,
        help: "retries on 5xx answers and dropped connections",
    },
    SettingDef {
        key: Key::CacheReadTimeout,
        name: "cache.read_timeout",
        default: "30",
        env: &["TOOL_CACHE_READ_TIMEOUT"],
        kind: Kind::Text,
        help: "seconds without a byte before a download counts as dropped (then resumed)",
    },
    SettingDef {
        key: Key::PythonMirror,
        name: "python.mirror",
        default: "",
        env: &["TOOL_PYTHON_MIRROR"],
        kind: Kind::Url,
        help: "CPython source mirror in python.org's layout (https:// or file://); default python.org",
    },
    SettingDef {
        key: Key::PythonMissingModules,
        name: "python.missing_modules",
        default: "error",
        env: &["TOOL_PYTHON_MISSING_MODULES"],
        kind: Kind::Text,
        help: "a source build missing ssl, ctypes, sqlite3…: `error` (default) or `warn`",
    },
    SettingDef {
        key: Key::Os,
        name: "os",
        default: "auto",
        env: &["TOOL_OS"],
        kind: Kind::Text,
        help: "{os} in cache keys (auto: ID-VERSION_ID from /etc/os-release, e.g. ubuntu-20.04)",
    },
];
