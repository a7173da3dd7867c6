#!/bin/bash
# run-all.sh - THE test command (README): as root on Debian 12,
#   sudo sh tests/run-all.sh
# installs what is missing (contrib/install-deps.sh), builds in build/ and
# runs every test with ctest, then builds build-san/ with ASan+UBSan
# (-DREFLECTOR_SANITIZE=ON) and runs every test again there.  The last line
# is "N passed, N failed", summed over both runs; the exit status is non-zero
# if anything failed.  Build logs: build*/build.log; test logs: build*/ctest.log.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 1
JOBS=${JOBS:-2}
start=$(date +%s)

if [ "$(id -u)" = 0 ]; then
    sh contrib/install-deps.sh || { echo "install-deps.sh failed"; echo "0 passed, 1 failed"; exit 1; }
else
    echo "# not root: skipping contrib/install-deps.sh (the MTA tests need root)"
fi

passed=0
failed=0
# run_suite DIR CMAKE-ARGS...: configure, build, ctest; adds to the counts
run_suite() {
    local dir=$1 line p f total; shift
    echo "=== $dir: configure and build ($*)"
    if ! { cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" &&
           cmake --build "$dir" -j"$JOBS"; } > "$dir.build.log" 2>&1; then
        tail -40 "$dir.build.log"
        echo "=== $dir: BUILD FAILED (full log: $dir.build.log)"
        failed=$((failed + 1))
        return
    fi
    mv "$dir.build.log" "$dir/build.log"
    echo "=== $dir: ctest -j$JOBS"
    ctest --test-dir "$dir" -j"$JOBS" --output-on-failure 2>&1 | tee "$dir/ctest.log"
    # "100% tests passed, 0 tests failed out of 12"
    line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$dir/ctest.log" | tail -1)
    if [ -z "$line" ]; then
        echo "=== $dir: ctest gave no summary"
        failed=$((failed + 1))
        return
    fi
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed.*/\1/')
    total=$(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')
    p=$((total - f))
    passed=$((passed + p))
    failed=$((failed + f))
}

run_suite build
# GLib keeps one-time allocations (type system, GMime's charset tables) to
# exit; leak checking stays on unless RF_ASAN_OPTIONS says otherwise
export ASAN_OPTIONS=${RF_ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_suite build-san -DREFLECTOR_SANITIZE=ON
echo "# total wall time $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
