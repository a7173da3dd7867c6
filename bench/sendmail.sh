#!/bin/bash
# sendmail.sh - benchmark (not a test): reflector's sendmail transport
# beside K bare sendmail processes, in one run, same MTA, same message,
# same members:
#
#   reference  bench/ref-spawn.c: K sendmail processes at a time, no shell,
#              each reading the message file as its stdin (what the
#              transport would cost if it did nothing but run sendmail);
#   reflector  listdeliver, transport=sendmail, parallel=K: VERP, its
#              member's one-click lines and the one rendering made whole
#              in a memfd before each sendmail starts, progress in SQLite.
#
# The sendmail is a real one: a private Exim (tests/mta/mta-exim.sh, its
# binary run directly, no wrapper script) with -odq, so that each process
# takes the message into Exim's queue and no queue runner competes.
#
# For each K (KS, default "2 8"), ROUNDS rounds (default 3) of N copies
# (default 1000), interleaved (the order swaps every round); medians and
# their ratio are printed; the goal is reflector >= 0.9 x reference.
# Each run also prints the user+sys CPU per copy of it and its sendmails.
#
# Exit status: 0 all runs good and every ratio >= GOAL (0.9); 1 a measured
# run failed (non-zero exit, or Exim's queue did not grow by N); 2 the runs
# were good but a ratio is below the goal.
#
#   sudo bash bench/sendmail.sh
#   N=300 KS=8 ROUNDS=1 sudo -E bash bench/sendmail.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
N=${N:-1000}
KS=${KS:-2 8}
ROUNDS=${ROUNDS:-3}
GOAL=${GOAL:-0.9}
BUILD=${BUILD:-$src/build}

[ "$(id -u)" = 0 ] || { echo "sendmail.sh: run as root (sudo bash bench/sendmail.sh)" >&2; exit 1; }
for p in time; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p" > /dev/null
done
if [ ! -x "$BUILD/listdeliver" ] || [ ! -x "$BUILD/listctl" ]; then
    echo "# building in $BUILD"
    cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
    cmake --build "$BUILD" -j2 > /dev/null
fi
export RF_BIN=$BUILD RF_TESTS=$src/tests RF_SRC=$src RF_QUEUE_INTERVAL=24h
# shellcheck source=/dev/null
source "$RF_TESTS/lib/common.sh"
# shellcheck source=/dev/null
source "$RF_TESTS/mta/mta-exim.sh"
exim_up > /dev/null
failed=0
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
cpu_ms() { awk -v n="$1" '/User time|System time/ { t += $NF } END { printf "%.2f", t * 1e3 / n }' "$T/time.out"; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
queued() { exim_queue_count; }

cc -O2 -Wall -Wextra -o "$T/ref-spawn" "$here/ref-spawn.c"
mkmsg_bench() {   # a 5 KB post with its own Message-ID
    {
        printf 'From: Poster <poster@example.org>\nTo: bench@lists.test\nSubject: benchmark post\n'
        printf 'Date: %s\nMessage-ID: <bench.%s@example.org>\nMIME-Version: 1.0\n' "$(date -R)" "$(date +%s%N)"
        printf 'Content-Type: text/plain; charset=utf-8\n\n'
        for i in $(seq 1 72); do echo "Line $i of a benchmark post of a typical size, about five kilobytes."; done
    } > "$1"
    chmod 644 "$1"
}
mkmsg_bench "$T/msg"
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "member%06d@example%02d.org\n", i, i % 97 }' > "$T/addrs"
for k in $KS; do
    printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nsendmail_args = -C;%s;-odq\nparallel = %s\n[dmarc]\nresolver = none\n' \
        "$STATE" "$EXIM" "$EXIM_CONF" "$k" > "$T/reflector-$k.conf"
done
chown "$RUN_USER:" "$T"/reflector-*.conf "$T/addrs"
rf_listctl create bench@lists.test > /dev/null
rf_listctl set bench@lists.test posting open
rf_listctl subscribe bench@lists.test --file "$T/addrs" > /dev/null
echo "# $N members, K = $KS, $ROUNDS rounds, a $(stat -c %s "$T/msg")-byte post, sendmail = $EXIM -odq, $(nproc) cores"

