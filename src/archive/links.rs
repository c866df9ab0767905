//! The rule every symlink of an install obeys, for the extractor and the
//! packer alike: its text, made relative where it names the install by an
//! absolute path, must stay inside the install as written. (Whether it
//! still does once every link exists is checked on disk by each.)

use std::path::{Component, Path, PathBuf};

/// The text a symlink at `path` (relative to the install) gets for the
/// `target` it was made with, or `None` when that leads outside. An
/// absolute target inside one of `prefixes` (the absolute paths the install
/// is known by: its build prefix, its final folder) becomes the equivalent
/// relative text, which still holds after a move.
pub fn link_text(path: &Path, target: &Path, prefixes: &[&Path]) -> Option<PathBuf> {
    let text = match target.is_absolute() {
        true => relative_to_link(path, target, prefixes)?,
        false => target.to_path_buf(),
    };
    let mut depth: i64 = path.components().count() as i64 - 1;
    let inside = text.components().all(|c| {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        depth >= 0
    });
    inside.then_some(text)
}

/// `target`, inside one of `prefixes`, as a path relative to the folder of
/// the link at `path`.
fn relative_to_link(path: &Path, target: &Path, prefixes: &[&Path]) -> Option<PathBuf> {
    let rest = prefixes
        .iter()
        .filter(|p| !p.as_os_str().is_empty())
        .find_map(|p| target.strip_prefix(p).ok())?;
    let up = path.components().count().saturating_sub(1);
    let mut relative: PathBuf = std::iter::repeat_n(Component::ParentDir, up).collect();
    relative.push(rest);
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    Some(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_stay_inside_or_are_refused() {
        let prefix = [Path::new("/p/3.9.6")];
        let text =
            |path: &str, target: &str| link_text(Path::new(path), Path::new(target), &prefix);
        assert_eq!(text("lib/a", "/p/3.9.6/bin/x"), Some("../bin/x".into()));
        assert_eq!(text("root", "/p/3.9.6"), Some(".".into()));
        assert_eq!(text("lib/a", "../bin/x"), Some("../bin/x".into()));
        assert_eq!(text("lib/a", "../../x"), None);
        assert_eq!(text("a", "/etc/passwd"), None);
        assert_eq!(text("a", "/p/3.9.6x/bin"), None);
    }
}
