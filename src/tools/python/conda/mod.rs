//! The conda distributions Read the Docs offers as Python versions
//! (`miniconda3-*`, `mambaforge-*`, `miniforge3-*`): their official
//! installers per architecture (`table`: generated data, then
//! `python.conda_installers`), and the install itself (`install`): the
//! verified installer run non-interactively into the final folder, since a
//! conda prefix writes its own path into its files.

pub mod install;
pub mod table;

/// The names of the conda distributions, as pyenv and Read the Docs
/// spell them.
const FLAVOURS: &[&str] = &["miniconda3-", "mambaforge", "miniforge3-"];

/// Whether a Python version names a conda distribution.
pub fn is_conda(version: &str) -> bool {
    FLAVOURS.iter().any(|f| version.starts_with(f))
}

#[cfg(test)]
mod tests {
    #[test]
    fn conda_names_are_told_from_cpython_versions() {
        for v in [
            "miniforge3-26.3.2-3",
            "mambaforge-4.10.3-10",
            "miniconda3-4.7.12",
        ] {
            assert!(super::is_conda(v), "{v}");
        }
        for v in ["3.11.2", "pypy3.10-7.3.12", "anaconda3-2024.02-1"] {
            assert!(!super::is_conda(v), "{v}");
        }
    }
}
