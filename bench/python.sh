#!/usr/bin/env bash
# Source-build benchmark: `tool install python 3.11.2` from source against a
# bare `configure && make -j2 && make install` of the same tarball with the
# same options (target: tool's overhead within 3%), then the cache hit of the
# same version against the compile. Each compile takes minutes: RUNS=1 default.
#   bench/python.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null 2>&1 || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo;
  $sudo apt-get update -qq && $sudo apt-get install -y -qq hyperfine >/dev/null; }
mirror="$(scripts/setup-python-source)"
tool="$(scripts/build-release)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" TOOL_PYTHON_MIRROR="file://$mirror" TOOL_CACHE_URL="file://$work/bucket" ASDF_CONCURRENCY=2
mkdir -p "$HOME" "$work/bare-src"
tar -xzf "$mirror/3.11.2/Python-3.11.2.tgz" -C "$work/bare-src"
bare="$work/bare-src/Python-3.11.2"
out="${BENCH_OUT:-$work}"; mkdir -p "$out"

# Bare build first, tool second: tool's install survives for the cache step.
hyperfine --runs "${RUNS:-1}" --export-json "$out/python.json" \
  --prepare "rm -rf $work/bare-prefix; cd $bare && (make distclean >/dev/null 2>&1 || true)" \
  -n "bare configure+make+install" \
  "cd $bare && ./configure --prefix=$work/bare-prefix --enable-shared LDFLAGS=\"-Wl,-rpath,'\\\$\\\$ORIGIN/../lib'\" >/dev/null && make -j2 >/dev/null && make install >/dev/null && $work/bare-prefix/bin/python3 -m ensurepip --default-pip >/dev/null" \
  --prepare "rm -rf $work/d" \
  -n "tool install (source)" "ASDF_DATA_DIR=$work/d $tool install python 3.11.2 --backend source"

ASDF_DATA_DIR="$work/d" "$tool" cache push python 3.11.2 >/dev/null 2>&1
# The data dir's disk, not tool, dominates repeated 300 MB extractions on a
# VM (deleting the previous tree costs discards): the first run is the one
# a fresh machine sees.
hyperfine --runs 5 --export-json "$out/python-hit.json" --prepare "rm -rf $work/e" \
  -n "tool install (cache hit)" "ASDF_DATA_DIR=$work/e $tool install python 3.11.2"

python3 - "$out" <<'PY'
import json, os, sys
d = sys.argv[1]
r = {x["command"]: x["mean"] for f in ("python.json", "python-hit.json") for x in json.load(open(os.path.join(d, f)))["results"]}
t, b, h = r["tool install (source)"], r["bare configure+make+install"], r["tool install (cache hit)"]
print(f"\nsource build: tool {t:.1f} s vs bare {b:.1f} s: overhead {100 * (t - b) / b:+.1f}% (target <= 3%)")
first = json.load(open(os.path.join(d, "python-hit.json")))["results"][0]["times"][0]
print(f"cache hit: first run {first:.2f} s ({t / first:.0f}x faster than compiling), mean of 5 {h:.2f} s")
PY
