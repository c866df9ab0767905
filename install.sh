#!/usr/bin/env bash
# Installs `tool`: builds the release binary and puts it in PREFIX/bin
# (default ~/.local/bin), with the shell integration in PREFIX/share/tool.
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
cp "$built" "$prefix/bin/.tool.new"
chmod 755 "$prefix/bin/.tool.new"
mv -f "$prefix/bin/.tool.new" "$prefix/bin/tool"
cp "$here"/shims/tool.bash "$here"/shims/tool.zsh "$here"/shims/tool.fish "$prefix/share/tool/"
if [ "$asdf_link" = yes ]; then
  ln -sfn tool "$prefix/bin/asdf"
fi

echo "installed $("$prefix/bin/tool" --version) to $prefix/bin/tool"
[ "$asdf_link" = yes ] && echo "linked $prefix/bin/asdf -> tool"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "note: $prefix/bin is not on PATH; add it in your shell profile" ;;
esac
echo "shell integration: . $prefix/share/tool/tool.bash   (or tool.zsh / tool.fish)"
