#!/usr/bin/env bash
# The vendor backend against the plain way of doing the same: for Node.js,
# Go and Rust, `tool install <tool> <v>` from a loopback HTTP mirror (the
# trees of scripts/setup-vendor-dists, served by python3's http.server)
# against `curl | tar -x` of the same archive. One hyperfine run each; the
# target is at most 1.05x. With `--asdf-nodejs <mirror folder>` (the
# snapshots bench/real-plugins.sh uses), also the same Node.js through the
# real asdf-nodejs plugin.
#   bench/vendor.sh <tool binary> [--asdf-nodejs ../.mirror]
set -euo pipefail
tool="$(realpath "$1")"
here="$(cd "$(dirname "$0")/.." && pwd)"
need=()
command -v hyperfine >/dev/null 2>&1 || need+=(hyperfine)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
dists="$("$here/scripts/setup-vendor-dists")"
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dists" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -fs "$url/" >/dev/null && break; sleep 0.1; done
export HOME="$work/home" ASDF_DATA_DIR="$work/data"
mkdir -p "$HOME"
export TOOL_NODEJS_MIRROR="$url/node" TOOL_GOLANG_MIRROR="$url/go" \
  TOOL_GOLANG_RELEASES="$url/go/releases.json" TOOL_RUST_MIRROR="$url/rust" \
  TOOL_UPSTREAM_TRUSTED_KEYS="$dists/test-signing-key.asc"

compare() { # tool version archive-url tar-flag
  local name=$1 version=$2 archive=$3 flag=$4
  hyperfine --runs 3 --warmup 1 --export-json "$work/$name.json" \
    --prepare "rm -rf '$ASDF_DATA_DIR' '$work/plain'; mkdir -p '$work/plain'" \
    -n "tool install $name $version" "'$tool' install $name $version" \
    -n "curl | tar -x$flag" "curl -fsS '$archive' | tar -x$flag -C '$work/plain'"
  python3 - "$work/$name.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"ratio: {r[0]['mean'] / r[1]['mean']:.3f}x ({r[0]['mean']:.2f} s against {r[1]['mean']:.2f} s)")
EOF
}

compare nodejs 20.11.0 "$url/node/v20.11.0/node-v20.11.0-linux-x64.tar.xz" J
compare golang 1.19.8 "$url/go/go1.19.8.linux-amd64.tar.gz" z
# What checking the publisher's signature costs (target <= 2%): Go's .asc
# over the archive's stream, Node.js's SHASUMS256.txt.sig and Rust's
# channel-manifest .asc before the checksum in them is used.
signature_cost() { # tool version VERIFY-variable
  local name=$1 version=$2 var=$3
  hyperfine --runs 5 --warmup 1 --export-json "$work/$name-sig.json" --prepare "rm -rf '$ASDF_DATA_DIR'" \
    -n "$name, signature and sha256" "'$tool' install $name $version" \
    -n "$name, sha256 only" "$var=checksums '$tool' install $name $version"
  python3 - "$work/$name-sig.json" "$name" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"{sys.argv[2]} signature check: {100 * (r[0]['median'] / r[1]['median'] - 1):+.1f}% ({r[0]['median']:.2f} s against {r[1]['median']:.2f} s; target <= 2%)")
EOF
}

signature_cost golang 1.19.8 TOOL_GOLANG_VERIFY
signature_cost nodejs 20.11.0 TOOL_NODEJS_VERIFY
[ -d "$dists/rust/dist" ] && compare rust 1.63.0 \
  "$url/rust/dist/rust-1.63.0-x86_64-unknown-linux-gnu.tar.xz" J
[ -d "$dists/rust/dist" ] && signature_cost rust 1.63.0 TOOL_RUST_VERIFY

if [ "${2:-}" = --asdf-nodejs ]; then
  mirror="$(realpath "${3:-$here/../.mirror}")"
  sha=$(grep 'linux-x64.tar.gz' "$dists/node/v20.11.0/SHASUMS256.txt" | cut -d' ' -f1)
  mkdir -p "$work/defs" "$work/bin"
  ln -sf "$tool" "$work/bin/asdf"
  printf 'binary linux-x64 "https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.gz#%s"\ninstall_package "node-v20.11.0" "https://nodejs.org/dist/v20.11.0/node-v20.11.0.tar.gz"\n' \
    "$sha" > "$work/defs/20.11.0"
  git clone -q "$mirror/asdf-vm+asdf-nodejs/repo" "$work/nodejs-plugin"
  export NODEJS_ORG_MIRROR="$url/node/" NODE_BUILD_DEFINITIONS="$work/defs" \
    ASDF_NODEJS_NODEBUILD_REPOSITORY="$mirror/nodenv+node-build/repo" PATH="$work/bin:$PATH"
  hyperfine --runs 3 \
    --prepare "rm -rf '$ASDF_DATA_DIR' && asdf plugin add nodejs '$work/nodejs-plugin' && ASDF_NODEJS_SKIP_NODEBUILD_UPDATE= asdf nodejs update-nodebuild >/dev/null 2>&1" \
    -n "asdf-nodejs plugin (node-build, .tar.gz)" "ASDF_NODEJS_SKIP_NODEBUILD_UPDATE=1 asdf install nodejs 20.11.0" \
    --prepare "rm -rf '$ASDF_DATA_DIR'" \
    -n "vendor backend (.tar.xz)" "'$tool' install nodejs 20.11.0 --backend vendor"
fi
