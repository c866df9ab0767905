//! What Read the Docs rejects in a `.readthedocs.yaml` before it installs
//! any tool, checked as its config code checks it
//! (`readthedocs/config/config.py`, `validate_formats` and
//! `validate_build_config_with_os`, then `validate_keys`), in its order: a
//! `version` other than 2; `formats`; the whole `build` mapping (`os`,
//! `tools` names, `jobs` names, `commands` a list, tools or commands
//! present, not both jobs and commands, each job's and command's strings,
//! `build.jobs.build` types listed in `formats`, tool versions as strings of
//! the service's table — YAML `3.10` is the float 3.1 —, `apt_packages`
//! names); then a key the service does not know, in `build` or at the top.
//! Each refusal says what the service says, with its error code. The other
//! top-level sections (`python`, `sphinx`…) are not looked into.

use yaml_rust2::Yaml;

use super::Table;
use super::values::{
    Check, choice, dict, key_text, list, not_found, refuse, string, strings, truthy,
};

/// `formats` the service builds besides HTML.
const FORMATS: &[&str] = &["htmlzip", "pdf", "epub"];

/// `build.jobs` keys (the service's `BuildJobs` model, in its order).
const JOBS: &[&str] = &[
    "pre_checkout",
    "post_checkout",
    "pre_system_dependencies",
    "post_system_dependencies",
    "pre_create_environment",
    "create_environment",
    "post_create_environment",
    "pre_install",
    "install",
    "post_install",
    "pre_build",
    "build",
    "post_build",
];

/// `build.jobs.build` keys (`BuildJobsBuildTypes`).
const BUILD_TYPES: &[&str] = &["html", "pdf", "epub", "htmlzip"];

/// The keys of `build` the service reads; any other is refused.
const BUILD_KEYS: &[&str] = &["os", "tools", "jobs", "commands", "apt_packages"];

/// The top-level keys the service reads.
const TOP_KEYS: &[&str] = &[
    "version",
    "formats",
    "build",
    "conda",
    "python",
    "sphinx",
    "mkdocs",
    "submodules",
    "search",
];

/// Checks `doc` as the service does, in its order.
pub fn check(doc: &Yaml, table: &Table) -> Check<()> {
    if !matches!(doc, Yaml::Hash(_)) {
        let why = "Read the Docs expects a mapping at the top (config:base:invalid-syntax)";
        return Err(refuse("version", why.to_string()));
    }
    version(&doc["version"])?;
    let formats = formats(&doc["formats"])?;
    let build = &doc["build"];
    if *build != Yaml::BadValue {
        dict("build", build)?;
    }
    build_shape(build, table)?;
    build_values(build, table, &formats)?;
    unknown_key(doc)
}

/// `version`: absent (2), or 2 (`2`, `"2"`, `2.0`), as the service's
/// `version not in (2, "2")` lets through.
fn version(value: &Yaml) -> Check<()> {
    let ok = match value {
        Yaml::BadValue => true,
        Yaml::Integer(2) => true,
        Yaml::String(s) => s == "2",
        Yaml::Real(r) => r.parse::<f64>().is_ok_and(|f| f == 2.0),
        _ => false,
    };
    match ok {
        true => Ok(()),
        false => Err(refuse(
            "version",
            format!(
                "Invalid version of the configuration file: {}; Read the Docs reads only version 2 (config:base:invalid-version)",
                super::values::shown(value)
            ),
        )),
    }
}

/// `formats`: absent, `all`, or a list of `FORMATS`; the formats built.
fn formats(value: &Yaml) -> Check<Vec<String>> {
    match value {
        Yaml::BadValue => Ok(Vec::new()),
        Yaml::String(s) if s == "all" => Ok(FORMATS.iter().map(|f| f.to_string()).collect()),
        _ => list("formats", value)?
            .iter()
            .map(|f| choice("formats", f, FORMATS.iter().copied()))
            .collect(),
    }
}

/// The first half of `validate_build_config_with_os`: `os`, the names in
/// `tools` and `jobs`, `commands` a list, then what `build` must (not) have.
fn build_shape(build: &Yaml, table: &Table) -> Check<()> {
    let os = &build["os"];
    if *os == Yaml::BadValue {
        let missing = if *build == Yaml::BadValue {
            "build"
        } else {
            "os"
        };
        return Err(not_found("build.os", missing));
    }
    choice("build.os", os, table.os.keys().map(String::as_str))?;
    let tools = &build["tools"];
    if truthy(tools) {
        dict("build.tools", tools)?;
        for name in keys(tools) {
            choice("build.tools", name, table.tools.keys().map(String::as_str))?;
        }
    }
    let jobs = &build["jobs"];
    if *jobs != Yaml::BadValue {
        dict("build.jobs", jobs)?;
        for name in keys(jobs) {
            choice("build.jobs", name, JOBS.iter().copied())?;
        }
    }
    let commands = &build["commands"];
    if *commands != Yaml::BadValue {
        list("build.commands", commands)?;
    }
    if !(truthy(tools) || truthy(commands)) {
        let why = "At least one of the following configuration options is required: `build.tools` or `build.commands`. (config:build:missing-build-tools-commands)";
        return Err(refuse("build", why.to_string()));
    }
    if truthy(commands) && truthy(jobs) {
        let why = "The keys `build.jobs` and `build.commands` can't be used together. (config:build:jobs-and-commands)";
        return Err(refuse("build.jobs", why.to_string()));
    }
    Ok(())
}

