#!/usr/bin/env bash
# Shim-path benchmark (DESIGN.md §3): a shim for a tiny compiled program versus
# running that program directly, with .tool-versions five folders up; plus
# `tool current` and `tool which` in the same setup.
#
# The floor: the same shim file with its shebang naming a static C program
# that only execs the target (the least any shebang shim can cost with libc).
# The ratio printed is our overhead over the floor's (overhead = median −
# direct). Budgets: shim overhead under 1 ms (median), ratio ≤ 1.10;
# current/which under 3 ms. Also timed: `full`, the same shim run by
# tool-shim-full (the std shim path every handed-over run takes), and the
# no-libc floor (a C program built without libc that only execs), which
# says how much of the floor is glibc's own start-up.
#   bench/shim.sh                  (builds the release binary; needs gcc, hyperfine)
#   BASELINE_SHIM=/old/tool-shim bench/shim.sh
#                                  also times a shim run by another tool-shim
#                                  binary in the same hyperfine run (before/after)
#   RUNS=N                         runs per command and round (default 2000)
#   ROUNDS=N                       rounds (default 1); ratios are medians over rounds
#   EVICT=1                        binaries read back from disk (see evict below)
#   INTERLEAVED=N                  also N interleaved rounds (default 3000; 0 skips):
#                                  a C loop spawns direct, floor, shim (and baseline)
#                                  in a new random order each round, so drift and
#                                  neighbours hit all alike
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hyperfine >/dev/null 2>&1; then
  echo "bench: installing hyperfine" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq hyperfine >/dev/null
fi
built="$(scripts/build-release)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Timed as installed: install.sh copies the binaries, and a copied file is
# laid out in the page cache differently from the linker's output (which
# changes what each page fault maps).
mkdir -p "$work/bin"
install -m 755 "$built" "$(dirname "$built")/tool-shim" "$(dirname "$built")/tool-shim-full" "$work/bin/"
tool="$work/bin/tool"
export HOME="$work/home" ASDF_DATA_DIR="$work/data"
mkdir -p "$HOME" "$ASDF_DATA_DIR/installs/tiny/1.0/bin"
printf 'int main(void) { return 0; }\n' > "$work/tiny.c"
target="$ASDF_DATA_DIR/installs/tiny/1.0/bin/tiny"
gcc -O2 -o "$target" "$work/tiny.c"
"$tool" reshim
shim="$ASDF_DATA_DIR/shims/tiny"

# The kernel runs `floor <shim> args…`; the floor execs the target with args.
cat > "$work/floor.c" <<'C'
#include <unistd.h>
int main(int argc, char **argv) {
  (void)argc;
  argv[1] = TARGET;
  execv(TARGET, argv + 1);
  return 126;
}
C
gcc -static -O2 -DTARGET="\"$target\"" -o "$work/floor.out" "$work/floor.c"
# The no-libc floor: the kernel's stack holds argc, argv, envp; exec, exit.
cat > "$work/nolibc.c" <<'C'
#include <sys/syscall.h>
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
__attribute__((used)) void start_c(long *sp) {
  char **argv = (char **)(sp + 1), **envp = argv + sp[0] + 1;
  argv[1] = TARGET;
  sys3(SYS_execve, (long)TARGET, (long)(argv + 1), (long)envp);
  sys3(SYS_exit, 126, 0, 0);
}
__asm__(".globl _start\n_start:\n mov %rsp, %rdi\n and $-16, %rsp\n call start_c\n hlt\n");
C
gcc -static -nostdlib -O2 -fno-stack-protector -DTARGET="\"$target\"" -o "$work/nolibc.out" "$work/nolibc.c"
# Installed as tool-shim is: on this kernel, ext4 caches a file that `install`
# copied in larger folios than one the linker wrote, and the copy starts about
# a tenth faster (measured: the same floor, linked here against copied, 0.90x).
# Timing a copied shim against a linked floor flattered the shim by that much.
install -m 755 "$work/floor.out" "$work/floor"
install -m 755 "$work/nolibc.out" "$work/nolibc"
mkdir -p "$work/floor-shims" "$work/nolibc-shims" "$work/full-shims" "$work/baseline-shims"
{ echo "#!$work/floor"; tail -n +2 "$shim"; } > "$work/floor-shims/tiny"
{ echo "#!$work/nolibc"; tail -n +2 "$shim"; } > "$work/nolibc-shims/tiny"
{ echo "#!$work/bin/tool-shim-full --tools=tiny"; tail -n +2 "$shim"; } > "$work/full-shims/tiny"
chmod +x "$work/floor-shims/tiny" "$work/nolibc-shims/tiny" "$work/full-shims/tiny"
# EVICT=1: the binaries are read back from disk, as on a builder whose image
# layer was just read (readahead fills the page cache differently from the
# copy's write, and every binary's start changes with it).
evict() {
  sync "$@"
  for f in "$@"; do dd if="$f" iflag=nocache count=0 status=none; done
}
baseline=()
if [ -n "${BASELINE_SHIM:-}" ]; then
  install -m 755 "$BASELINE_SHIM" "$work/bin/baseline-shim"
  { echo "#!$work/bin/baseline-shim"; tail -n +2 "$shim"; } > "$work/baseline-shims/tiny"
  chmod +x "$work/baseline-shims/tiny"
  baseline=(-n baseline "$work/baseline-shims/tiny")
