//! The binary cache: the buckets to read (the local one under the data dir,
//! then `cache.urls`) and the one to write, archive keys for this machine,
//! and publishing (`publish`). Only here are buckets opened, with their
//! credentials; mirrors are opened by `remote::Client::open_mirror`.

pub mod listing;
pub mod publish;
pub mod record;
pub mod sign;
pub mod verify;

use crate::archive::Manifest;
use crate::archive::key::Template;
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::platform::Host;
use crate::remote::{self, Client, Remote};

/// The buckets and key rules of one cache operation.
pub struct Cache {
    pub client: Client,
    pub host: Host,
    pub template: Template,
    /// `cache.trusted_keys`: when any, only what they signed is installed.
    pub trusted: Vec<sign::PublicKey>,
}

impl Cache {
    pub fn new(settings: &Settings) -> Result<Cache> {
        Ok(Cache {
            client: Client::new()?,
            host: Host::detect(settings.values.os.as_deref()),
            template: settings.for_installs()?.cache.key_template.clone(),
            trusted: trusted_keys(settings)?,
        })
    }

    /// The key of `tool` `version` on this machine, without extension.
    pub fn key(&self, tool: &str, version: &str) -> String {
        self.template.render(&self.host, tool, version)
    }

    /// The buckets to read, in order: the local one, then `cache.urls`.
    pub fn buckets(&self, env: &Env, settings: &Settings) -> Result<Vec<Remote>> {
        let mut out = vec![self.local(env)?];
        for url in &settings.for_installs()?.cache.urls {
            out.push(open(&self.client, url, env, settings)?);
        }
        Ok(out)
    }

    /// The bucket `cache push` writes to: `explicit`, else the first
    /// configured writable one, else the local cache.
    pub fn for_writing(
        &self,
        env: &Env,
        settings: &Settings,
        explicit: Option<&str>,
    ) -> Result<Remote> {
        if let Some(url) = explicit {
            let bucket = open(&self.client, url, env, settings)?;
            if !bucket.writable() {
                return Err(remote::Error::ReadOnly(bucket.display().to_string()).into());
            }
            return Ok(bucket);
        }
        for url in &settings.for_installs()?.cache.urls {
            let bucket = open(&self.client, url, env, settings)?;
            if bucket.writable() {
                return Ok(bucket);
            }
        }
        self.local(env)
    }

    /// The bucket at `url`, for reading (verify) whatever it allows.
    pub fn open_url(&self, env: &Env, settings: &Settings, url: &str) -> Result<Remote> {
        open(&self.client, url, env, settings)
    }

    fn local(&self, env: &Env) -> Result<Remote> {
        let path = env.layout.data_dir().join("cache");
        let display = format!("{} (local cache)", path.display());
        Ok(self.client.folder(path, &display)?)
    }
}

/// `cache.trusted_keys` parsed; a key that does not parse is an error (a
/// typo must not turn signature checks off).
fn trusted_keys(settings: &Settings) -> Result<Vec<sign::PublicKey>> {
    let mut keys: Vec<sign::PublicKey> = Vec::new();
    for (i, text) in settings
        .for_installs()?
        .cache
        .trusted_keys
        .iter()
        .enumerate()
    {
        // Named by position and name only: a secret key pasted here by
        // mistake must not reach a log.
        let name = text.split(':').next().unwrap_or_default();
        let what = format!("key {} (`{name}`) of cache.trusted_keys", i + 1);
        let key = sign::PublicKey::parse(text).map_err(|why| Error::BadData {
            what: what.clone(),
            why: format!("cannot be used: {why}"),
        })?;
        if keys.iter().any(|k| k.name == key.name) {
            return Err(Error::BadData {
                what,
                why: "has the name of another trusted key: give each key its own name".into(),
            });
        }
        keys.push(key);
    }
    Ok(keys)
}

/// The key `cache.signing_key` names, when set.
pub fn signing_key(settings: &Settings) -> Result<Option<sign::SecretKey>> {
    let Some(path) = &settings.for_installs()?.cache.signing_key else {
        return Ok(None);
    };
    sign::SecretKey::read(path).map(Some)
}

/// Opens a bucket URL with the settings' retry, timeout and token, and the
/// environment's `AWS_*` variables: the only place credentials are handed out.
fn open(client: &Client, url: &str, env: &Env, settings: &Settings) -> Result<Remote> {
    let var = |name: &str| env.var(name);
    let installs = settings.for_installs()?;
    let creds = remote::Credentials {
        token: installs.cache.token.as_deref(),
        home: &env.home,
        var: &var,
    };
    Ok(client.open_bucket(url, &installs.transfer(env), &creds)?)
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
