//! YAML values as the service's Python code sees them: truthiness, type
//! names, how a value prints in a message, and its generic refusals (a
//! value that is not a dictionary, a list, a string, or one of a set of
//! choices: `readthedocs/config/validation.py`), in its words and codes.

use yaml_rust2::Yaml;

/// A refusal: the dotted key it concerns (for the line) and the message.
pub struct Refusal {
    pub key: String,
    pub message: String,
}

pub type Check<T> = Result<T, Refusal>;

pub fn refuse(key: &str, message: String) -> Refusal {
    Refusal {
        key: key.to_string(),
        message,
    }
}

/// Python's `bool(value)`; an absent key is `None`.
pub fn truthy(value: &Yaml) -> bool {
    match value {
        Yaml::Null | Yaml::BadValue => false,
        Yaml::Boolean(b) => *b,
        Yaml::Integer(i) => *i != 0,
        Yaml::Real(r) => !r.parse::<f64>().is_ok_and(|f| f == 0.0),
        Yaml::String(s) => !s.is_empty(),
        Yaml::Array(a) => !a.is_empty(),
        Yaml::Hash(h) => !h.is_empty(),
        Yaml::Alias(_) => true,
    }
}

/// `validate_dict`.
pub fn dict(key: &str, value: &Yaml) -> Check<()> {
    match value {
        Yaml::Hash(_) => Ok(()),
        _ => Err(expected(key, "a dictionary", value, "invalid-dict")),
    }
}

/// `validate_list`: only a list passes (a string, a mapping, a number or
/// nothing do not). Returns its items.
pub fn list<'a>(key: &str, value: &'a Yaml) -> Check<&'a [Yaml]> {
    match value {
        Yaml::Array(items) => Ok(items),
        _ => Err(expected(key, "a list", value, "invalid-list")),
    }
}

/// `validate_string`.
pub fn string<'a>(key: &str, value: &'a Yaml) -> Check<&'a str> {
    match value {
        Yaml::String(s) => Ok(s),
        _ => Err(expected(key, "a string", value, "invalid-string")),
    }
}

/// A list of strings (`build.commands`, each job's commands).
pub fn strings(key: &str, value: &Yaml) -> Check<()> {
    for item in list(key, value)? {
        string(key, item)?;
    }
    Ok(())
}

fn expected(key: &str, what: &str, value: &Yaml, code: &str) -> Refusal {
    refuse(
        key,
        format!(
            "Config validation error in `{key}`. Expected {what}, got type `{}` (`{}`). (config:validation:{code})",
            type_name(value),
            shown(value)
        ),
    )
}

/// `validate_choice`: `value` is one of `choices` (a string among strings;
/// a YAML number never is one). Returns the string.
pub fn choice<'a>(
    key: &str,
    value: &Yaml,
    choices: impl Iterator<Item = &'a str>,
) -> Check<String> {
    let choices: Vec<&str> = choices.collect();
    match value {
        Yaml::String(s) if choices.contains(&s.as_str()) => Ok(s.clone()),
        _ => Err(refuse(
            key,
            format!(
                "Config validation error in `{key}`. Expected one of ({}), got type `{}` (`{}`). Double check the type of the value. A string may be required (e.g. `\"3.10\"` instead of `3.10`) (config:validation:invalid-choice)",
                choices.join(", "),
                type_name(value),
                shown(value)
            ),
        )),
    }
}

/// A key the service looked for and did not find (`value`: the first
/// missing part of its path).
pub fn not_found(key: &str, value: &str) -> Refusal {
    refuse(
        key,
        format!(
            "Config validation error in `{key}`. Value `{value}` not found. (config:validation:value-not-found)"
        ),
    )
}

/// The value as the service's message prints it (Python's `str`: YAML
/// `3.10` is the float `3.1`, a list `['a', 1]`), at most 80 characters.
pub fn shown(value: &Yaml) -> String {
    let mut out = String::new();
    match value {
        Yaml::String(s) => out.push_str(s),
        _ => repr(value, &mut out),
    }
    crate::error::shown(&out).into_owned()
}

/// Python's `repr`, stopped once it is longer than any message shows.
fn repr(value: &Yaml, out: &mut String) {
    const ENOUGH: usize = 200;
    if out.len() > ENOUGH {
        return;
    }
    match value {
        Yaml::String(s) if s.contains('\'') && !s.contains('"') => {
            out.push('"');
            out.push_str(&s.replace('\\', "\\\\"));
            out.push('"');
        }
        Yaml::String(s) => {
            out.push('\'');
            out.push_str(&s.replace('\\', "\\\\").replace('\'', "\\'"));
            out.push('\'');
        }
        Yaml::Integer(i) => out.push_str(&i.to_string()),
        Yaml::Real(r) => out.push_str(&match r.parse::<f64>() {
            Ok(f) if f.fract() == 0.0 && f.is_finite() => format!("{f:.1}"),
            Ok(f) => f.to_string(),
            Err(_) => r.clone(),
        }),
        Yaml::Boolean(b) => out.push_str(if *b { "True" } else { "False" }),
        Yaml::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if out.len() > ENOUGH {
                    break;
                }
                out.push_str(if i > 0 { ", " } else { "" });
                repr(item, out);
            }
            out.push(']');
        }
        Yaml::Hash(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if out.len() > ENOUGH {
                    break;
                }
                out.push_str(if i > 0 { ", " } else { "" });
                repr(k, out);
                out.push_str(": ");
                repr(v, out);
            }
            out.push('}');
        }
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => out.push_str("None"),
    }
}

/// Python's name for the value's type, as the service's message gives it.
pub fn type_name(value: &Yaml) -> &'static str {
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

/// A mapping key as text (the service's keys are strings; a number is
/// shown as written).
pub fn key_text(key: &Yaml) -> String {
    match key {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        other => shown(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_python_prints_them() {
        let doc = yaml_rust2::YamlLoader::load_from_str(
            "a: [python, 3.10, 2, true, null]\nb: {os: 'it''s'}\nc: 3.10\n",
        )
        .unwrap()
        .remove(0);
        assert_eq!(shown(&doc["a"]), "['python', 3.1, 2, True, None]");
        assert_eq!(shown(&doc["b"]), r#"{'os': "it's"}"#);
        assert_eq!(shown(&doc["c"]), "3.1");
        assert!(!truthy(&doc["missing"]) && truthy(&doc["a"]));
        let long = Yaml::Array(vec![Yaml::String("x".repeat(50)); 1000]);
        assert!(shown(&long).chars().count() < 120);
    }
}
