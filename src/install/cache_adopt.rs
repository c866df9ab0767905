//! `cache adopt [tool [version]]` as one call: finds the keys of the layout
//! before records in the bucket (`--bucket`, else the first writable one)
//! that the key template reads as a known tool's — every tool's, one
//! tool's, or one version's — and adopts each in turn (`cache::adopt`).

use crate::archive::Format;
use crate::cache::adopt::{self, Adopted, Candidate, How};
use crate::cache::{Cache, record};
use crate::context::Context;
use crate::error::Result;
use crate::platform::Host;
use crate::process::Cancel;
use crate::remote::Remote;

/// What `cache adopt` was asked for.
#[derive(Debug, Default)]
pub struct Asked {
    pub tool: Option<String>,
    pub version: Option<String>,
    pub bucket: Option<String>,
    pub dry_run: bool,
    /// Reports as JSON lines: no progress lines.
    pub json: bool,
}

/// Adopts what `asked` names, handing each key's report to `each` as it
/// comes; whether none was refused.
pub fn command(ctx: &Context, asked: &Asked, mut each: impl FnMut(&Adopted)) -> Result<bool> {
    let tools: Vec<String> = match &asked.tool {
        Some(tool) => {
            ctx.tools().require_known(tool)?;
            vec![tool.clone()]
        }
        None => {
            let mut all: Vec<String> = crate::tools::builtins().map(|b| b.name().into()).collect();
            all.extend(ctx.tools().present());
            all.sort();
            all.dedup();
            all
        }
    };
    let cache = Cache::new(ctx)?;
    let signer = crate::cache::signing_key(&ctx.installs)?;
    let cancel = Cancel::on_signals();
    let bucket = cache.for_writing(asked.bucket.as_deref())?;
    let bucket = bucket.stopping_on(cancel.shared());
    let found = candidates(&cache, &bucket, &tools, asked.version.as_deref())?;
    let how = How {
        signer: signer.as_ref(),
        dry_run: asked.dry_run,
        cancel: &cancel,
        gc_grace: ctx.installs.cache.gc_grace,
    };
    let progress = crate::progress::Progress::new(!asked.json);
    let mut all_good = true;
    for c in &found {
        let task = progress.task(format!("{} {}", c.tool, c.version));
        let adopted = adopt::adopt(&cache, &bucket, c, &how, &task)?;
        task.finish(&format!("{:?}", adopted.outcome).to_lowercase());
        all_good &= adopted.outcome != adopt::Outcome::Refused;
        each(&adopted);
    }
    Ok(all_good)
}

/// The keys of the layout before records in `bucket` that are archives of
/// one of `tools` (of `version`, when given), with the formats each has.
pub fn candidates(
    cache: &Cache,
    bucket: &Remote,
    tools: &[String],
    version: Option<&str>,
) -> Result<Vec<Candidate>> {
    let mut found: std::collections::BTreeMap<String, Candidate> = Default::default();
    for object in bucket.list_deep("")? {
        let Some(format) = Format::of_name(&object.key) else {
            continue;
        };
        if object.key.starts_with("sha256/") || object.key.ends_with(record::SUFFIX) {
            continue;
        }
        let key = object.key[..object.key.len() - format.extension().len()].to_string();
        let read = tools.iter().find_map(|t| {
            let fields = cache.template.fields_of(t, &object.key)?;
            Some((t, fields))
        });
        let Some((tool, fields)) = read else {
            continue;
        };
        if version.is_some_and(|v| v != fields.version) {
            continue;
        }
        if let Some(c) = found.get_mut(&key) {
            c.formats.push(format);
            continue;
        }
        let candidate = Candidate {
            key: key.clone(),
            tool: tool.clone(),
            version: fields.version,
            host: Host {
                os: fields.os.unwrap_or_else(|| cache.host.os.clone()),
                arch: fields.arch.unwrap_or_else(|| cache.host.arch.clone()),
                libc: fields
                    .libc
                    .unwrap_or_else(|| any_version_of(&cache.host.libc)),
            },
            formats: vec![format],
        };
        found.insert(key, candidate);
    }
    let mut found: Vec<Candidate> = found.into_values().collect();
    for c in &mut found {
        // In the order installs try them.
        c.formats
            .sort_by_key(|f| Format::ALL.iter().position(|a| a == f));
    }
    Ok(found)
}

/// `glibc-2.35` → `glibc-0`: a build of that libc whatever its version (a
/// key's `{os}` already says which); another libc as it is.
fn any_version_of(libc: &str) -> String {
    match libc.starts_with("glibc-") {
        true => "glibc-0".into(),
        false => libc.to_string(),
    }
}
