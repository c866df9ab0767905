//! `cache plan`: which builds a bucket still lacks, for a CI matrix. Takes
//! tools and versions (arguments, `.tool-versions` or `.readthedocs.yaml`
//! files, or the whole Read the Docs table) and OS names, asks the bucket
//! for each key whether `tool install` would take it from there (the rules
//! of `cache::hit`), and returns what would not, each with why: one `cache
//! build` each (or `cache adopt` for an archive that only lacks a
//! signature), which N runners can run at once (the first publisher of a
//! key wins).

use std::path::Path;

use super::gather;
use crate::cache::Cache;
use crate::cache::hit::{self, Miss};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::platform::Host;
use crate::version::VersionSpec;

/// What `cache plan` was asked for.
#[derive(Debug, Default)]
pub struct Asked {
    /// A tool and its versions.
    pub tool: Option<String>,
    pub versions: Vec<String>,
    /// `.tool-versions` or `.readthedocs.yaml` files.
    pub configs: Vec<std::path::PathBuf>,
    /// Every version of Read the Docs' `build.tools` table.
    pub readthedocs_table: bool,
    /// OS names (default: the configs' `build.os`, else this machine's).
    pub oses: Vec<String>,
    /// The bucket to ask (default: the first writable configured one).
    pub bucket: Option<String>,
}

/// A plan: what is missing, how many are present, on which OSes, and the
/// table names no built-in tool installs (left out).
#[derive(Debug)]
pub struct Planned {
    pub missing: Vec<Missing>,
    pub present: usize,
    pub oses: Vec<String>,
    pub left_out: Vec<String>,
}

/// `cache plan`: gathers what `asked` names and plans it.
pub fn command(ctx: &Context, asked: Asked) -> Result<Planned> {
    for os in &asked.oses {
        crate::platform::check_os(os).map_err(|why| Error::Invalid {
            what: "--os value",
            value: os.clone(),
            why,
        })?;
    }
    let mut wanted: Vec<Wanted> = Vec::new();
    if let Some(tool) = &asked.tool {
        ctx.tools().require_known(tool)?;
        wanted.extend(asked.versions.iter().map(|v| Wanted {
            tool: tool.clone(),
            version: v.clone(),
        }));
    }
    let mut config_oses = Vec::new();
    for file in &asked.configs {
        let (found, os) = from_file(ctx, file)?;
        wanted.extend(found);
        config_oses.extend(os);
    }
    let mut left_out = Vec::new();
    if asked.readthedocs_table {
        let (found, unknown) = from_readthedocs_table(ctx);
        wanted.extend(found);
        left_out = unknown;
    }
    if wanted.is_empty() {
        return Err(Error::Usage(
            "nothing to plan: give a tool and versions, --config FILE or --readthedocs-table"
                .into(),
        ));
    }
    let mut oses = match (asked.oses.is_empty(), config_oses.is_empty()) {
        (false, _) => asked.oses,
        (true, false) => config_oses,
        (true, true) => vec![Cache::new(ctx)?.host.os],
    };
    // The same OS from several configs is one job, in the order first named.
    let mut named = std::collections::BTreeSet::new();
    oses.retain(|os| named.insert(os.clone()));
    let (missing, present) = plan(ctx, &wanted, &oses, asked.bucket.as_deref())?;
    Ok(Planned {
        missing,
        present,
        oses,
        left_out,
    })
}

/// One build to plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub tool: String,
    pub version: String,
}

/// A build the bucket lacks, in the shape of a GitHub Actions
/// `strategy.matrix.include` entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Missing {
    pub tool: String,
    pub version: String,
    pub os: String,
    pub key: String,
    /// Why it is listed: `missing`, `unsigned`, `other-platform`,
    /// `no-checksum`, `unusable` (`hit::Miss::reason`).
    pub reason: &'static str,
    /// The sentence behind `reason`, when there is more to say.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub why: String,
    /// What the job runs (on a runner of `os`).
    pub run: String,
}

