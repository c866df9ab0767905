#!/usr/bin/env bash
# Cache-path benchmark (DESIGN.md §3): install a realistic artifact from a
# local S3 server (s3s-fs, signed requests) with `tool install`, against
# `curl | zstd -d | tar -x` and `curl | tar -xz` of the same objects, side by
# side (the archive the publish record names), and the same install with its
# signature checked (cache.trusted_keys). Target: within 1.1x of the shell
# pipeline. Reports MB/s.
# The artifact: this machine's CPython without site-packages and tests
# (thousands of files, ~60-100 MB), or a generated tree of that shape; or
# ARTIFACT, an install folder of ARTIFACT_TOOL (bench/ruby.sh gives its build).
#   bench/cache.sh        (needs hyperfine, zstd, curl >= 7.75, s3s-fs)
#   ARTIFACT=~/.asdf/installs/ruby/3.1.2 ARTIFACT_TOOL=ruby bench/cache.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v hyperfine >/dev/null 2>&1 || need+=(hyperfine)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
./scripts/setup-test-deps >/dev/null
tool="$(scripts/build-release)"
s3s="$(command -v s3s-fs || echo "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs")"

work="$(mktemp -d)"
cleanup() { [ -n "${s3pid:-}" ] && kill "$s3pid" 2>/dev/null; rm -rf "$work" "${dest:-$work}"; }
trap cleanup EXIT
export HOME="$work/home" TOOL_OS=bench
mkdir -p "$HOME" "$work/s3/bench"
name="${ARTIFACT_TOOL:-python}"
version=3.11.99
[ -z "${ARTIFACT:-}" ] || version="$(basename "$ARTIFACT")"
src="$work/a/installs/$name/$version"
mkdir -p "$src"
py_prefix="$(python3 -c 'import sys; print(sys.base_prefix)' 2>/dev/null || true)"
if [ -n "${ARTIFACT:-}" ]; then
  cp -a "$ARTIFACT/." "$src/"
  rm -f "$src/.tool-manifest.json"
elif [ -n "$py_prefix" ] && [ -d "$py_prefix/lib" ]; then
  tar -C "$py_prefix" --exclude='site-packages' --exclude='*/test' --exclude='*/tests' \
    -cf - bin include lib | tar -C "$src" -xf -
else
  for i in $(seq 1 3000); do d="$src/lib/pkg$((i % 60))"; mkdir -p "$d"
    head -c $((4000 + (i * 37) % 30000)) /dev/urandom | base64 > "$d/mod$i.py"; done
  head -c 20000000 /dev/urandom > "$src/lib/libbig.so"
fi
files=$(find "$src" -type f | wc -l)
size_mb=$(du -sm "$src" | cut -f1)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$s3s" --host 127.0.0.1 --port "$port" --access-key bench --secret-key benchsecret "$work/s3" >/dev/null 2>&1 &
s3pid=$!
sleep 0.5
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" TOOL_CACHE_URL=s3://bench
# Signed, so the same record serves a run that checks the signature and one
# that does not: the difference is the check's cost on a hit.
trusted="$("$tool" cache keygen bench --dir "$work" 2>/dev/null)"
TOOL_CACHE_SIGNING_KEY="$work/bench.secret" ASDF_DATA_DIR="$work/a" \
  "$tool" cache push "$name" "$version" --format both 2>/dev/null
# The archives the key's publish record names (by digest).
object() {
  python3 - "$work/s3/bench/bench-$name-$version.manifest" "$1" <<'PY'
import base64, json, sys
record = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))
print(next(a["object"] for a in record["archives"] if a["format"] == sys.argv[2]))
PY
}
zst_obj="$(object zst)" gz_obj="$(object gz)"
zst_mb=$(du -m "$work/s3/bench/$zst_obj" | cut -f1)
gz_mb=$(du -m "$work/s3/bench/$gz_obj" | cut -f1)
echo "artifact: $files files, $size_mb MB installed; zst $zst_mb MB, gz $gz_mb MB"

url="$AWS_ENDPOINT_URL/bench"
sig=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "bench:benchsecret" -sf -H "'x-amz-content-sha256: UNSIGNED-PAYLOAD'")
# Extract onto tmpfs when there is one: the disk of a VM adds noise that
# swamps the pipeline being measured (both sides write the same files).
dest="$work"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then dest="$(mktemp -d /dev/shm/tool-bench.XXXXXX)"; fi
echo "extracting into $dest"
out="${BENCH_OUT:-$work}"; mkdir -p "$out"
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$out/cache.json" \
  --prepare "rm -rf $dest/b $dest/x; mkdir -p $dest/x" \
  -n "tool install (zst)" "ASDF_DATA_DIR=$dest/b $tool install $name $version" \
  -n "tool install (zst, signature checked)" \
     "ASDF_DATA_DIR=$dest/b TOOL_CACHE_TRUSTED_KEYS=$trusted $tool install $name $version" \
  -n "curl | zstd -d | tar -x" "curl ${sig[*]} $url/$zst_obj | zstd -dq | tar -x -C $dest/x" \
  -n "curl | tar -xz (gzip)" "curl ${sig[*]} $url/$gz_obj | tar -xz -C $dest/x"

python3 - "$out/cache.json" "$zst_mb" "$gz_mb" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
zst, gz = float(sys.argv[2]), float(sys.argv[3])
t, p, g = r["tool install (zst)"], r["curl | zstd -d | tar -x"], r["curl | tar -xz (gzip)"]
print(f"\ntool install: {t:.3f} s ({zst / t:.0f} MB/s compressed)")
print(f"curl|zstd|tar: {p:.3f} s ({zst / p:.0f} MB/s)  -> tool is {t / p:.2f}x (target <= 1.1x) {'OK' if t / p <= 1.1 else 'OVER'}")
print(f"curl|tar -xz:  {g:.3f} s ({gz / g:.0f} MB/s)  -> tool is {t / g:.2f}x of the gzip pipeline")
v = r["tool install (zst, signature checked)"]
print(f"signature check on a hit: {1000 * (v - t):+.1f} ms ({v / t:.3f}x the unchecked install)")
PY
