//! The binary cache: the buckets to read (the local one under the data dir,
//! then `cache.urls`) and the one to write, archive keys for this machine,
//! and publishing (`publish`). Only here are buckets opened, with their
//! credentials; mirrors are opened by `remote::Client::open_mirror`.

pub mod adopt;
pub mod copy;
pub mod gc;
pub mod hit;
pub mod listing;
pub mod publish;
pub mod record;
pub mod rotate;
pub mod sign;
pub mod verify;

use crate::archive::Manifest;
use crate::archive::key::Template;
use crate::config::settings::InstallSettings;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::platform::Host;
use crate::remote::{self, Remote};

/// The buckets and key rules of one cache operation, over a command's context.
pub struct Cache<'a> {
    pub ctx: &'a Context,
    pub host: Host,
    pub template: Template,
    /// `cache.trusted_keys`: when any, only what they signed is installed;
    /// those `cache.revoked_keys` lists are kept, marked revoked, so that
    /// revoking every trusted key refuses everything rather than nothing.
    pub trusted: Vec<sign::PublicKey>,
}

impl<'a> Cache<'a> {
    pub fn new(ctx: &'a Context) -> Result<Cache<'a>> {
        Ok(Cache {
            ctx,
            host: Host::detect(ctx.settings.values.os.as_deref()),
            template: ctx.installs.cache.key_template.clone(),
            trusted: trusted_keys(&ctx.installs)?,
        })
    }

    /// The key of `tool` `version` on this machine, without extension.
    pub fn key(&self, tool: &str, version: &str) -> String {
        self.template.render(&self.host, tool, version)
    }

    /// The buckets to read, in order: the local one, then `cache.urls`.
    pub fn buckets(&self) -> Result<Vec<Remote>> {
        let mut out = vec![self.local()?];
        for url in &self.ctx.installs.cache.urls {
            out.push(self.open_url(url)?);
        }
        Ok(out)
    }

    /// The bucket `cache push` writes to: `explicit`, else the first
    /// configured writable one, else the local cache.
    pub fn for_writing(&self, explicit: Option<&str>) -> Result<Remote> {
        if let Some(url) = explicit {
            let bucket = self.open_url(url)?;
            if !bucket.writable() {
                return Err(remote::Error::ReadOnly(bucket.display().to_string()).into());
            }
            return Ok(bucket);
        }
        for url in &self.ctx.installs.cache.urls {
            let bucket = self.open_url(url)?;
            if bucket.writable() {
                return Ok(bucket);
            }
        }
        self.local()
    }

    /// Opens a bucket URL with the settings' retry, timeout and token, and
    /// the environment's `AWS_*` variables: the only place credentials are
    /// handed out.
    pub fn open_url(&self, url: &str) -> Result<Remote> {
        let env = &self.ctx.env;
        let var = |name: &str| env.var(name);
        let installs = &self.ctx.installs;
        let creds = remote::Credentials {
            token: installs.cache.token.as_deref(),
            home: &env.home,
            var: &var,
        };
        let client = self.ctx.client()?;
        Ok(client.open_bucket(url, &installs.transfer(env), &creds)?)
    }

    fn local(&self) -> Result<Remote> {
        let path = self.ctx.env.layout.data_dir().join("cache");
        let display = format!("{} (local cache)", path.display());
        Ok(self.ctx.client()?.folder(path, &display)?)
    }
}

/// A bucket or mirror URL as it may be shown: userinfo and query masked.
pub fn shown_url(url: &str) -> String {
    remote::redact(url)
}

/// `cache.trusted_keys` parsed, those `cache.revoked_keys` lists (the same
/// key, whatever its name) marked revoked; a key that does not parse is an
/// error (a typo must not turn signature checks off, nor a revocation).
fn trusted_keys(installs: &InstallSettings) -> Result<Vec<sign::PublicKey>> {
    let revoked = parse_keys(&installs.cache.revoked_keys, "cache.revoked_keys")?;
    let mut keys: Vec<sign::PublicKey> = Vec::new();
    let trusted = parse_keys(&installs.cache.trusted_keys, "cache.trusted_keys")?;
    for (i, mut key) in trusted.into_iter().enumerate() {
        if keys.iter().any(|k| k.name == key.name) {
            return Err(Error::BadData {
                what: format!("key {} (`{}`) of cache.trusted_keys", i + 1, key.name),
                why: "has the name of another trusted key: give each key its own name".into(),
            });
        }
        key.revoked = revoked.iter().any(|r| r.same_key(&key));
        keys.push(key);
    }
    Ok(keys)
}

/// The public keys of the setting `setting` (`texts`), each parsed.
fn parse_keys(texts: &[String], setting: &str) -> Result<Vec<sign::PublicKey>> {
    let mut keys = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        // Named by position and name only: a secret key pasted here by
        // mistake must not reach a log.
        let name = text.split(':').next().unwrap_or_default();
        let key = sign::PublicKey::parse(text).map_err(|why| Error::BadData {
            what: format!("key {} (`{name}`) of {setting}", i + 1),
            why: format!("cannot be used: {why}"),
        })?;
        keys.push(key);
    }
    Ok(keys)
}

/// The key `cache.signing_key` names, when set.
pub fn signing_key(installs: &InstallSettings) -> Result<Option<sign::SecretKey>> {
    let Some(path) = &installs.cache.signing_key else {
        return Ok(None);
    };
    sign::SecretKey::read(path).map(Some)
}

/// `<key>.manifest.json` from a bucket, when it has one.
pub fn manifest_beside(b: &Remote, key: &str) -> Result<Option<Manifest>> {
    let Some(bytes) = b.get_small(&format!("{key}.manifest.json"))? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::BadData {
            what: format!("the manifest {key}.manifest.json in {}", b.display()),
            why: format!("cannot be read: {e}"),
        })
}
