#!/usr/bin/env bash
# Key rotation and promotion at fleet size (issue 33): N records of a few MB
# each published to a local S3 server (s3s-fs, signed requests) signed by
# key A, then `tool cache sign` with key B over all of them, then
# `tool cache copy` of all of them to a second bucket re-signed with key R.
# Reports the wall time of each and the requests the server answered.
#   bench/cache-trust.sh                 (N=50, 3 MB each; needs s3s-fs)
#   N=200 MB_EACH=1 TOOL_BIN=target/debug/tool bench/cache-trust.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-test-deps >/dev/null
tool="${TOOL_BIN:-$(scripts/build-release)}"
tool="$(realpath "$tool")"
s3s="$(command -v s3s-fs || echo "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs")"
n="${N:-50}"
mb="${MB_EACH:-3}"

work="$(mktemp -d)"
cleanup() { [ -n "${s3pid:-}" ] && kill "$s3pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export HOME="$work/home" TOOL_OS=bench ASDF_DATA_DIR="$work/data" TOOL_BACKENDS_PYTHON=cache
mkdir -p "$HOME" "$work/s3/staging" "$work/s3/release" "$work/keys"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=s3s::service=debug "$s3s" --host 127.0.0.1 --port "$port" --access-key bench \
  --secret-key benchsecret "$work/s3" >"$work/s3.log" 2>&1 &
s3pid=$!
sleep 0.5
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" TOOL_CACHE_URL=s3://staging

a="$("$tool" cache keygen a --dir "$work/keys" 2>/dev/null)"
"$tool" cache keygen b --dir "$work/keys" >/dev/null 2>&1
"$tool" cache keygen r --dir "$work/keys" >/dev/null 2>&1
for i in $(seq 1 "$n"); do
  dir="$ASDF_DATA_DIR/installs/python/3.0.$i"
  mkdir -p "$dir/bin" "$dir/lib"
  printf '#!/bin/sh\necho %s\n' "$i" >"$dir/bin/python"
  chmod +x "$dir/bin/python"
  head -c $((mb * 1000000)) /dev/urandom >"$dir/lib/blob"
  TOOL_CACHE_SIGNING_KEY="$work/keys/a.secret" "$tool" cache push python "3.0.$i" 2>/dev/null
done

# The requests s3s-fs logged since the last look (one `req:` line each), by method.
seen=0
requests() {
  local lines; lines=$(grep -o 'req: Request { method: [A-Z]*' "$work/s3.log" | awk '{print $5}')
  printf '%s\n' "$lines" | tail -n +$((seen + 1)) | sort | uniq -c | awk '{printf "%s%s %s", (NR>1?", ":""), $2, $1}'
  seen=$(printf '%s\n' "$lines" | grep -c . || true)
}
requests >/dev/null
timed() { local t0 t1; t0=$(date +%s.%N); "$@" >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
  t1=$(date +%s.%N); python3 -c "print(f'{$t1-$t0:.2f} s')"; }

run() { # label, signing key, command…
  local label=$1 key=$2; shift 2
  local took; took=$(TOOL_CACHE_TRUSTED_KEYS="$a" TOOL_CACHE_SIGNING_KEY="$work/keys/$key.secret" timed "$tool" "$@")
  sleep 0.2
  printf '%-34s %s; requests: ' "$label" "$took"; requests; echo
}
echo "$n records of $mb MB each"
run "cache sign (B over A's records)" b cache sign --bucket s3://staging
run "cache sign again (nothing to add)" b cache sign --bucket s3://staging
run "cache copy staging -> release" r cache copy s3://staging s3://release
run "cache copy again (all there)" r cache copy s3://staging s3://release