fi

if [ "${EVICT:-0}" = 1 ]; then
  evict "$work/bin/"* "$work/floor" "$work/nolibc" "$target"
fi

proj="$work/home/proj"
deep="$proj/a/b/c/d/e"
mkdir -p "$deep"
printf 'python 3.11.2\nnodejs 20.1.0\ntiny 1.0\n' > "$proj/.tool-versions"
cd "$deep"
export PATH="$ASDF_DATA_DIR/shims:/usr/bin:/bin"

out="${BENCH_OUT:-$work}"
mkdir -p "$out"
# Several rounds, each timing every command, so a neighbour's load that comes
# and goes hits all of them alike; the ratio is the median over rounds.
rounds="${ROUNDS:-1}"
for round in $(seq "$rounds"); do
  hyperfine -N --warmup 200 --runs "${RUNS:-2000}" --export-json "$out/shim-$round.json" \
    -n direct "$target" \
    -n floor "$work/floor-shims/tiny" \
    -n nolibc-floor "$work/nolibc-shims/tiny" \
    -n shim "$shim" \
    -n full "$work/full-shims/tiny" \
    "${baseline[@]}" \
    -n "tool current" "$tool current tiny" \
    -n "tool which" "$tool which tiny" >&2
done

python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
runs = [{x["command"]: x["median"] * 1000 for x in json.load(open(f"{out}/shim-{i}.json"))["results"]}
        for i in range(1, rounds + 1)]
med = lambda values: statistics.median(values)
floor = med([r["floor"] - r["direct"] for r in runs])
print(f"\nfloor overhead (median): {floor:.3f} ms  ({rounds} round(s))")
nolibc = med([r["nolibc-floor"] - r["direct"] for r in runs])
print(f"no-libc floor overhead (median): {nolibc:.3f} ms = {nolibc / floor:.2f}x the floor")
for name in ("shim", "full", "baseline"):
    if name in runs[0]:
        over = med([r[name] - r["direct"] for r in runs])
        ratio = med([(r[name] - r["direct"]) / (r["floor"] - r["direct"]) for r in runs])
        verdict = ("OK" if over < 1 and ratio <= 1.10 else "OVER BUDGET") if name == "shim" else ""
        vs_nolibc = med([(r[name] - r["direct"]) / (r["nolibc-floor"] - r["direct"]) for r in runs])
        print(f"{name} overhead (median): {over:.3f} ms = {ratio:.2f}x the floor, {vs_nolibc:.2f}x the no-libc floor  {'(budget 1 ms, 1.10x)  ' + verdict if verdict else ''}")
for name in ("tool current", "tool which"):
    t = med([r[name] for r in runs])
    print(f"{name} (median): {t:.3f} ms  (budget 3 ms)  {'OK' if t < 3 else 'OVER BUDGET'}")
PY

# Interleaved: one spawn of each command per round, in turn (hyperfine times
# each command's runs one after the other, and this machine's drift, page
# cache included, moves the floor by up to a fifth between runs).
if [ "${INTERLEAVED:-3000}" -gt 0 ]; then
  cat > "$work/interleave.c" <<'C'
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
int main(int argc, char **argv) {
  int rounds = atoi(argv[1]), n = argc - 2, warmup = 200;
  double *t = malloc(sizeof(double) * rounds * n);
  for (int i = 0; i < rounds + warmup; i++) {
    /* A new order each round: a fixed one (even rotated) keeps each
       command after the same neighbour, whose traces in the caches
       moved a shim by 15 us in one run. */
    int order[16];
    for (int k = 0; k < n; k++) order[k] = k;
    for (int k = n - 1; k > 0; k--) {
      int r = rand() % (k + 1), swap = order[k];
      order[k] = order[r];
      order[r] = swap;
    }
    for (int k = 0; k < n; k++) {
      int j = order[k];
      char *args[] = {argv[2 + j], 0};
      pid_t pid;
      int status;
      double start = now();
      if (posix_spawn(&pid, argv[2 + j], 0, 0, args, environ) != 0) return 1;
      waitpid(pid, &status, 0);
      if (i >= warmup) t[j * rounds + i - warmup] = now() - start;
    }
  }
  for (int j = 0; j < n; j++) {
    qsort(t + j * rounds, rounds, sizeof(double), by_value);
    printf("%f\n", t[j * rounds + rounds / 2]);
  }
  return 0;
}
C
  gcc -O2 -o "$work/interleave" "$work/interleave.c"
  commands=("$target" "$work/floor-shims/tiny" "$work/nolibc-shims/tiny" "$shim" "$work/full-shims/tiny")
  [ -n "${BASELINE_SHIM:-}" ] && commands+=("$work/baseline-shims/tiny")
  mapfile -t medians < <("$work/interleave" "${INTERLEAVED:-3000}" "${commands[@]}")
  python3 - "${medians[@]}" <<'PY'
import sys
direct, floor, nolibc, *rest = (float(x) for x in sys.argv[1:])
print(f"interleaved: floor overhead {(floor - direct) / 1000:.3f} ms; no-libc floor {(nolibc - direct) / (floor - direct):.2f}x", end="")
for name, t in zip(("shim", "full", "baseline"), rest):
    print(f"; {name} {(t - direct) / (floor - direct):.2f}x the floor", end="")
print()
PY
fi
