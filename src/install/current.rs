//! `tool current [tool]`: for each tool set here (or the one asked), the
//! versions set, where they are set and whether the first is installed —
//! asdf 0.16's rows, decided by the one "tools set here" rule installs use.

use crate::config::resolve::Selection;
use crate::context::Context;
use crate::error::Result;
use crate::installed::{self, Located};

/// One tool's row.
pub struct Current {
    pub name: String,
    /// `None` when no version of it is set here.
    pub set: Option<Set>,
}

/// The versions set for a tool.
pub struct Set {
    pub versions: Vec<String>,
    /// Where they are set (a file, a variable…).
    pub source: String,
    /// Whether the first one is installed.
    pub installed: bool,
}

/// The rows of `tool` (else of every tool set here, by name); `None` when no
/// tool is set and none is present (asdf's "No plugins installed").
pub fn current(ctx: &Context, tool: Option<&str>) -> Result<Option<Vec<Current>>> {
    let selections: Vec<(String, Option<Selection>)> = match tool {
        Some(t) => {
            let tools = ctx.tools();
            tools.require_known(t)?;
            vec![(t.to_string(), ctx.resolver(&tools).resolve(t)?)]
        }
        None => {
            let mut all = super::gather::set_here(ctx)?;
            all.sort_by(|a, b| a.0.cmp(&b.0));
            all
        }
    };
    if selections.is_empty() && ctx.tools().present().is_empty() {
        return Ok(None);
    }
    let rows = selections.into_iter().map(|(name, selection)| Current {
        set: selection.map(|sel| set_of(ctx, &name, &sel)),
        name,
    });
    Ok(Some(rows.collect()))
}

fn set_of(ctx: &Context, name: &str, sel: &Selection) -> Set {
    let base = sel.origin.base_dir(&ctx.env);
    let located =
        (sel.versions.first()).map(|first| installed::locate(&ctx.env, name, first, base));
    Set {
        versions: sel.versions.iter().map(ToString::to_string).collect(),
        source: sel.origin.describe(),
        installed: !matches!(located, None | Some(Located::Missing)),
    }
}
