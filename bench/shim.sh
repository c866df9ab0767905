#!/usr/bin/env bash
# Shim-path benchmark (DESIGN.md §3): a shim for a tiny compiled program versus
# running that program directly, with .tool-versions five folders up; plus
# `tool current` and `tool which` in the same setup.
# Budgets: shim overhead under 1 ms (median); current/which under 3 ms.
#   bench/shim.sh            (builds the release binary; needs gcc, hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hyperfine >/dev/null 2>&1; then
  echo "bench: installing hyperfine" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq hyperfine >/dev/null
fi
tool="$(scripts/build-release)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" ASDF_DATA_DIR="$work/data"
mkdir -p "$HOME" "$ASDF_DATA_DIR/installs/tiny/1.0/bin"
printf 'int main(void) { return 0; }\n' > "$work/tiny.c"
gcc -O2 -o "$ASDF_DATA_DIR/installs/tiny/1.0/bin/tiny" "$work/tiny.c"
"$tool" reshim
proj="$work/home/proj"
deep="$proj/a/b/c/d/e"
mkdir -p "$deep"
printf 'python 3.11.2\nnodejs 20.1.0\ntiny 1.0\n' > "$proj/.tool-versions"
cd "$deep"
export PATH="$ASDF_DATA_DIR/shims:/usr/bin:/bin"

out="${BENCH_OUT:-$work}"
mkdir -p "$out"
hyperfine -N --warmup 200 --runs "${RUNS:-2000}" --export-json "$out/shim.json" \
  -n direct "$ASDF_DATA_DIR/installs/tiny/1.0/bin/tiny" \
  -n shim "$ASDF_DATA_DIR/shims/tiny" \
  -n "tool current" "$tool current tiny" \
  -n "tool which" "$tool which tiny"

python3 - "$out/shim.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ms = lambda name: r[name]["median"] * 1000
over = ms("shim") - ms("direct")
print(f"\nshim overhead (median): {over:.3f} ms  (budget 1 ms)  {'OK' if over < 1 else 'OVER BUDGET'}")
for name in ("tool current", "tool which"):
    print(f"{name} (median): {ms(name):.3f} ms  (budget 3 ms)  {'OK' if ms(name) < 3 else 'OVER BUDGET'}")
PY
