//! Ruby from source: the release table (`releases`, ruby-lang.org's
//! sha256 plus `ruby.releases`), the source archive and its mirrors
//! (`source`), build dependencies (`deps`), the relocatable
//! configure/make/install build (`build`) and `~/.default-gems`
//! (`default_gems`).

pub mod build;
pub mod default_gems;
pub mod deps;
pub mod releases;
pub mod source;