/// The second half: each job's commands, `build.commands`, the tools'
/// versions, `apt_packages`.
fn build_values(build: &Yaml, table: &Table, formats: &[String]) -> Check<()> {
    if let Yaml::Hash(jobs) = &build["jobs"] {
        let by_type = &build["jobs"]["build"];
        if *by_type != Yaml::BadValue {
            build_types(by_type, formats)?;
        }
        for (name, commands) in jobs {
            let name = key_text(name);
            if name != "build" {
                strings(&format!("build.jobs.{name}"), commands)?;
            }
        }
    }
    if let Yaml::Array(commands) = &build["commands"] {
        for command in commands {
            string("build.commands", command)?;
        }
    }
    if let Yaml::Hash(tools) = &build["tools"] {
        for (name, asked) in tools {
            let name = key_text(name);
            let known = table.tools.get(&name).into_iter().flat_map(|v| v.keys());
            choice(
                &format!("build.tools.{name}"),
                asked,
                known.map(String::as_str),
            )?;
        }
    }
    apt_packages(&build["apt_packages"])
}

/// `build.jobs.build`: a mapping of build types to commands, each type
/// other than HTML listed in `formats`.
fn build_types(by_type: &Yaml, formats: &[String]) -> Check<()> {
    const KEY: &str = "build.jobs.build";
    dict(KEY, by_type)?;
    for (kind, commands) in by_type.as_hash().into_iter().flatten() {
        let kind = choice(KEY, kind, BUILD_TYPES.iter().copied())?;
        if kind != "html" && !formats.contains(&kind) {
            return Err(refuse(
                KEY,
                format!(
                    "The `{kind}` build type was defined in `build.jobs.build`, but it wasn't included in `formats`. (config:build:jobs:build:missing-in-formats)"
                ),
            ));
        }
        strings(&format!("{KEY}.{kind}"), commands)?;
    }
    Ok(())
}

/// `build.apt_packages`: a list of package names that apt cannot take for
/// an option or a file.
fn apt_packages(value: &Yaml) -> Check<()> {
    if *value == Yaml::BadValue {
        return Ok(());
    }
    for (i, package) in list("build.apt_packages", value)?.iter().enumerate() {
        let key = format!("build.apt_packages.{i}");
        let package = string(&key, package)?.trim();
        let shown = crate::error::shown(package);
        if let Some(prefix) = ["-", "/", "."].iter().find(|p| package.starts_with(*p)) {
            return Err(refuse(
                &key,
                format!(
                    "The name of the packages (e.g. `{shown}`) can't start with `{prefix}` (config:apt:invalid-package-name-prefix)"
                ),
            ));
        }
        let mut chars = package.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c)) {
            return Err(refuse(
                &key,
                format!(
                    "The name of the package `{shown}` is invalid. (config:apt:invalid-package-name)"
                ),
            ));
        }
    }
    Ok(())
}

/// `validate_keys`: the first key the service does not read, in the
/// file's order, named by its path down the first keys below it.
fn unknown_key(doc: &Yaml) -> Check<()> {
    let mut path = Vec::new();
    for (key, value) in doc.as_hash().into_iter().flatten() {
        let name = key_text(key);
        if name == "build" {
            let extra = (value.as_hash().into_iter().flatten())
                .find(|(k, _)| !BUILD_KEYS.contains(&key_text(k).as_str()));
            if let Some((k, v)) = extra {
                path = vec![name, key_text(k)];
                first_keys(v, &mut path);
                break;
            }
        } else if !TOP_KEYS.contains(&name.as_str()) {
            path = vec![name];
            first_keys(value, &mut path);
            break;
        }
    }
    if path.is_empty() {
        return Ok(());
    }
    let key = path.join(".");
    Err(refuse(
        &key,
        format!(
            "Invalid configuration key: {key}. Make sure the key name `{key}` is correct. (config:base:invalid-key-name)"
        ),
    ))
}

/// The first keys down from `value`, as the service names an unknown key.
fn first_keys(mut value: &Yaml, path: &mut Vec<String>) {
    while let Some((k, v)) = value.as_hash().and_then(|h| h.front()) {
        path.push(key_text(k));
        value = v;
    }
}

