//! The Ruby build: `configure --prefix=<final path> --enable-shared
//! --enable-load-relative` (libruby found through an `$ORIGIN` run path,
//! load paths and the `gem`/`bundle` scripts' `ruby` found from where they
//! sit), `make -j N`, `make install` through DESTDIR into the staging
//! folder, a `require` of the extensions a complete Ruby has, then
//! `~/.default-gems`. Every command's output goes to the build log.

use std::process::Command;

use super::{default_gems, deps};
use crate::compile::target::{Target, words};
use crate::error::{Error, Result};

pub struct Build<'a> {
    pub target: Target<'a>,
}

/// Requires each extension in one run; prints those that fail to load.
const REQUIRE_CHECK: &str =
    "ARGV.each { |name| begin; require name; rescue LoadError; puts name; end }";

/// Prints every installed gem as `name-version`.
const GEM_LIST: &str = "Gem::Specification.each { |s| puts s.full_name }";

impl Build<'_> {
    /// Runs the whole build; returns the configure options used.
    pub fn run(&self) -> Result<Vec<String>> {
        let t = &self.target;
        let options = self.configure_options();
        t.configure_make_install(&options)?;
        self.check_extensions()?;
        self.default_gems();
        t.relocate_to_final()?;
        let gems = self.ruby_lines(&["-e", GEM_LIST])?;
        t.write_manifest(&options, gems)?;
        Ok(options)
    }

    /// configure's arguments, as ruby-build gives them (`--with-ext` makes
    /// a build without openssl or psych fail), plus relocatability and no
    /// documentation; then `RUBY_CONFIGURE_OPTS` and `CONFIGURE_OPTS`.
    fn configure_options(&self) -> Vec<String> {
        let env = self.target.env;
        let mut options = vec![
            format!("--prefix={}", self.target.final_path.display()),
            "--enable-shared".into(),
            "--enable-load-relative".into(),
            "--disable-install-doc".into(),
            "--with-ext=openssl,psych,+".into(),
        ];
        if let Some(cflags) = env.var("RUBY_CFLAGS").filter(|c| !c.trim().is_empty()) {
            options.push(format!("CFLAGS={cflags}"));
        }
        options.extend(words(env, "RUBY_CONFIGURE_OPTS"));
        options.extend(words(env, "CONFIGURE_OPTS"));
        options
    }

    /// The new Ruby, run from the staging folder (load-relative: it finds
    /// its library and load paths there), without the caller's `RUBYOPT`.
    fn ruby(&self) -> Command {
        let mut cmd = Command::new(self.target.dest.join("bin/ruby"));
        cmd.env_remove("RUBYOPT")
            .env_remove("RUBYLIB")
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// The lines the new Ruby prints for `args`; an error when it fails.
    fn ruby_lines(&self, args: &[&str]) -> Result<Vec<String>> {
        let ruby = self.target.dest.join("bin/ruby");
        let out = self
            .ruby()
            .args(args)
            .output()
            .map_err(|e| Error::io("cannot run", &ruby, e))?;
        if !out.status.success() {
            return Err(Error::Failed {
                what: format!("the new Ruby {}", ruby.display()),
                status: Error::status_text(out.status),
                detail: String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
            });
        }
        let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        lines.sort();
        lines.dedup();
        Ok(lines)
    }

    /// A Ruby that cannot load openssl, psych, zlib, fiddle (or readline)
    /// is not kept.
    fn check_extensions(&self) -> Result<()> {
        let wanted = deps::extensions(self.target.version);
        self.target
            .task
            .step(&format!("checking {}", wanted.join(", ")));
        let mut args = vec!["-e", REQUIRE_CHECK];
        args.extend(&wanted);
        let missing = self.ruby_lines(&args)?;
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::hinted(
            format!(
                "Ruby {} was built without {}: install their -dev packages and build again",
                self.target.version,
                missing.join(", ")
            ),
            format!("the build log says why: {}", self.target.log.display()),
        ))
    }

    /// `~/.default-gems`, each gem on its own; a failure is a warning.
    fn default_gems(&self) {
        let t = &self.target;
        for gem in default_gems::read(t.env) {
            let mut cmd = default_gems::command(t.dest, &gem);
            let what = format!("gem install {} {}", gem.name, gem.args.join(" "));
            if let Err(e) = t.run(what.trim_end(), &mut cmd) {
                t.task.warn(&format!("default gem {}: {e}", gem.name));
            }
        }
    }
}
