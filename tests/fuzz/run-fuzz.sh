#!/bin/bash
# run-fuzz.sh TARGET SECONDS SEED-DIR... - one libFuzzer target for the
# suite (ctest, label fuzz): every seed once, then SECONDS of fuzzing.
# New inputs go to a scratch corpus (never into the tree); a crash, a leak
# or a broken promise (the targets abort) fails the test and leaves the
# input in the kept scratch directory, to be added to tests/fuzz/regress/
# once fixed.  Fails too when libFuzzer did not get through the seeds.
set -u
target=$1 budget=$2; shift 2
name=$(basename "$target")
work=$(mktemp -d "${TMPDIR:-/tmp}/rf-$name.XXXXXX")
mkdir -p "$work/corpus" "$work/tmp"
seeds=0
for d in "$@"; do
    [ -d "$d" ] || { echo "not ok - no seed directory $d"; exit 1; }
    seeds=$((seeds + $(find "$d" -type f | wc -l)))
done
# the target's state directory goes to $work/tmp; GLib's criticals abort
TMPDIR=$work/tmp G_DEBUG=fatal-criticals \
    "$target" -max_total_time="$budget" -timeout=30 -rss_limit_mb=2048 -max_len=262144 \
              -print_final_stats=1 -artifact_prefix="$work/" \
              -dict="$(dirname "$0")/mail.dict" \
              "$work/corpus" "$@" > "$work/log" 2>&1
rc=$?
grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+(INITED|DONE))|^stat::' "$work/log"
inited=$(sed -nE 's/^#([0-9]+)[[:space:]]+INITED.*/\1/p' "$work/log" | tail -1)
runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$work/log")
fail=0
if [ "$rc" != 0 ]; then
    echo "not ok - $name exited $rc"
    grep -E -A40 '^==[0-9]+==ERROR|^fuzz: |^SUMMARY|Test unit written' "$work/log" | head -80
    fail=1
elif [ -z "$inited" ] || [ "$inited" -lt $((seeds / 2)) ]; then
    # libFuzzer reads a seed directory recursively, and empty or duplicate
    # files are dropped: at least half of them must have been run
    echo "not ok - $name ran ${inited:-no} seeds of $seeds"
    fail=1
else
    echo "ok - $name: $seeds seeds, ${runs:-?} runs in ${budget}s of fuzzing, nothing found"
fi
if [ "$fail" = 0 ]; then rm -rf "$work"; else echo "# kept $work"; fi
exit "$fail"
