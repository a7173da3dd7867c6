#!/bin/bash
# search.sh - benchmark (not a test): the archive search of listweb.
# Builds an archive of N posts (default 100,000) made from the corpus's text
# with varied words, through the archive API (rf_archive_add, as listdeliver
# does after each delivery; no MTA), then runs Q searches (default 1,000) of
# varied terms through rf_archive_search (common, middling and rare words,
# two words, prefixes and phrases; half by rank, half by date; a page of 20
# with snippets and the total count), then the worst queries we can
# construct (the commonest word 12, 250 and 1,000 times, the 40 commonest
# words, 30 words joined by OR, 20 prefixes of 3 and of 5 letters, a phrase
# of 12 words, 20 phrases), each by rank and by date.  Prints build time,
# archive size on disk, p50/p90/p99 latency, each worst query's time and
# peak RSS.  Targets: p99 under 100 ms, every worst query under 1 s; the
# exit status is 2 when one is missed (issue 11).
#
#   bash bench/search.sh
#   N=20000 Q=500 BUILD=build SEED=7 bash bench/search.sh
#
# The driver is bench/search-bench.c, built here as CMake's search-bench
# target (not part of the default build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
N=${N:-100000}
Q=${Q:-1000}
SEED=${SEED:-4}
BUILD=${BUILD:-$src/build}

echo "# building search-bench in $BUILD"
[ -f "$BUILD/CMakeCache.txt" ] ||
    cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$BUILD" -j2 --target search-bench > /dev/null
D=$(mktemp -d /tmp/reflector-search-bench.XXXXXX)
trap 'rm -rf "$D"' EXIT

TIMEV=
[ -x /usr/bin/time ] && TIMEV="/usr/bin/time -v -o $D/time.out"
set +e
# shellcheck disable=SC2086
$TIMEV "$BUILD/search-bench" "$D/state" "$src/tests/data/corpus" "$N" "$Q" "$SEED"
rc=$?
set -e
if [ -n "$TIMEV" ] && [ -f "$D/time.out" ]; then
    printf 'process:   peak RSS %s KiB (time -v), %s s elapsed\n' \
        "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time.out")" \
        "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$D/time.out")"
fi
printf 'disk:      %s\n' "$(du -sh "$D/state" | cut -f1) in the state directory"
exit $rc
