#!/bin/bash
# run-all.sh - THE test command (README): as root on Debian 12,
#   sudo sh tests/run-all.sh
# installs what is missing (contrib/install-deps.sh), builds in build/ and
# runs every test with ctest, then builds build-san/ with ASan+UBSan
# (-DREFLECTOR_SANITIZE=ON) and runs every test again there, then builds
# the libFuzzer targets in build-fuzz/ (clang, -DREFLECTOR_FUZZ=ON) and
# runs each for its short budget.  The last line is "N passed, N failed",
# summed over the three, with "N skipped" before it when a test did not
# run: passes are counted from ctest's own line for each test, so a
# skipped test is never a pass, and a test ctest lists but never reports
# on is a failure.  The exit status is non-zero if anything failed.
# Build logs: build*/build.log; test logs: build*/ctest.log.
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
skipped=0
# run_suite DIR CMAKE-ARGS...: configure, build, ctest; adds to the counts
run_suite() {
    local dir=$1 total p f k name; shift
    echo "=== $dir: configure and build ($*)"
    mkdir -p "$dir"
    if ! { cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" &&
           cmake --build "$dir" -j"$JOBS"; } > "$dir.build.log" 2>&1; then
        tail -40 "$dir.build.log"
        echo "=== $dir: BUILD FAILED (full log: $dir.build.log)"
        failed=$((failed + 1))
        return
    fi
    mv "$dir.build.log" "$dir/build.log"
    total=$(ctest --test-dir "$dir" -N | sed -nE 's/^Total Tests: ([0-9]+)$/\1/p')
    echo "=== $dir: ctest -j$JOBS ($total tests)"
    ctest --test-dir "$dir" -j"$JOBS" --output-on-failure 2>&1 | tee "$dir/ctest.log"
    # one line per test, e.g. " 3/92 Test  #7: unit/test-store ....   Passed    1.20 sec";
    # anything but Passed, Skipped or Disabled is a failure
    sed -nE 's/^ *[0-9]+\/[0-9]+ +Test +#[0-9]+: ([^ ]+) \.* *(\*\*\*)?(.*[^ ]) +[0-9.]+ sec$/\3 \1/p' \
        "$dir/ctest.log" > "$dir/ctest.results"
    p=$(grep -c '^Passed ' "$dir/ctest.results")
    k=$(grep -cE '^(Skipped|Not Run \(Disabled\)) ' "$dir/ctest.results")
    f=$(grep -vcE '^(Passed|Skipped|Not Run \(Disabled\)) ' "$dir/ctest.results")
    grep -vE '^Passed ' "$dir/ctest.results" | while read -r what; do
        echo "=== $dir: ${what##* } ${what% *}"
    done
    if [ -z "$total" ] || [ $((p + k + f)) != "$total" ]; then
        echo "=== $dir: ctest listed ${total:-no} tests but reported on $((p + k + f))"
        f=$((f + 1))
    fi
    echo "=== $dir: $p passed, $f failed, $k skipped"
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + k))
}

run_suite build
# GLib keeps one-time allocations (type system, GMime's charset tables) to
# exit; leak checking stays on unless RF_ASAN_OPTIONS says otherwise
export ASAN_OPTIONS=${RF_ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_suite build-san -DREFLECTOR_SANITIZE=ON
# the fuzz targets, with clang (tests/fuzz/; bench/fuzz.sh runs them long)
unset ASAN_OPTIONS UBSAN_OPTIONS
run_suite build-fuzz -DCMAKE_C_COMPILER=clang -DREFLECTOR_FUZZ=ON
echo "# total wall time $(( $(date +%s) - start )) s"
[ "$skipped" = 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