run_ref() {   # run_ref K
    local k=$1 q0 t0 t1 rc got s
    q0=$(queued)
    t0=$(date +%s%N)
    set +e
    as_run_user /usr/bin/time -v -o "$T/time.out" "$T/ref-spawn" "$k" "$T/msg" "$T/addrs" bench@lists.test \
        "$EXIM" -C "$EXIM_CONF" -odq > "$T/ref.out" 2>&1
    rc=$?
    set -e
    t1=$(date +%s%N)
    got=$(( $(queued) - q0 ))
    s=$(secs "$t0" "$t1")
    printf '  reference  K=%d  exit %d, %5d copies queued in %7s s = %5s copies/s, CPU %s ms/copy (its sendmails too)\n' \
        "$k" "$rc" "$got" "$s" "$(rate "$got" "$s")" "$(cpu_ms "$N")"
    if [ "$rc" != 0 ] || [ "$got" != "$N" ]; then failed=1; sed 's/^/             /' "$T/ref.out"; fi
    echo -n " $(rate "$got" "$s")" >> "$T/ref-$k"
    echo -n " $(cpu_ms "$N")" >> "$T/refcpu-$k"
}

run_reflector() {   # run_reflector K
    local k=$1 q0 t0 t1 rc got s
    mkmsg_bench "$T/post"
    q0=$(queued)
    t0=$(date +%s%N)
    set +e
    as_run_user /usr/bin/time -v -o "$T/time.out" "$T/bin/listdeliver.bin" --config "$T/reflector-$k.conf" \
        -f poster@example.org bench@lists.test < "$T/post" 2> "$T/ld.err"
    rc=$?
    set -e
    t1=$(date +%s%N)
    got=$(( $(queued) - q0 ))
    s=$(secs "$t0" "$t1")
    printf '  reflector  K=%d  exit %d, %5d copies queued in %7s s = %5s copies/s, CPU %s ms/copy (its sendmails too)\n' \
        "$k" "$rc" "$got" "$s" "$(rate "$got" "$s")" "$(cpu_ms "$N")"
    if [ "$rc" != 0 ] || [ "$got" != "$N" ]; then failed=1; sed 's/^/             /' "$T/ld.err"; fi
    echo -n " $(rate "$got" "$s")" >> "$T/rf-$k"
    echo -n " $(cpu_ms "$N")" >> "$T/rfcpu-$k"
}

for r in $(seq 1 "$ROUNDS"); do
    echo "# round $r"
    for k in $KS; do
        if [ $((r % 2)) = 1 ]; then run_ref "$k"; run_reflector "$k"
        else run_reflector "$k"; run_ref "$k"; fi
    done
done

below=0
echo "# medians of $ROUNDS rounds: copies/s, and CPU ms a copy with the sendmails (steadier"
echo "# than the rate when other work shares the machine; its ratio is reference / reflector)"
printf '  %-3s %10s %10s %6s %9s %9s %6s\n' K reference reflector ratio ref-CPU rf-CPU ratio
for k in $KS; do
    ref=$(median < "$T/ref-$k")
    rf=$(median < "$T/rf-$k")
    ratio=$(awk -v a="$rf" -v b="$ref" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    refc=$(median < "$T/refcpu-$k")
    rfc=$(median < "$T/rfcpu-$k")
    cratio=$(awk -v a="$refc" -v b="$rfc" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    verdict=ok
    awk -v r="$ratio" -v g="$GOAL" 'BEGIN { exit !(r >= g) }' || { verdict="below the goal of $GOAL"; below=1; }
    printf '  %-3s %10s %10s %6s %9s %9s %6s  %s\n' "$k" "$ref" "$rf" "$ratio" "$refc" "$rfc" "$cratio" "$verdict"
done

if [ "$failed" != 0 ]; then echo "sendmail.sh: a measured run failed" >&2; exit 1; fi
if [ "$below" != 0 ]; then echo "sendmail.sh: a ratio is below the goal of $GOAL" >&2; exit 2; fi
exit 0
