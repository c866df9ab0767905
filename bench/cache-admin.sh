#!/usr/bin/env bash
# Figures for running a fleet's bucket (issue 33) against a local S3 server
# (s3s-fs, signed requests, its request log counted by method):
#   - `cache adopt` of N archives (default 50) of a few MB each in the
#     build service's layout (<os>-python-<v>.tar.gz + .sha256), signed:
#     time, and requests per key;
#   - `cache gc --delete` over about 1,000 objects (the adopted bucket plus
#     old archives no record names): time, and requests.
#   bench/cache-admin.sh              (a release build: scripts/build-release)
#   TOOL=target/debug/tool N=50 bench/cache-admin.sh
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-test-deps >/dev/null
tool="${TOOL:-$(scripts/build-release)}"
tool="$(realpath "$tool")"
s3s="$(command -v s3s-fs || echo "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs")"
n="${N:-50}"

work="$(mktemp -d)"
cleanup() { [ -n "${s3pid:-}" ] && kill "$s3pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export HOME="$work/home" ASDF_DATA_DIR="$work/data" TOOL_OS=ubuntu-22.04
bucket="$work/s3/builds"
mkdir -p "$HOME" "$bucket"

# N archives as the service makes them: a few MB that do not compress.
for i in $(seq 1 "$n"); do
  v="3.$((i / 10)).$((i % 10))"
  stage="$work/stage/$v"
  mkdir -p "$stage/bin" "$stage/lib"
  printf '#!/bin/sh\n# built at /home/docs/.asdf/installs/python/%s\n' "$v" >"$stage/bin/python"
  chmod +x "$stage/bin/python"
  head -c $((2000000 + i * 40000)) /dev/urandom >"$stage/lib/libpython.so"
  name="ubuntu-22.04-python-$v.tar.gz"
  tar -czf "$bucket/$name" -C "$work/stage" "$v"
  (cd "$bucket" && sha256sum "$name" >"$name.sha256")
  rm -rf "$stage"
done
mb=$(du -sm "$bucket" | cut -f1)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log="$work/s3.log"
RUST_LOG=s3s::service=debug "$s3s" --host 127.0.0.1 --port "$port" \
  --access-key bench --secret-key benchsecret "$work/s3" >"$log" 2>&1 &
s3pid=$!
sleep 0.5
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" TOOL_CACHE_URL=s3://builds
"$tool" cache keygen bench --dir "$work" >/dev/null 2>&1
export TOOL_CACHE_SIGNING_KEY="$work/bench.secret"

# Requests logged since line $1, by method.
requests() {
  tail -n +"$1" "$log" | grep -o 'req: Request { method: [A-Z]*' | awk '{print $5}' | sort | uniq -c |
    awk '{printf "%s %s  ", $2, $1; t += $1} END {printf "(%d in all)", t}'
}
count() { tail -n +"$1" "$log" | grep -c 'req: Request { method:' || true; }
now() { date +%s.%N; }

echo "adopt: $n archives, $mb MB in all, in the service's layout"
from=$(($(wc -l <"$log") + 1))
t0=$(now)
"$tool" cache adopt python --json >"$work/adopt.json" 2>/dev/null
t1=$(now)
adopted=$(grep -c '"outcome":"adopted"' "$work/adopt.json" || true)
total=$(count "$from")
printf '  %d adopted in %.2f s; requests: %s, %.1f per key\n' "$adopted" "$(echo "$t1 - $t0" | bc)" \
  "$(requests "$from")" "$(echo "scale=1; $total / $n" | bc)"

from=$(($(wc -l <"$log") + 1))
t0=$(now)
"$tool" cache adopt python --json >/dev/null 2>&1
t1=$(now)
printf '  again (all already adopted): %.2f s; requests: %s\n' "$(echo "$t1 - $t0" | bc)" "$(requests "$from")"

# About 1,000 objects: what adopt left, plus old archives of nobody's.
have=$(find "$bucket" -type f | wc -l)
mkdir -p "$bucket/sha256"
for i in $(seq 1 $((1000 - have))); do
  head -c 1000 /dev/urandom >"$bucket/sha256/$(printf '%064x' "$i").tar.zst"
done
find "$bucket/sha256" -name '000*' -exec touch -d '2 days ago' {} +
objects=$(find "$bucket" -type f | wc -l)
echo "gc: $objects objects ($((objects - have)) old archives no record names)"
from=$(($(wc -l <"$log") + 1))
t0=$(now)
"$tool" cache gc --json >"$work/gc.json" 2>/dev/null
t1=$(now)
printf '  listing: %.2f s; requests: %s\n' "$(echo "$t1 - $t0" | bc)" "$(requests "$from")"
from=$(($(wc -l <"$log") + 1))
t0=$(now)
"$tool" cache gc --delete --json >"$work/gc.json" 2>/dev/null
t1=$(now)
deleted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["deleted"])' "$work/gc.json")
printf '  --delete: %d deleted in %.2f s; requests: %s\n' "$deleted" "$(echo "$t1 - $t0" | bc)" "$(requests "$from")"
