//! What Read the Docs rejects in a `.readthedocs.yaml` before it installs
//! any tool (`readthedocs/config/config.py`): a `version` other than 2, a
//! missing or unknown `build.os`, `build.tools` that is not a mapping of
//! known tools to versions written as strings (YAML `3.10` is the float
//! 3.1), and a build with neither `build.tools` nor `build.commands`. Each
//! refusal says what the service says, with its error code.

use yaml_rust2::Yaml;

use super::Table;

/// A refusal: the key it concerns (for the line) and the message.
pub struct Refusal {
    pub key: String,
    pub message: String,
}

fn refuse(key: &str, message: String) -> Refusal {
    Refusal {
        key: key.to_string(),
        message,
    }
}

/// Checks `doc` as the service does, in its order.
pub fn check(doc: &Yaml, table: &Table) -> Result<(), Refusal> {
    if !matches!(doc, Yaml::Hash(_)) {
        let why = "Read the Docs expects a mapping at the top (config:base:invalid-syntax)";
        return Err(refuse("version", why.to_string()));
    }
    version(&doc["version"])?;
    let build = &doc["build"];
    if !matches!(build, Yaml::Hash(_) | Yaml::BadValue) {
        let why = "build must be a mapping (config:validation:invalid-dict)";
        return Err(refuse("build", why.to_string()));
    }
    choice("build.os", &build["os"], table.os.keys())?;
    let tools = &build["tools"];
    match tools {
        Yaml::Hash(entries) => {
            for (name, asked) in entries {
                let known = table.tools.keys();
                let name = choice("build.tools", name, known)?;
                let key = format!("build.tools.{name}");
                choice(&key, asked, table.tools[&name].keys())?;
            }
        }
        Yaml::BadValue | Yaml::Null => {}
        _ => {
            let why = "build.tools must be a mapping of tools to versions (config:validation:invalid-dict)";
            return Err(refuse("tools", why.to_string()));
        }
    }
    let has_tools = matches!(tools, Yaml::Hash(t) if !t.is_empty());
    if !has_tools && matches!(build["commands"], Yaml::BadValue | Yaml::Null) {
        let why = "At least one of the following configuration options is required: `build.tools` or `build.commands` (config:build:missing-build-tools-commands)";
        return Err(refuse("build", why.to_string()));
    }
    Ok(())
}

/// `version`: absent (2), or 2 (`2`, `"2"`, `2.0`), as the service's
/// `version not in (2, "2")` lets through.
fn version(value: &Yaml) -> Result<(), Refusal> {
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
                shown(value)
            ),
        )),
    }
}

/// A value that must be one of `choices`, compared as the service does: a
/// string among strings (a YAML number is never one). Returns the string.
fn choice<'a>(
    key: &str,
    value: &Yaml,
    choices: impl Iterator<Item = &'a String>,
) -> Result<String, Refusal> {
    let choices: Vec<&String> = choices.collect();
    match value {
        Yaml::String(s) if choices.contains(&s) => Ok(s.clone()),
        Yaml::BadValue => Err(refuse(
            key,
            format!(
                "Value `{}` not found (config:validation:value-not-found)",
                last(key)
            ),
        )),
        _ => {
            let listed: Vec<&str> = choices.iter().map(|c| c.as_str()).collect();
            Err(refuse(
                key,
                format!(
                    "Config validation error in `{key}`. Expected one of ({}), got type `{}` (`{}`). Double check the type of the value. A string may be required (e.g. `\"3.10\"` instead of `3.10`) (config:validation:invalid-choice)",
                    listed.join(", "),
                    type_name(value),
                    shown(value)
                ),
            ))
        }
    }
}

fn last(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// The value as Python prints it (YAML `3.10` is the float `3.1`), at most
/// its first 80 characters.
fn shown(value: &Yaml) -> String {
    match value {
        Yaml::String(s) => crate::error::shown(s).into_owned(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Real(r) => match r.parse::<f64>() {
            Ok(f) if f.fract() == 0.0 => format!("{f:.1}"),
            Ok(f) => f.to_string(),
            Err(_) => crate::error::shown(r).into_owned(),
        },
        Yaml::Boolean(b) => if *b { "True" } else { "False" }.to_string(),
        Yaml::Null | Yaml::BadValue => "None".to_string(),
        _ => "…".to_string(),
    }
}

/// Python's name for the value's type, as the service's message gives it.
fn type_name(value: &Yaml) -> &'static str {
    match value {
        Yaml::String(_) => "str",
        Yaml::Integer(_) => "int",
        Yaml::Real(_) => "float",
        Yaml::Boolean(_) => "bool",
        Yaml::Array(_) => "list",
        Yaml::Hash(_) => "dict",
        _ => "NoneType",
    }
}
