#!/usr/bin/env bash
# Fuzzing (issue 13): runs every cargo-fuzz target in fuzz/ for SECONDS each
# (default 60) as the unprivileged user `nobody`, and prints executions and
# crashes per target. The archive target's corpus is seeded with link-chain
# archives that escaped before extraction was sandboxed.
#   bench/fuzz.sh [SECONDS] [TARGET…]     (needs rustup's nightly; installs cargo-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(archive_unpack tool_versions version_order settings)

rustup toolchain list | grep -q '^nightly' || { echo "bench/fuzz.sh: needs a nightly toolchain (rustup toolchain install nightly)" >&2; exit 1; }
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --quiet
cargo +nightly fuzz build -O "${targets[@]/#/}" >/dev/null 2>&1 || cargo +nightly fuzz build -O
host="$(rustc -vV | sed -n 's/^host: //p')"
bin="fuzz/target/$host/release"

mkdir -p fuzz/corpus fuzz/artifacts
seed_archives() {
  python3 - "$1" <<'PY'
import io, sys, tarfile
out = sys.argv[1]
def archive(name, members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for path, kind, target, data in members:
            info = tarfile.TarInfo(path)
            info.type = {"file": tarfile.REGTYPE, "link": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE, "dir": tarfile.DIRTYPE}[kind]
            info.linkname = target
            info.size = len(data)
            info.mode = 0o755
            t.addfile(info, io.BytesIO(data) if data else None)
    open(f"{out}/{name}", "wb").write(buf.getvalue())
f = ("1.0/bin/python", "file", "", b"#!/bin/sh\n")
archive("plain", [("1.0/", "dir", "", b""), f, ("1.0/bin/python3", "link", "python", b"")])
archive("chain-root", [f, ("1.0/b", "link", ".", b""), ("1.0/root", "link", "b/b/b/../..", b""), ("1.0/root/x", "file", "", b"x")])
archive("chain-up", [f, ("1.0/s/up", "link", "..", b""), ("1.0/s/up/up2", "link", "..", b""), ("1.0/s/up/up2/X", "link", ".", b"")])
archive("hardlink-through", [f, ("1.0/d", "link", "..", b""), ("1.0/d/h", "hard", "1.0/bin/python", b"")])
archive("long-name", [f, ("1.0/" + "n" * 300, "file", "", b"long")])
PY
}
for t in "${targets[@]}"; do mkdir -p "fuzz/corpus/$t"; done
[ -e fuzz/corpus/archive_unpack/plain ] || seed_archives fuzz/corpus/archive_unpack
chmod -R a+rwX fuzz/corpus fuzz/artifacts

run_as=()
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
  run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
printf '%-16s %14s %8s\n' target executions crashes
for t in "${targets[@]}"; do
  log="$(mktemp)"
  before=$(ls fuzz/artifacts | wc -l)
  (cd /tmp && "${run_as[@]}" env TMPDIR=/tmp "$OLDPWD/$bin/$t" "$OLDPWD/fuzz/corpus/$t" \
      -artifact_prefix="$OLDPWD/fuzz/artifacts/$t-" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -print_final_stats=1) >"$log" 2>&1 || true
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(( $(ls fuzz/artifacts | wc -l) - before ))
  printf '%-16s %14s %8s\n' "$t" "${runs:-?}" "$crashes"
  [ "$crashes" -eq 0 ] || grep -m5 -E 'panicked|ERROR|assert' "$log" || true
  rm -f "$log"
done
