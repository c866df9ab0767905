#!/usr/bin/env bash
# Tries asdf's two most used plugins as a new user would, with `tool` linked
# as `asdf`: asdf-nodejs (with node-build) installs Node.js 20.11.0 and runs
# `node -e` and `npm` through the shims; asdf-golang installs Go 1.19.8 and
# runs `go run` through the shims. Offline: the plugins are local snapshots
# of their public repositories (the search tool's `fetch` brings them into
# ../.mirror), the download servers are the trees `scripts/setup-vendor-dists`
# builds, served on 127.0.0.1 (asdf-golang hard-codes dl.google.com, so a
# `curl` wrapper sends it there). Measuring material: nothing here is part of
# the test suite.
#   bench/real-plugins.sh <tool binary> [mirror folder]   (default ../.mirror)
set -euo pipefail
tool="$(realpath "$1")"
mirror="$(realpath "${2:-$(dirname "$0")/../../.mirror}")"
here="$(cd "$(dirname "$0")/.." && pwd)"
dists="$("$here/scripts/setup-vendor-dists")"
for repo in asdf-vm+asdf-nodejs asdf-community+asdf-golang nodenv+node-build; do
  [ -d "$mirror/$repo/repo" ] || { echo "missing $mirror/$repo (fetch it first)" >&2; exit 2; }
done

work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dists" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/home" "$work/defs" "$work/proj"
ln -s "$tool" "$work/bin/asdf"
# asdf-golang downloads from https://dl.google.com/go/: send it to the mirror.
cat > "$work/bin/curl" <<EOF
#!/usr/bin/env bash
exec /usr/bin/curl "\${@//https:\/\/dl.google.com\/go/http://127.0.0.1:$port/go}"
EOF
chmod +x "$work/bin/curl"
# node-build checks its definitions' checksums: one for the repacked archive.
sha=$(cut -d' ' -f1 < <(grep 'linux-x64.tar.gz' "$dists/node/v20.11.0/SHASUMS256.txt"))
{
  echo "binary linux-x64 \"https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.gz#$sha\""
  echo "install_package \"node-v20.11.0\" \"https://nodejs.org/dist/v20.11.0/node-v20.11.0.tar.gz\""
} > "$work/defs/20.11.0"

export HOME="$work/home" ASDF_DATA_DIR="$work/data"
export PATH="$work/bin:$ASDF_DATA_DIR/shims:/usr/bin:/bin"
export NODEJS_ORG_MIRROR="http://127.0.0.1:$port/node/"
export ASDF_NODEJS_NODEBUILD_REPOSITORY="$mirror/nodenv+node-build/repo"
export NODE_BUILD_DEFINITIONS="$work/defs"
export ASDF_GOLANG_MOD_VERSION_ENABLED=true
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

step() { printf '\n== %s\n' "$*"; }
clone() { git clone -q "$mirror/$1/repo" "$work/$2"; }
clone asdf-vm+asdf-nodejs nodejs-plugin
clone asdf-community+asdf-golang golang-plugin
step "asdf plugin add"
asdf plugin add nodejs "$work/nodejs-plugin"
asdf plugin add golang "$work/golang-plugin"
asdf plugin list

cd "$work/proj"
step "asdf install nodejs 20.11.0"
start=$(date +%s.%N)
asdf install nodejs 20.11.0
node_s=$(echo "$(date +%s.%N) - $start" | bc)
asdf set nodejs 20.11.0
step "node and npm through the shims"
node -e 'console.log("node", process.version)'
npm --version
printf 'npm shim: %s\n' "$(asdf which npm)"

step "asdf install golang 1.19.8"
start=$(date +%s.%N)
asdf install golang 1.19.8
go_s=$(echo "$(date +%s.%N) - $start" | bc)
printf 'module hello\n\ngo 1.19\n' > go.mod
printf 'package main\nimport "fmt"\nfunc main() { fmt.Println("hello from go") }\n' > main.go
step "go run through the shims (version from go.mod, legacy_version_file = yes)"
echo "legacy_version_file = yes" > "$HOME/.asdfrc"
asdf current golang
go run .
step "ASDF_GOLANG_MOD_VERSION_ENABLED=false: go.mod no longer read"
ASDF_GOLANG_MOD_VERSION_ENABLED=false asdf current golang || true

printf '\ninstall times: nodejs %.1f s, golang %.1f s\n' "$node_s" "$go_s"
