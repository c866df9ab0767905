//! Tar members as the archive means them, read with caps: GNU long names
//! and long links and PAX records are extension members whose data names
//! the next real member. The tar crate would read them whole, whatever
//! their size; here each is refused above a few KiB before a byte of it is
//! read, and PAX global headers (what `git archive` writes) are skipped.

use std::io::Read;
use std::path::PathBuf;

use tar::EntryType;

use crate::archive::error::{Error, Refusal, Result};

/// Long names and links: PATH_MAX and its NUL.
pub const MAX_LONG_NAME: u64 = 4097;
/// PAX records of one member (path, linkpath, times…).
pub const MAX_PAX: u64 = 16 << 10;

/// What extension members said about the next real member.
#[derive(Default)]
pub struct Pending {
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax_path: Option<Vec<u8>>,
    pax_link: Option<Vec<u8>>,
}

/// The effective names of one real member.
pub struct Names {
    pub path: PathBuf,
    pub link: Option<PathBuf>,
}

impl Pending {
    /// Consumes an extension member; `false` when `entry` is a real member.
    pub fn absorb(&mut self, entry: &mut tar::Entry<'_, impl Read>) -> Result<bool> {
        let kind = entry.header().entry_type();
        let slot = match kind {
            EntryType::GNULongName => &mut self.long_name,
            EntryType::GNULongLink => &mut self.long_link,
            EntryType::XHeader => {
                let data = read_capped(entry, MAX_PAX, "PAX header")?;
                for field in tar::PaxExtensions::new(&data) {
                    let field = field.map_err(Error::corrupt)?;
                    match field.key_bytes() {
                        b"path" => self.pax_path = Some(field.value_bytes().to_vec()),
                        b"linkpath" => self.pax_link = Some(field.value_bytes().to_vec()),
                        _ => {}
                    }
                }
                return Ok(true);
            }
            // Archive-wide comments (git archive's commit id): nothing to apply.
            EntryType::XGlobalHeader => return Ok(true),
            _ => return Ok(false),
        };
        let mut data = read_capped(entry, MAX_LONG_NAME, "long name")?;
        if data.last() == Some(&0) {
            data.pop();
        }
        *slot = Some(data);
        Ok(true)
    }

    /// The names of the real member `header` describes, and a clean slate
    /// for the next one.
    pub fn take(&mut self, header: &tar::Header) -> Result<Names> {
        let path = self
            .long_name
            .take()
            .or(self.pax_path.take())
            .unwrap_or_else(|| header.path_bytes().into_owned());
        let link = self
            .long_link
            .take()
            .or(self.pax_link.take())
            .or_else(|| header.link_name_bytes().map(|b| b.into_owned()));
        *self = Pending::default();
        Ok(Names {
            path: to_path(path)?,
            link: link.map(to_path).transpose()?,
        })
    }
}

/// The member's data, refused from its header's size alone when over `cap`.
fn read_capped(entry: &mut tar::Entry<'_, impl Read>, cap: u64, what: &str) -> Result<Vec<u8>> {
    let too_large = || Refusal::HeaderTooLarge {
        what: what.to_string(),
        limit: cap,
    };
    if entry.size() > cap {
        return Err(too_large().into());
    }
    let mut data = Vec::new();
    entry
        .take(cap + 1)
        .read_to_end(&mut data)
        .map_err(Error::corrupt)?;
    if data.len() as u64 > cap {
        return Err(too_large().into());
    }
    Ok(data)
}

fn to_path(bytes: Vec<u8>) -> Result<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    if bytes.contains(&0) {
        return Err(Refusal::Corrupt("a name holds a NUL byte".into()).into());
    }
    Ok(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}
