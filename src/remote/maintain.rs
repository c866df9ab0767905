//! What a bucket's upkeep needs besides reads and writes: a deep listing
//! (every object under the prefix, bounded), an object's age (`head`), and
//! deletes — plain, or only of the copy that was read (`delete_if`).

use futures::TryStreamExt;
use object_store::ObjectStoreExt;

use super::error::{Error, Op, Result};
use super::{Object, Remote, Version};

/// The most objects a deep listing holds: past it the listing is refused
/// rather than grown without bound.
pub const DEEP_LIMIT: usize = 1_000_000;

/// What `delete_if` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    /// The object is no longer the copy read: left as it is.
    Changed,
    /// Nothing was there.
    Missing,
}

impl Remote {
    /// Every object under `folder` (`""`: the whole prefix), at any depth,
    /// sorted by key; refused past `DEEP_LIMIT` objects.
    pub fn list_deep(&self, folder: &str) -> Result<Vec<Object>> {
        self.reachable(Op::List, "objects")?;
        let at = match (self.prefix_path(), folder.trim_matches('/')) {
            (prefix, "") => prefix,
            (_, folder) => Some(self.path(folder)),
        };
        let listing = async {
            let mut stream = self.opened.store.list(at.as_ref());
            let mut metas = Vec::new();
            while let Some(meta) = stream.try_next().await? {
                if metas.len() >= DEEP_LIMIT {
                    return Ok(None);
                }
                metas.push(meta);
            }
            Ok(Some(metas))
        };
        let listed = (self.wait(Op::List, "objects", listing)?)
            .map_err(|e| self.error(Op::List, "objects", e))?;
        let Some(metas) = listed else {
            return Err(Error::TooLarge {
                key: "its listing".into(),
                remote: self.opened.display.clone(),
                limit: DEEP_LIMIT as u64,
            });
        };
        let mut out: Vec<Object> = metas.iter().filter_map(|m| self.object_of(m)).collect();
        out.sort();
        Ok(out)
    }

    /// What a listing says of `key` (its size and last write); `None` when
    /// it does not exist.
    pub fn head(&self, key: &str) -> Result<Option<Object>> {
        self.reachable(Op::Check, key)?;
        let path = self.path(key);
        match self.wait(Op::Check, key, self.opened.store.head(&path))? {
            Ok(meta) => Ok(self.object_of(&meta)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(Op::Check, key, e)),
        }
    }

    /// Deletes `key` (nothing there is no error).
    pub fn delete(&self, key: &str) -> Result<()> {
        if !self.writable() {
            return Err(Error::ReadOnly(self.opened.display.clone()));
        }
        self.reachable(Op::Delete, key)?;
        match self.wait(Op::Delete, key, self.opened.store.delete(&self.path(key)))? {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error(Op::Delete, key, e)),
        }
    }

    /// Deletes `key` only while it is still the copy `version` names (its
    /// ETag and version as read): the object store offers no conditional
    /// DELETE, so the copy is looked at (HEAD) right before the DELETE.
    pub fn delete_if(&self, key: &str, version: &Version) -> Result<Deleted> {
        self.reachable(Op::Check, key)?;
        let path = self.path(key);
        let head = self.opened.store.head(&path);
        let meta = match self.wait(Op::Check, key, head)? {
            Ok(meta) => meta,
            Err(object_store::Error::NotFound { .. }) => return Ok(Deleted::Missing),
            Err(e) => return Err(self.error(Op::Check, key, e)),
        };
        let read = &version.0;
        if meta.e_tag != read.e_tag || meta.version != read.version {
            return Ok(Deleted::Changed);
        }
        self.delete(key)?;
        Ok(Deleted::Deleted)
    }
}
