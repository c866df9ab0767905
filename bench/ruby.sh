#!/usr/bin/env bash
# Ruby source-build benchmark: `tool install ruby 3.1.2` from source against
# a bare `configure && make -j2 && make install` of the same tarball with
# the same options (target: tool's overhead within 3%), then the cache hit
# of that build from a local S3 server against `curl | zstd -d | tar -x`
# (bench/cache.sh with ARTIFACT; target <= 1.0x). The tarball is Debian's
# repack of 3.1.2 (scripts/setup-ruby-source), named in a release table of
# our own. Each compile takes about 6 minutes on two cores; RUNS pairs of
# them (default 1); CACHE_RUNS runs of the cache hit (default 10).
#   RUNS=1 CACHE_RUNS=10 bench/ruby.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mirror="$(scripts/setup-ruby-source)"
tool="$(scripts/build-release)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
txz="$mirror/3.1/ruby-3.1.2.tar.xz"
printf '[versions]\n"3.1.2" = { xz = "%s" }\n' "$(sha256sum "$txz" | cut -d' ' -f1)" > "$work/releases.toml"
real_home="$HOME"
export HOME="$work/home" TOOL_RUBY_MIRROR="file://$mirror" TOOL_RUBY_RELEASES="$work/releases.toml" ASDF_CONCURRENCY=2
mkdir -p "$HOME"
out="${BENCH_OUT:-$work}"; mkdir -p "$out"

# As bench/python.sh: alternating runs, both from the tarball, wall and CPU
# time of every process (bash's `time` counts waited-for children).
clean() { rm -rf "$work/bare-src" "$work/bare-prefix" "$work/d"; mkdir -p "$work/bare-src"; sync; }
bare_build() {
  tar -xJf "$txz" -C "$work/bare-src"
  cd "$work/bare-src/ruby-3.1.2"
  ./configure --prefix="$work/bare-prefix" --enable-shared --enable-load-relative \
    --disable-install-doc --with-ext=openssl,psych,+ >/dev/null
  make -j2 >/dev/null 2>&1 && make install >/dev/null 2>&1
  "$work/bare-prefix/bin/ruby" -ropenssl -rpsych -rzlib -rfiddle -rreadline -e 1
  cd - >/dev/null
}
tool_build() {
  ASDF_DATA_DIR="$work/d" "$tool" install ruby 3.1.2 --backend source >/dev/null 2>&1
}
TIMEFORMAT='%R %U %S'
: > "$out/ruby-times.txt"
for i in $(seq "${RUNS:-1}"); do
  for side in bare tool; do
    echo "bench: run $i, $side build..." >&2
    clean
    { time "${side}_build" ; } 2> "$work/t"
    echo "$side $(cat "$work/t")" | tee -a "$out/ruby-times.txt" >&2
  done
done

python3 - "$out" <<'PY'
import os, statistics, sys
runs = {"bare": [], "tool": []}
for line in open(os.path.join(sys.argv[1], "ruby-times.txt")):
    side, real, user, sys_ = line.split()
    runs[side].append((float(real), float(user) + float(sys_)))
for i, what in ((0, "wall"), (1, "cpu")):
    b = statistics.median(r[i] for r in runs["bare"])
    t = statistics.median(r[i] for r in runs["tool"])
    print(f"ruby source build ({what}, median of {len(runs['tool'])}): tool {t:.1f} s vs bare {b:.1f} s: overhead {100 * (t - b) / b:+.1f}% (target <= 3%)")
PY
echo "ruby cache hit, the build above from a local S3 server:"
HOME="$real_home" RUNS="${CACHE_RUNS:-10}" ARTIFACT="$work/d/installs/ruby/3.1.2" ARTIFACT_TOOL=ruby BENCH_OUT="$out" bench/cache.sh
