#!/usr/bin/env bash
# Install-sequence benchmarks (issue: installs):
#  1. `tool install` when everything in .tool-versions is installed, against
#     `cat .tool-versions` (budget: under 5 ms over it);
#  2. four tools installed concurrently, against the slowest one alone
#     (goal: about as long). Plugins are local shell plugins that sleep.
#   bench/install.sh      (builds the release binary; needs hyperfine, git)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hyperfine >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq hyperfine >/dev/null
fi
tool="$(scripts/build-release)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" ASDF_DATA_DIR="$work/data" PATH="$work/data/shims:/usr/bin:/bin"
mkdir -p "$HOME/proj"

make_plugin() { # name seconds
  local repo="$work/repos/$1"
  mkdir -p "$repo/bin"
  printf '#!/usr/bin/env bash\necho 1.0\n' > "$repo/bin/list-all"
  printf '#!/usr/bin/env bash\nsleep %s\nmkdir -p "$ASDF_INSTALL_PATH/bin"\nprintf "#!/bin/sh\\necho %s\\n" > "$ASDF_INSTALL_PATH/bin/%s"\nchmod +x "$ASDF_INSTALL_PATH/bin/%s"\n' \
    "$2" "$1" "$1" "$1" > "$repo/bin/install"
  chmod +x "$repo/bin/"*
  git -C "$repo" init -q && git -C "$repo" add -A \
    && git -C "$repo" -c user.name=b -c user.email=b@b commit -qm init
  "$tool" plugin add "$1" "file://$repo" 2>/dev/null
}
make_plugin fast 0.5; make_plugin medium 1.0; make_plugin slowish 1.5; make_plugin slowest 2.0
printf 'fast 1.0\nmedium 1.0\nslowish 1.0\nslowest 1.0\n' > "$HOME/proj/.tool-versions"
cd "$HOME/proj"
out="${BENCH_OUT:-$work}"; mkdir -p "$out"

hyperfine -N --warmup 3 --runs 10 --export-json "$out/install-concurrent.json" \
  --prepare "rm -rf $ASDF_DATA_DIR/installs" \
  -n "slowest alone" "$tool install slowest 1.0" \
  -n "four tools" "$tool install"

"$tool" install >/dev/null 2>&1
hyperfine -N --warmup 50 --runs 500 --export-json "$out/install-noop.json" \
  -n "cat .tool-versions" "cat .tool-versions" \
  -n "tool install (all installed)" "$tool install"

python3 - "$out" <<'PY'
import json, sys, os
d = sys.argv[1]
def med(f):
    return {r["command"]: r["median"] * 1000 for r in json.load(open(os.path.join(d, f)))["results"]}
c = med("install-concurrent.json"); n = med("install-noop.json")
print(f"\nfour tools concurrently: {c['four tools']:.0f} ms vs slowest alone {c['slowest alone']:.0f} ms"
      f" ({c['four tools']/c['slowest alone']:.2f}x)")
over = n["tool install (all installed)"] - n["cat .tool-versions"]
print(f"install with everything installed: {over:.2f} ms over cat (budget 5 ms) {'OK' if over < 5 else 'OVER BUDGET'}")
PY
