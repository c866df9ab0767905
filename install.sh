#!/usr/bin/env bash
# Installs `tool`, `tool-shim` (the small program shims start) and
# `tool-shim-full` (what it hands the less common runs to) in
# PREFIX/bin (default ~/.local/bin), with the shell integration in
# PREFIX/share/tool. From an unpacked release archive it installs the
# binaries beside it (no cargo needed); from a source checkout it builds them.
#   ./install.sh [--prefix DIR] [--data-dir DIR] [--asdf]
#   --data-dir DIR  create the data dir (e.g. /home/docs/.asdf in an image); nothing else is written there
#   --asdf          also create PREFIX/bin/asdf -> tool, for drop-in use by asdf scripts
# Safe to run again: it replaces the binary atomically, so shims running
# meanwhile keep working; existing shims are pointed at the new binary.
set -euo pipefail

prefix="${HOME:-/root}/.local"
asdf_link=no
data_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a folder}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --data-dir) data_dir="${2:?--data-dir needs a folder}"; shift 2 ;;
    --data-dir=*) data_dir="${1#--data-dir=}"; shift ;;
    --asdf) asdf_link=yes; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
if [ -x "$here/tool" ] && [ -x "$here/tool-shim" ] && [ -x "$here/tool-shim-full" ]; then
  bin_dir="$here"                       # an unpacked release archive
elif [ -f "$here/Cargo.toml" ]; then
  if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo is needed to build tool from source; install Rust from your package manager or rustup, or use a release archive" >&2
    exit 1
  fi
  # The build's own error (on stderr) is the one to see: stop right there.
  built="$("$here/scripts/build-release")" || {
    echo "install.sh: building tool failed (the build's error is above)" >&2
    exit 1
  }
  bin_dir="$(dirname "$built")"
else
  echo "install.sh: no tool binaries beside this script and no source to build them from" >&2
  exit 1
fi

mkdir -p "$prefix/bin" "$prefix/share/tool"
# Copy beside the target, then rename: never a half-written binary on PATH.
# tool-shim-full first, then tool-shim (which hands runs to it), then tool,
# so the new tool finds both when it writes shims.
for name in tool-shim-full tool-shim tool; do
  cp "$bin_dir/$name" "$prefix/bin/.$name.new"
  chmod 755 "$prefix/bin/.$name.new"
  mv -f "$prefix/bin/.$name.new" "$prefix/bin/$name"
done
cp "$here"/shims/tool.bash "$here"/shims/tool.zsh "$here"/shims/tool.fish "$prefix/share/tool/"
chmod 644 "$prefix/share/tool/"tool.*
if [ "$asdf_link" = yes ]; then
  ln -sfn tool "$prefix/bin/asdf"
fi
echo "installed $("$prefix/bin/tool" --version) to $prefix/bin/tool"
[ "$asdf_link" = yes ] && echo "linked $prefix/bin/asdf -> tool"

if [ -n "$data_dir" ]; then
  mkdir -p "$data_dir"
  echo "data dir: $data_dir (set ASDF_DATA_DIR=$data_dir for its users)"
fi
# Shims name the binary that starts them: point existing ones at this install.
existing="${data_dir:-${ASDF_DATA_DIR:-${HOME:-/root}/.asdf}}"
if [ -d "$existing/shims" ]; then
  ASDF_DATA_DIR="$existing" "$prefix/bin/tool" reshim >/dev/null 2>&1 \
    || echo "note: could not refresh the shims in $existing; run \`tool reshim\`"
fi
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "note: $prefix/bin is not on PATH; add it in your shell profile" ;;
esac
echo "shell integration: . $prefix/share/tool/tool.bash   (or tool.zsh / tool.fish)"
