#!/usr/bin/env bash
# Source-build benchmark: `tool install python 3.11.2` from source against a
# bare `configure && make -j2 && make install` of the same tarball with the
# same options (target: tool's overhead within 3%), then the cache hit of the
# same version against the compile. Each compile takes about 4 minutes on two
# cores; RUNS pairs of them (default 1).
#   RUNS=3 bench/python.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null 2>&1 || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo;
  $sudo apt-get update -qq && $sudo apt-get install -y -qq hyperfine >/dev/null; }
mirror="$(scripts/setup-python-source)"
tool="$(scripts/build-release)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" TOOL_PYTHON_MIRROR="file://$mirror" TOOL_CACHE_URL="file://$work/bucket" ASDF_CONCURRENCY=2
mkdir -p "$HOME"
out="${BENCH_OUT:-$work}"; mkdir -p "$out"
tgz="$mirror/3.11.2/Python-3.11.2.tgz"

# Both start from the tarball. Runs alternate (bare, tool, bare, tool…) so a
# slow spell of the VM does not land on one side only. Wall time and the CPU
# time of every process involved (bash's `time` counts waited-for children).
# Leftovers of the previous run are removed before the clock starts; tool
# removes its own build folder, and that counts.
clean() { rm -rf "$work/bare-src" "$work/bare-prefix" "$work/d"; mkdir -p "$work/bare-src"; sync; }
bare_build() {
  tar -xzf "$tgz" -C "$work/bare-src"
  cd "$work/bare-src/Python-3.11.2"
  ./configure --prefix="$work/bare-prefix" --enable-shared LDFLAGS="-Wl,-rpath,'\$\$ORIGIN/../lib'" >/dev/null
  make -j2 >/dev/null 2>&1 && make install >/dev/null 2>&1
  "$work/bare-prefix/bin/python3" -m ensurepip --default-pip >/dev/null 2>&1
  cd - >/dev/null
}
tool_build() {
  ASDF_DATA_DIR="$work/d" "$tool" install python 3.11.2 --backend source >/dev/null 2>&1
}
TIMEFORMAT='%R %U %S'
: > "$out/python-times.txt"
for i in $(seq "${RUNS:-1}"); do
  for side in bare tool; do
    echo "bench: run $i, $side build..." >&2
    clean
    { time "${side}_build" ; } 2> "$work/t"
    echo "$side $(cat "$work/t")" | tee -a "$out/python-times.txt" >&2
  done
done

ASDF_DATA_DIR="$work/d" "$tool" cache push python 3.11.2 >/dev/null 2>&1
# The data dir's disk, not tool, dominates repeated 300 MB extractions on a
# VM (deleting the previous tree costs discards): the first run is the one
# a fresh machine sees.
hyperfine --runs 5 --export-json "$out/python-hit.json" --prepare "rm -rf $work/e" \
  -n "tool install (cache hit)" "ASDF_DATA_DIR=$work/e $tool install python 3.11.2"

python3 - "$out" <<'PY'
import json, os, statistics, sys
d = sys.argv[1]
runs = {"bare": [], "tool": []}
for line in open(os.path.join(d, "python-times.txt")):
    side, real, user, sys_ = line.split()
    runs[side].append((float(real), float(user) + float(sys_)))
for i, what in ((0, "wall"), (1, "cpu")):
    b = statistics.median(r[i] for r in runs["bare"])
    t = statistics.median(r[i] for r in runs["tool"])
    print(f"source build ({what}, median of {len(runs['tool'])}): tool {t:.1f} s vs bare {b:.1f} s: overhead {100 * (t - b) / b:+.1f}% (target <= 3%)")
hit = json.load(open(os.path.join(d, "python-hit.json")))["results"][0]
first, t = hit["times"][0], statistics.median(r[0] for r in runs["tool"])
print(f"cache hit: first run {first:.2f} s ({t / first:.0f}x faster than compiling), mean of 5 {hit['mean']:.2f} s")
PY
