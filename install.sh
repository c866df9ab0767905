#!/usr/bin/env bash
# Installs `tool`: builds the release binaries and puts `tool` and `tool-shim`
# (the small binary shims start) in PREFIX/bin (default ~/.local/bin), with the
# shell integration in PREFIX/share/tool. Existing shims are refreshed.
#   ./install.sh [--prefix DIR] [--asdf]
#   --asdf   also create PREFIX/bin/asdf -> tool, for drop-in use by asdf scripts
# Safe to run again: it replaces the binary atomically, so shims running
# meanwhile keep working.
set -euo pipefail

prefix="${HOME}/.local"
asdf_link=no
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a folder}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --asdf) asdf_link=yes; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v cargo >/dev/null 2>&1; then
  echo "install.sh: cargo is needed to build tool; install Rust from your package manager or rustup" >&2
  exit 1
fi

built="$("$here/scripts/build-release")"

mkdir -p "$prefix/bin" "$prefix/share/tool"
# Copy beside the target, then rename: never a half-written binary on PATH.
# tool-shim first, so the new tool finds it when it writes shims.
for name in tool-shim tool; do
  cp "$(dirname "$built")/$name" "$prefix/bin/.$name.new"
  chmod 755 "$prefix/bin/.$name.new"
  mv -f "$prefix/bin/.$name.new" "$prefix/bin/$name"
done
cp "$here"/shims/tool.bash "$here"/shims/tool.zsh "$here"/shims/tool.fish "$prefix/share/tool/"
if [ "$asdf_link" = yes ]; then
  ln -sfn tool "$prefix/bin/asdf"
fi

echo "installed $("$prefix/bin/tool" --version) to $prefix/bin/tool"
# Shims name the binary that starts them: point existing ones at this install.
data_dir="${ASDF_DATA_DIR:-$HOME/.asdf}"
if [ -d "$data_dir/shims" ]; then
  "$prefix/bin/tool" reshim >/dev/null 2>&1 \
    || echo "note: could not refresh the shims in $data_dir; run \`tool reshim\`"
fi
[ "$asdf_link" = yes ] && echo "linked $prefix/bin/asdf -> tool"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "note: $prefix/bin is not on PATH; add it in your shell profile" ;;
esac
echo "shell integration: . $prefix/share/tool/tool.bash   (or tool.zsh / tool.fish)"
