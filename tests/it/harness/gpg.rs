//! A gpg home with a signing key made in it, as publishers make theirs: for
//! the signatures the tests need by keys other than the dists' own.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use super::{Sandbox, succeeds};

/// A gpg home with one signing key for `name`, made at `faked` (a gpg
/// `--faked-system-time` value) when given.
pub struct Gpg {
    home: PathBuf,
}

impl Gpg {
    pub fn new(s: &Sandbox, name: &str) -> Gpg {
        let home = s.root.join(format!("gnupg-{name}"));
        std::fs::create_dir_all(&home).unwrap();
        std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        Gpg { home }
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        succeeds(
            StdCommand::new("gpg")
                .env("GNUPGHOME", &self.home)
                .args(["--batch", "-q", "--passphrase", ""])
                .args(args),
        )
    }

    pub fn key(self, uid: &str, faked: Option<&str>) -> Gpg {
        let mut args = vec![];
        let time;
        if let Some(t) = faked {
            time = format!("--faked-system-time={t}");
            args.push(time.as_str());
        }
        args.extend(["--quick-gen-key", uid, "rsa2048", "sign", "never"]);
        self.run(&args);
        self
    }

    pub fn public(&self, dest: &Path) -> PathBuf {
        let out = self.run(&["--armor", "--export"]);
        std::fs::write(dest, out.stdout).unwrap();
        dest.to_path_buf()
    }

    pub fn fingerprint(&self) -> String {
        let out = String::from_utf8(self.run(&["--with-colons", "--list-keys"]).stdout).unwrap();
        out.lines()
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .unwrap()
            .to_string()
    }

    pub fn sign(&self, file: &Path, signature: &Path, faked: Option<&str>) {
        let _ = std::fs::remove_file(signature);
        let mut args = vec![];
        let time;
        if let Some(t) = faked {
            time = format!("--faked-system-time={t}");
            args.push(time.as_str());
        }
        let (file, signature) = (file.to_str().unwrap(), signature.to_str().unwrap());
        args.extend(["--armor", "--detach-sign", "--output", signature, file]);
        self.run(&args);
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = StdCommand::new("gpgconf")
            .env("GNUPGHOME", &self.home)
            .args(["--kill", "gpg-agent"])
            .status();
    }
}

/// The primary key's fingerprint of an armored key file, as gpg reads it.
pub fn fingerprint_of(keys: &Path) -> String {
    let shown = succeeds(
        StdCommand::new("gpg")
            .args(["--batch", "--with-colons", "--show-keys"])
            .arg(keys),
    );
    let listing = String::from_utf8(shown.stdout).unwrap();
    let fpr = listing.lines().find(|l| l.starts_with("fpr:")).unwrap();
    fpr.split(':').nth(9).unwrap().to_string()
}
