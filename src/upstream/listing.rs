//! Release lists from upstream, kept under `tmp/release-lists/` and used for
//! `upstream.list_ttl`; when the upstream cannot be reached, the last copy,
//! however old, so `list all` and `latest` work offline.

use std::path::PathBuf;
use std::time::SystemTime;

use crate::context::Context;
use crate::env::Env;
use crate::error::{Error, Result};

/// The largest release list read (go.dev's full list is a few MB).
const LIMIT: u64 = 64 << 20;

fn cache_file(env: &Env, url: &str) -> PathBuf {
    use sha2::Digest;
    let name = hex::encode(&sha2::Sha256::digest(url.as_bytes())[..12]);
    env.layout.release_list(&name)
}

/// `(folder URL, object key)`: the key is the last path segment and the query.
pub fn split(url: &str) -> (&str, &str) {
    let path_end = url.find('?').unwrap_or(url.len());
    match url[..path_end].rfind('/') {
        Some(slash) => (&url[..slash], &url[slash + 1..]),
        None => (url, ""),
    }
}

/// The list at `url`: the kept copy while fresh, else downloaded (and kept),
/// else the kept copy when the download fails.
pub fn document(ctx: &Context, url: &str) -> Result<Vec<u8>> {
    let file = cache_file(&ctx.env, url);
    let ttl = ctx.installs.upstream.list_ttl;
    let age = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok());
    if age.is_some_and(|a| a <= ttl)
        && let Ok(bytes) = std::fs::read(&file)
    {
        return Ok(bytes);
    }
    match download(ctx, url) {
        Ok(bytes) => {
            if let Some(dir) = file.parent()
                && std::fs::create_dir_all(dir).is_ok()
            {
                let _ = crate::fs::write_atomic(&file, &bytes, None);
            }
            Ok(bytes)
        }
        Err(e) => std::fs::read(&file).map_err(|_| e),
    }
}

fn download(ctx: &Context, url: &str) -> Result<Vec<u8>> {
    let client = ctx.client()?;
    let with_query = url.contains('?') && url.starts_with("http");
    let found = if with_query {
        client.get_url(url, LIMIT)?
    } else {
        let (base, key) = split(url);
        let remote = super::open_mirror(ctx, base)?;
        remote.get_limited(key, LIMIT)?
    };
    match found {
        Some(bytes) => Ok(bytes.to_vec()),
        None => Err(Error::NoVersion {
            what: "no release list".into(),
            why: vec![format!("{} does not exist", crate::remote::redact(url))],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_a_list_url_into_folder_and_key() {
        assert_eq!(
            split("https://go.dev/dl/?mode=json&include=all"),
            ("https://go.dev/dl", "?mode=json&include=all")
        );
        assert_eq!(
            split("file:///m/node/index.json"),
            ("file:///m/node", "index.json")
        );
    }
}
