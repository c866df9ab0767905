#!/usr/bin/env bash
# Prebuilt-Python benchmark (issue 32): `tool install python 3.11.2` from
# python-build-standalone's layout against `uv python install 3.11.2`, both
# installing the SAME archive from the same local mirror folder: uv's own
# variables (UV_PYTHON_INSTALL_MIRROR=file://…, UV_PYTHON_DOWNLOADS_JSON_URL
# naming a list in uv's download-metadata.json format), which `tool` reads
# too. The archive is the PBS-style build of the test suite
# (scripts/setup-python-prebuilt: a real CPython 3.11.2, `install_only`,
# gzip). uv comes from PyPI into a venv (pip). Runs are interleaved (tool,
# uv, uv, tool, …), each into fresh folders (on tmpfs when there is one,
# unless BENCH_TMPFS=no: then on disk, where tool's flush before commit counts);
# prints each side's median and the ratio (goal: tool <= 1.0x uv).
#   bench/prebuilt.sh            RUNS=N (default 9), UV_VERSION (default 0.13.8),
#                                TOOL=path/to/tool (default: scripts/build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
tool="${TOOL:-$(scripts/build-release)}"
fixture="$(scripts/setup-python-prebuilt)/install_only.tar.gz"

work="$(mktemp -d)"
dest="$work"
if [ "${BENCH_TMPFS:-yes}" = yes ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  dest="$(mktemp -d /dev/shm/tool-bench.XXXXXX)"
fi
cleanup() { rm -rf "$work" "$dest"; }
trap cleanup EXIT

python3 -m venv "$work/uv-venv"
"$work/uv-venv/bin/pip" install -q --disable-pip-version-check "uv==${UV_VERSION:-0.13.8}"
uv="$work/uv-venv/bin/uv"

build=20990101
name="cpython-3.11.2+$build-x86_64-unknown-linux-gnu-install_only.tar.gz"
mkdir -p "$work/mirror/$build"
cp "$fixture" "$work/mirror/$build/$name"
sha="$(sha256sum "$fixture" | cut -d' ' -f1)"
cat >"$work/downloads.json" <<EOF
{"cpython-3.11.2-linux-x86_64-gnu": {"name": "cpython",
 "arch": {"family": "x86_64", "variant": null}, "os": "linux", "libc": "gnu",
 "major": 3, "minor": 11, "patch": 2, "prerelease": null,
 "url": "https://github.com/astral-sh/python-build-standalone/releases/download/$build/${name//+/%2B}",
 "sha256": "$sha", "variant": null, "build": "$build"}}
EOF
export UV_PYTHON_INSTALL_MIRROR="file://$work/mirror"
export UV_PYTHON_DOWNLOADS_JSON_URL="$work/downloads.json"
export HOME="$work/home" TOOL_OS=bench UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=automatic
mkdir -p "$HOME"
echo "archive: $(du -m "$fixture" | cut -f1) MB gzip, $(tar -tzf "$fixture" | wc -l) entries; installing into $dest"
echo "uv: $("$uv" --version)"

python3 - "$tool" "$uv" "$dest" "${RUNS:-9}" <<'PY'
import os, shutil, statistics, subprocess, sys, time
tool, uv, dest, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def fresh(name):
    path = os.path.join(dest, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path

def run_tool():
    data = fresh("tool")
    env = dict(os.environ, ASDF_DATA_DIR=data)
    return [tool, "install", "python", "3.11.2"], env, os.path.join(data, "installs/python/3.11.2/bin/python3")

def run_uv():
    root = fresh("uv")
    env = dict(os.environ, UV_PYTHON_INSTALL_DIR=os.path.join(root, "py"),
               UV_PYTHON_BIN_DIR=os.path.join(root, "bin"), UV_CACHE_DIR=os.path.join(root, "cache"))
    return [uv, "python", "install", "3.11.2"], env, os.path.join(root, "py/cpython-3.11.2-linux-x86_64-gnu/bin/python3")

times = {"tool": [], "uv": []}
sides = [("tool", run_tool), ("uv", run_uv)]
for i in range(runs + 1):
    order = sides if i % 2 == 0 else sides[::-1]
    for label, make in order:
        cmd, env, python = make()
        subprocess.run(["sync"], check=True)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - t0
        out = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_config_var('prefix'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
        assert out.startswith(dest), f"{label}: sysconfig prefix {out}"
        if i > 0:  # the first round warms the page cache
            times[label].append(elapsed)
t, u = statistics.median(times["tool"]), statistics.median(times["uv"])
print(f"tool install python 3.11.2: median {t:.3f} s  (runs: {' '.join(f'{x:.3f}' for x in times['tool'])})")
print(f"uv python install 3.11.2:   median {u:.3f} s  (runs: {' '.join(f'{x:.3f}' for x in times['uv'])})")
print(f"tool / uv = {t / u:.2f}x (goal <= 1.0x) {'OK' if t / u <= 1.0 else 'OVER'}")
PY
