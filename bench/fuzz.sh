#!/usr/bin/env bash
# Fuzzing (issues 13 and 30): runs cargo-fuzz targets in fuzz/ one after the
# other, niced, as the unprivileged user `nobody` when run as root, each for
# SECONDS (default 60) or until FUZZ_RUNS executions (when set), whichever
# comes first; a run stopped by a finding (crash, out of memory, timeout) is
# restarted on the same corpus until the budget is spent (at most 10
# findings a target). Corpora start from seeds made by bench/fuzz-seeds.py
# out of the test suite's inputs; no corpus is committed. Prints executions,
# seconds and findings per target; findings stay in fuzz/artifacts/.
#   bench/fuzz.sh [SECONDS] [TARGET…]     (needs rustup's nightly; installs cargo-fuzz)
#   FUZZ_RUNS=10000000 bench/fuzz.sh 7200 readthedocs
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(publish_record lockfile readthedocs settings_files \
  archive_unpack tool_versions version_order settings)

rustup toolchain list | grep -q '^nightly' || { echo "bench/fuzz.sh: needs a nightly toolchain (rustup toolchain install nightly)" >&2; exit 1; }
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --quiet
# No sanitizer: the targets look for panics and bounds in safe code, and run
# several times faster without ASan's allocator.
nice -n 19 cargo +nightly fuzz build -O -s none >/dev/null
host="$(rustc -vV | sed -n 's/^host: //p')"
here="$PWD"
bin="$here/fuzz/target/$host/release"

mkdir -p fuzz/corpus fuzz/artifacts
python3 bench/fuzz-seeds.py fuzz/corpus "${targets[@]}"
chmod -R a+rwX fuzz/corpus fuzz/artifacts

run_as=()
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
  run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
printf '%-16s %12s %8s %9s  %s\n' target executions seconds exec/s findings
for t in "${targets[@]}"; do
  scratch="$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)"; chmod 1777 "$scratch"
  total=0; found=(); start=$SECONDS
  while :; do
    left=$(( seconds - (SECONDS - start) ))
    [ "$left" -gt 0 ] && [ ${#found[@]} -lt 10 ] || break
    runs=()
    if [ -n "${FUZZ_RUNS:-}" ]; then
      [ "$total" -lt "$FUZZ_RUNS" ] || break
      runs=(-runs=$(( FUZZ_RUNS - total )))
    fi
    before="$(ls fuzz/artifacts)"
    log="$scratch/log"
    (cd "$scratch" && nice -n 19 "${run_as[@]}" env -i PATH=/usr/bin:/bin HOME="$scratch" TMPDIR="$scratch" \
        "$bin/$t" "$here/fuzz/corpus/$t" -artifact_prefix="$here/fuzz/artifacts/$t-" \
        -max_total_time="$left" "${runs[@]}" -rss_limit_mb=2048 -timeout=30 -max_len=8192 \
        -print_final_stats=1) >"$log" 2>&1 || true
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$n" ] || n=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    total=$(( total + ${n:-0} ))
    new=$(comm -13 <(echo "$before") <(ls fuzz/artifacts) | grep "^$t-" || true)
    [ -n "$new" ] || break   # the budget ran out without a finding
    for a in $new; do
      found+=("$a")
      echo "  $t: fuzz/artifacts/$a" >&2
      grep -m3 -E 'panicked|ERROR|out-of-memory|timeout' "$log" | sed 's/^/    /' >&2 || true
    done
  done
  took=$(( SECONDS - start ))
  rm -rf "$scratch"
  printf '%-16s %12s %8s %9s  %s\n' "$t" "$total" "$took" "$(( total / (took > 0 ? took : 1) ))" "${#found[@]}${found[*]:+ (${found[*]})}"
done
