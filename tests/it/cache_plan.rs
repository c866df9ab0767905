//! `tool cache plan`: what a bucket lacks, per OS, as a GitHub Actions
//! matrix (`{"include": [...]}`), each entry one `cache build`.

use crate::harness::fakes::{fake_python, tool_with};
use crate::harness::readthedocs::service_version;
use crate::harness::{Sandbox, stdout, succeeds};

fn bucket(s: &Sandbox) -> Vec<(&'static str, String)> {
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))]
}

pub fn plan(s: &Sandbox, vars: &[(&str, String)], args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["cache", "plan"];
    all.extend_from_slice(args);
    let out = stdout(&mut tool_with(s, &s.data, vars, &all));
    let value: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    value["include"].as_array().unwrap().clone()
}

#[test]
fn a_plan_lists_what_the_bucket_lacks_on_each_os() {
    let s = Sandbox::new();
    let vars = bucket(&s);
    fake_python(&s.data, "3.9.6");
    succeeds(&mut tool_with(
        &s,
        &s.data,
        &vars,
        &["cache", "push", "python", "3.9.6"],
    ));
    let args = [
        "python", "3.9.6", "3.10.0", "--os", "testos", "--os", "otheros",
    ];
    let jobs = plan(&s, &vars, &args);
    let pairs: Vec<(String, String)> = jobs
        .iter()
        .map(|j| {
            (
                j["version"].as_str().unwrap().into(),
                j["os"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("3.10.0", "testos"),
        ("3.9.6", "otheros"),
        ("3.10.0", "otheros"),
    ];
    assert_eq!(
        pairs,
        want.map(|(v, o)| (v.to_string(), o.to_string())),
        "{jobs:?}"
    );
    assert_eq!(jobs[1]["key"], "otheros-python-3.9.6");
    assert_eq!(jobs[1]["run"], "tool cache build python 3.9.6");
}

#[test]
fn a_readthedocs_config_is_planned_for_its_build_os() {
    let s = Sandbox::new();
    let vars = bucket(&s);
    s.write(
        "proj/.readthedocs.yaml",
        "version: 2\nbuild:\n  os: ubuntu-22.04\n  tools:\n    python: \"3.12\"\n    nodejs: \"20\"\n",
    );
    let jobs = plan(&s, &vars, &["--config", ".readthedocs.yaml"]);
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    let python = jobs.iter().find(|j| j["tool"] == "python").unwrap();
    assert_eq!(
        python["version"],
        service_version("python", "3.12").as_str()
    );
    assert_eq!(python["os"], "ubuntu-22.04");
}

#[test]
fn the_whole_readthedocs_table_is_planned_without_the_tools_it_cannot_build() {
    let s = Sandbox::new();
    let vars = bucket(&s);
    let mut cmd = tool_with(
        &s,
        &s.data,
        &vars,
        &[
            "cache",
            "plan",
            "--readthedocs-table",
            "--os",
            "ubuntu-24.04",
        ],
    );
    let out = succeeds(&mut cmd);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let jobs = value["include"].as_array().unwrap();
    for tool in ["python", "nodejs", "rust", "golang"] {
        assert!(
            jobs.iter().any(|j| j["tool"] == tool),
            "no {tool} in {jobs:?}"
        );
    }
    let latest = service_version("python", "latest");
    assert!(
        jobs.iter()
            .any(|j| j["tool"] == "python" && j["version"] == latest.as_str())
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("builds missing"), "{err}");
}