/// What a runner does about `miss`: build it, or adopt an archive of the
/// layout before records that lacks only a signature.
fn remedy(miss: &Miss, w: &Wanted, record_there: bool) -> String {
    let (tool, version) = (&w.tool, &w.version);
    match miss {
        Miss::Unsigned(_) if !record_there => format!("tool cache adopt {tool} {version}"),
        Miss::Unsigned(_) => format!("tool cache sign {tool} {version}"),
        Miss::Missing => format!("tool cache build {tool} {version}"),
        _ => format!("tool cache build {tool} {version} --replace"),
    }
}

/// The versions a version file sets: `.readthedocs.yaml` (its `build.tools`,
/// mapped as the service maps them, and its `build.os`) or `.tool-versions`
/// (each tool's first version).
pub fn from_file(ctx: &Context, file: &Path) -> Result<(Vec<Wanted>, Option<String>)> {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        let (requests, os) = gather::from_build_config(ctx, file)?;
        return Ok((requests.into_iter().filter_map(literal).collect(), os));
    }
    let path = crate::env::absolute(&ctx.env.cwd, file);
    let Some(tv) = crate::config::tool_versions::ToolVersions::load(&path)? else {
        return Err(Error::io(
            "cannot read",
            &path,
            std::io::ErrorKind::NotFound.into(),
        ));
    };
    let wanted = tv.entries().filter_map(|e| {
        let VersionSpec::Version(v) = e.versions.first()? else {
            return None;
        };
        Some(Wanted {
            tool: e.tool.clone(),
            version: v.clone(),
        })
    });
    Ok((wanted.collect(), None))
}

fn literal(r: super::Request) -> Option<Wanted> {
    match r.spec {
        VersionSpec::Version(version) => Some(Wanted {
            tool: r.tool,
            version,
        }),
        _ => None,
    }
}

/// Every version in the Read the Docs table of a tool this build knows;
/// the names it cannot install are returned apart.
pub fn from_readthedocs_table(ctx: &Context) -> (Vec<Wanted>, Vec<String>) {
    use crate::config::ToolInfo;
    let shipped = crate::config::readthedocs::Table::builtin();
    let table = ctx.readthedocs.as_ref().unwrap_or(&shipped);
    let tools = ctx.tools();
    let (mut wanted, mut unknown) = (Vec::new(), Vec::new());
    for (name, versions) in &table.tools {
        let Some(tool) = tools.for_readthedocs(name) else {
            unknown.push(name.clone());
            continue;
        };
        for full in versions.values() {
            let w = Wanted {
                tool: tool.clone(),
                version: full.clone(),
            };
            if !wanted.contains(&w) {
                wanted.push(w);
            }
        }
    }
    (wanted, unknown)
}

/// What `bucket` (`None`: the first writable configured one) lacks of
/// `wanted` on each of `oses` — what an install there would not take from
/// it; with how many it has.
pub fn plan(
    ctx: &Context,
    wanted: &[Wanted],
    oses: &[String],
    bucket: Option<&str>,
) -> Result<(Vec<Missing>, usize)> {
    let cache = Cache::new(ctx)?;
    let target = cache.for_writing(bucket)?;
    let (mut missing, mut present) = (Vec::new(), 0);
    for os in oses {
        let host = Host {
            os: os.clone(),
            ..cache.host.clone()
        };
        for w in wanted {
            let key = cache.template.render(&host, &w.tool, &w.version);
            let rules = hit::Rules {
                host: &host,
                ..hit::Rules::of(&cache, &w.tool, &w.version)
            };
            let miss = match hit::probe(&rules, &target, &key)? {
                Ok(_) => {
                    present += 1;
                    continue;
                }
                Err(miss) => miss,
            };
            let record_there = matches!(miss, Miss::Unsigned(_))
                && target.exists(&format!("{key}{}", crate::cache::record::SUFFIX))?;
            missing.push(Missing {
                run: remedy(&miss, w, record_there),
                reason: miss.reason(),
                why: miss.why().to_string(),
                tool: w.tool.clone(),
                version: w.version.clone(),
                os: os.clone(),
                key,
            });
        }
    }
    Ok((missing, present))
}
