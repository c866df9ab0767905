#!/usr/bin/env bash
# What a shim does before it execs the real program, counted the same way on
# every run: instructions (valgrind's callgrind, up to the `execve` call, on
# unstripped release builds of tool-shim and tool-shim-full) and system calls
# (strace), beside the floor of bench/shim.sh (a static C program that only
# execs).
# Same fixture as bench/shim.sh: .tool-versions five folders up.
#   bench/shim-instructions.sh                  build, then count
#   bench/shim-instructions.sh /x/tool-shim…    count these (unstripped) binaries
#   VERBOSE=1 …                                 also list the system calls
# Needs gcc, valgrind, strace.
set -euo pipefail
cd "$(dirname "$0")/.."
for t in valgrind strace; do
  command -v "$t" >/dev/null || { echo "bench: needs $t (apt-get install $t)" >&2; exit 1; }
done
if [ $# -eq 0 ]; then
  # Its own target folder: the release profile strips, this build must not.
  export CARGO_TARGET_DIR="$PWD/target/unstripped"
  STRIP=no CARGO_PROFILE_RELEASE_STRIP=false scripts/build-release --shim-only >/dev/null
  host="$(rustc -vV | sed -n 's/^host: //p')"
  set -- "$CARGO_TARGET_DIR/$host/release/tool-shim" "$CARGO_TARGET_DIR/$host/release/tool-shim-full"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" ASDF_DATA_DIR="$work/data"
mkdir -p "$HOME" "$ASDF_DATA_DIR/installs/tiny/1.0/bin" "$ASDF_DATA_DIR/shims"
printf 'int main(void) { return 0; }\n' > "$work/tiny.c"
target="$ASDF_DATA_DIR/installs/tiny/1.0/bin/tiny"
gcc -O2 -o "$target" "$work/tiny.c"
cat > "$work/floor.c" <<'C'
#include <unistd.h>
int main(int argc, char **argv) {
  (void)argc;
  argv[1] = TARGET;
  execv(TARGET, argv + 1);
  return 126;
}
C
gcc -static -O2 -DTARGET="\"$target\"" -o "$work/floor" "$work/floor.c"
proj="$work/home/proj"
deep="$proj/a/b/c/d/e"
mkdir -p "$deep"
printf 'python 3.11.2\nnodejs 20.1.0\ntiny 1.0\n' > "$proj/.tool-versions"
cd "$deep"
export PATH="$ASDF_DATA_DIR/shims:/usr/bin:/bin"

# A shim as `tool reshim` writes it, run by `interpreter` (tool-shim's
# shebang also names the shim's tools; the floor's takes no argument).
shim_for() {
  local dir="$work/shims-$1"
  mkdir -p "$dir"
  printf '#!%s\n# asdf-plugin: tiny 1.0\nexec %s exec %s "$@" # asdf_allow: %s\n' \
    "$2${3:+ $3}" "'/unused/tool'" "'tiny'" "' asdf '" > "$dir/tiny"
  chmod +x "$dir/tiny"
  echo "$dir/tiny"
}

count() {
  local name="$1" shim="$2"
  "$shim" || { echo "bench: $name: the shim failed" >&2; exit 1; }
  local out="$work/cg-$name"
  valgrind --tool=callgrind --dump-before='*execve' --dump-before='*sys::exec' --callgrind-out-file="$out.%p" \
    "$shim" >/dev/null 2>"$work/vg-$name.log" || true
  local dump
  dump="$(ls "$out".*.1 2>/dev/null | head -1)"
  local instr="?"
  [ -n "$dump" ] && instr="$(sed -n 's/^summary: //p;s/^totals: //p' "$dump" | head -1)"
  strace -o "$work/st-$name" "$shim" >/dev/null
  # The calls between the shim's own execve and the target's.
  local calls
  calls="$(awk 'NR > 1 && /^execve\(/ { exit } NR > 1 { n++ } END { print n + 0 }' "$work/st-$name")"
  printf '%-10s %12s instructions before exec  %3d system calls  %s\n' "$name" "$instr" "$calls" "$3"
  if [ -n "${VERBOSE:-}" ]; then
    awk 'NR > 1 && /^execve\(/ { print; exit } { print "    " $0 }' "$work/st-$name"
  fi
}

count floor "$(shim_for floor "$work/floor")" "(static C, exec only)"
i=0
for bin in "$@"; do
  i=$((i + 1))
  count "shim$i" "$(shim_for "shim$i" "$bin" --tools=tiny)" "$bin"
done
