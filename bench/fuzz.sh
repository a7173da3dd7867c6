#!/bin/bash
# fuzz.sh - the fuzz targets of tests/fuzz/ run long (not a test; the
# suite runs them for seconds).  Builds build-fuzz/ (clang,
# -DREFLECTOR_FUZZ=ON) when BUILD has no targets, then runs fuzz-post and
# fuzz-bounce side by side at nice NICE (default 19), each until it has used CPU_MINUTES
# of CPU (default 60: CPU, not wall time, so that a loaded machine gets
# the same amount of fuzzing), seeded from the tree's corpora, with a
# corpus kept between runs in FUZZ_DIR/<target>/corpus.  Prints, per
# target: CPU time, executions, executions/s, corpus, coverage, and the
# findings (crash-, leak-, timeout-, oom- files: FUZZ_DIR/<target>/findings/).
# Exit status 1 when anything was found.  Never attach strace or gdb to a
# running target: LeakSanitizer's leak check cannot run under ptrace and
# the target dies with a false finding.  A finding, once fixed, goes into
# tests/fuzz/regress/<target>/, where the suite replays it in every build.
#
#   bash bench/fuzz.sh                      60 CPU minutes each, both targets
#   CPU_MINUTES=5 bash bench/fuzz.sh post   one target
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$src/build-fuzz}
FUZZ_DIR=${FUZZ_DIR:-/var/tmp/reflector-fuzz}
CPU_MINUTES=${CPU_MINUTES:-60}
NICE=${NICE:-19}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(post bounce)

if [ ! -x "$BUILD/tests/fuzz/fuzz-post" ] || [ ! -x "$BUILD/tests/fuzz/fuzz-bounce" ]; then
    command -v clang > /dev/null || { echo "fuzz.sh: no clang (contrib/install-deps.sh installs it)"; exit 2; }
    echo "# building in $BUILD"
    mkdir -p "$BUILD"
    { CC=clang cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFLECTOR_FUZZ=ON &&
      nice cmake --build "$BUILD" -j2; } > "$BUILD/fuzz-build.log" 2>&1 ||
        { tail -30 "$BUILD/fuzz-build.log"; echo "fuzz.sh: build failed"; exit 2; }
fi

seeds_post=("$src/tests/data/corpus" "$src/tests/fuzz/regress/post")
seeds_bounce=("$src/tests/data/bounce-corpus" "$src/tests/data/corpus/sisimai"
              "$src/tests/fuzz/regress/bounce")
hz=$(getconf CLK_TCK)
budget=$((CPU_MINUTES * 60))

# cpu_seconds PID: user + system time of a running process and of its
# children reaped so far (LeakSanitizer's leak checks run in a child)
cpu_seconds() { awk -v hz="$hz" '{ print int(($14 + $15 + $16 + $17) / hz) }' "/proc/$1/stat" 2>/dev/null; }

declare -A pids
for t in "${targets[@]}"; do
    exe=$BUILD/tests/fuzz/fuzz-$t
    [ -x "$exe" ] || { echo "fuzz.sh: no target $t"; exit 2; }
    w=$FUZZ_DIR/$t
    mkdir -p "$w/corpus" "$w/findings"
    seeds="seeds_$t[@]"
    # the target's own state directory (SQLite, blobs: fsync'd) on a tmpfs
    tmp=$w/tmp
    [ -d /dev/shm ] && tmp=/dev/shm/reflector-fuzz-$t
    mkdir -p "$tmp"
    TMPDIR=$tmp G_DEBUG=fatal-criticals nice -n "$NICE" "$exe" \
        -timeout=60 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
        -dict="$src/tests/fuzz/mail.dict" -artifact_prefix="$w/findings/" \
        "$w/corpus" "${!seeds}" > "$w/log" 2>&1 &
    pids[$t]=$!
    echo "# fuzz-$t: pid ${pids[$t]}, log $w/log, until $CPU_MINUTES CPU minutes"
done

# stop each at its CPU budget (SIGINT: libFuzzer prints its final stats)
declare -A cpu
while :; do
    running=0
    for t in "${targets[@]}"; do
        p=${pids[$t]}
        kill -0 "$p" 2>/dev/null || continue
        running=1
        c=$(cpu_seconds "$p")
        [ -n "$c" ] && cpu[$t]=$c
        if [ -n "$c" ] && [ "$c" -ge "$budget" ]; then kill -INT "$p"; fi
    done
    [ "$running" = 1 ] || break
    sleep 10
done

found=0
for t in "${targets[@]}"; do
    wait "${pids[$t]}"; rc=$?
    w=$FUZZ_DIR/$t
    stat() { sed -nE "s/^stat::$1: *([0-9]+)/\\1/p" "$w/log" | tail -1; }
    cov=$(grep -E '^#[0-9]+' "$w/log" | tail -1 | sed -nE 's/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)\/([^ ]+).*/cov \1, features \2, corpus \3 inputs (\4)/p')
    n=$(find "$w/findings" -type f | wc -l)
    printf 'fuzz-%s: %s s of CPU, %s executions (%s/s), %s, exit %s, %d finding(s)\n' \
        "$t" "${cpu[$t]:-?}" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
        "${cov:-no coverage line}" "$rc" "$n"
    # 72 is libFuzzer's exit after SIGINT; 0 an end of its own
    if [ "$n" -gt 0 ] || { [ "$rc" != 0 ] && [ "$rc" != 72 ]; }; then
        found=1
        find "$w/findings" -type f | sed 's/^/    /'
        grep -E -A30 '^==[0-9]+==ERROR|^fuzz: |^SUMMARY' "$w/log" | head -60 | sed 's/^/    /'
    fi
done
exit "$found"
