//! CPython from source: the release table (`releases`), fetching and
//! verifying the source archive from a mirror (`source`) against its
//! release managers' signature (`signers`), checking build
//! dependencies (`deps`), and the configure/make/install/ensurepip build
//! (`build`).

pub mod build;
pub mod deps;
pub mod releases;
pub mod signers;
pub mod source;