/// A mapping's keys (none for anything else).
fn keys(value: &Yaml) -> impl Iterator<Item = &Yaml> {
    value.as_hash().into_iter().flat_map(|h| h.keys())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The refusal of `build:` + `text` (lines indented under it), as
    /// `(key, message)`; `None` when the service would accept it.
    fn refusal(top: &str, build: &str) -> Option<(String, String)> {
        let text = format!("version: 2\n{top}build:\n  os: ubuntu-22.04\n{build}");
        let doc = yaml_rust2::YamlLoader::load_from_str(&text)
            .unwrap()
            .remove(0);
        check(&doc, &Table::builtin())
            .err()
            .map(|r| (r.key, r.message))
    }

    /// `(top, build, key, message)`: what the service refuses, where, and
    /// its words; `TOOLS` in `build` stands for a valid `build.tools`.
    const REFUSED: &[(&str, &str, &str, &str)] = &[
        (
            "",
            "  commands: [make]\n  jobs:\n    post_install: [x]\n",
            "build.jobs",
            "The keys `build.jobs` and `build.commands` can't be used together. (config:build:jobs-and-commands)",
        ),
        (
            "",
            "  commands: [make]\n  conda:\n    environment: env.yml\n",
            "build.conda.environment",
            "Invalid configuration key: build.conda.environment. Make sure the key name `build.conda.environment` is correct. (config:base:invalid-key-name)",
        ),
        (
            "foo: 1\n",
            "  commands: [make]\n",
            "foo",
            "Invalid configuration key: foo.",
        ),
        (
            "",
            "  commands: [make]\n  jobs:\n    post_instal: [x]\n",
            "build.jobs",
            "Expected one of (pre_checkout, post_checkout,",
        ),
        (
            "",
            "  commands: [make]\n  jobs:\n",
            "build.jobs",
            "Expected a dictionary, got type `NoneType` (`None`). (config:validation:invalid-dict)",
        ),
        (
            "",
            "  commands: make html\n",
            "build.commands",
            "Expected a list, got type `str` (`make html`). (config:validation:invalid-list)",
        ),
        (
            "",
            "  commands: [1]\n",
            "build.commands",
            "Expected a string, got type `int` (`1`). (config:validation:invalid-string)",
        ),
        (
            "",
            "TOOLS  jobs:\n    pre_build: echo\n",
            "build.jobs.pre_build",
            "Expected a list",
        ),
        (
            "",
            "TOOLS  jobs:\n    build:\n      pdf: [make]\n",
            "build.jobs.build",
            "The `pdf` build type was defined in `build.jobs.build`, but it wasn't included in `formats`.",
        ),
        (
            "",
            "TOOLS  jobs:\n    build:\n      man: [make]\n",
            "build.jobs.build",
            "Expected one of (html, pdf, epub, htmlzip)",
        ),
        (
            "",
            "TOOLS  apt_packages: [\"-y\"]\n",
            "build.apt_packages.0",
            "The name of the packages (e.g. `-y`) can't start with `-`",
        ),
        (
            "",
            "TOOLS  apt_packages: [libxml2, \"a b\"]\n",
            "build.apt_packages.1",
            "The name of the package `a b` is invalid.",
        ),
        (
            "",
            "TOOLS  apt_packages: libxml2\n",
            "build.apt_packages",
            "Expected a list",
        ),
        (
            "formats: [docx]\n",
            "TOOLS",
            "formats",
            "Expected one of (htmlzip, pdf, epub)",
        ),
        (
            "",
            "  tools: \"\"\n",
            "build",
            "`build.tools` or `build.commands`",
        ),
    ];

    #[test]
    fn the_whole_build_mapping_is_checked_as_the_service_does() {
        let tools = "  tools:\n    python: \"3.12\"\n";
        for (top, build, key, message) in REFUSED {
            let got = refusal(top, &build.replace("TOOLS", tools));
            assert!(
                got.as_ref()
                    .is_some_and(|(k, m)| k == key && m.contains(message)),
                "{top}{build}: {got:?}"
            );
        }
    }

    #[test]
    fn what_the_service_accepts_passes() {
        let tools = "  tools:\n    python: \"3.12\"\n";
        let accepted = [
            (
                "",
                "  tools: \"\"\n  commands: [make]\n  jobs: {}\n".to_string(),
            ),
            (
                "formats: all\n",
                format!(
                    "{tools}  jobs:\n    post_install: [\"pip install .\"]\n    build:\n      html: [make]\n      pdf: [make pdf]\n"
                ),
            ),
            (
                "formats: [pdf]\nsphinx:\n  configuration: docs/conf.py\npython:\n  install:\n    - requirements: r.txt\n",
                format!("{tools}  apt_packages: [libxml2-dev, \" graphviz \"]\n"),
            ),
        ];
        for (top, build) in accepted {
            assert!(
                refusal(top, &build).is_none(),
                "{top}{build}: {:?}",
                refusal(top, &build)
            );
        }
    }
}
