#!/bin/bash
# kill.sh - benchmark (not a test): the kill-and-resume guarantee at scale.
# A list of MEMBERS members (default 10,000) gets one post; listdeliver is
# killed with SIGKILL at a random point of its fan-out, then run again with
# the same message, as the MTA's retry would, until it exits 0; then every
# member's copies are counted.  listdeliver(8) promises that after a kill
# nobody is missed and that the copies that can go twice are those whose
# outcome was not committed at that moment: at most `parallel` copies on
# their way plus at most 256 reported since the last commit, one copy too
# many each ("Outcomes are committed in groups").  So a trial with K kills
# may have at most K x (PARALLEL + 256) extra copies, and nobody more than
# 1 + K copies.
#
# First one uninterrupted run (from the same fresh state) is timed: its
# length L is the range of the kill points.  Then TRIALS trials, each from
# a fresh copy of the state directory (the list and its members, no
# delivery): a trial draws K kills (KILLS: a number, or LO..HI drawn
# uniformly); run i <= K is killed at a point drawn uniformly over its
# expected length after its start: [0, L) for the first run, [0, L x the
# share of the members without a copy yet) for a later one (a run that
# ends first is not killed: its exit says so, and the kill is not
# counted), and the runs go on until one exits 0 (at most MAX_RUNS runs;
# 75 is run again, as the MTA would, anything else ends the trial).
#
# Transports:
#   sendmail  (default) bench/record-sendmail.c, a stub that reads its copy
#             and appends "RECIPIENT whole BYTES" to a log (one write,
#             O_APPEND), or "RECIPIENT partial BYTES" when its input stopped
#             before the post's last line (a real sendmail -oi would queue
#             that truncated copy: the trial fails);
#             a killed listdeliver's sendmails finish on their own, and are
#             waited for before the count
#   smtp      tests/lib/fault-relay.py (python3), a relay that accepts
#             everything and logs each recipient when it has read the
#             message's final dot, before its reply
#
# One line per trial: the kill points (ms after the start of each run),
# the exit of every run, then missed (members without a whole copy),
# duplicates (members with more than one copy), extra (copies beyond the
# first, summed), max (most copies to one member), partial (truncated
# copies), and the window K x (PARALLEL + 256).  Then a summary.
#
# Exit status: 0 every guarantee held; 1 someone was missed, got a
# truncated copy or a copy meant for nobody, a trial's extra copies
# exceeded its window or someone got more than 1 + K copies, a trial did
# not end with exit 0, or the uninterrupted run was not exact; 2 a
# dependency is missing.
#
#   sudo nice -n 10 bash bench/kill.sh          (root: listdeliver runs as mtatest)
#   TRIALS=10 TRANSPORT=smtp MEMBERS=10000 PARALLEL=8 KILLS=1..3 SEED=42 bash bench/kill.sh
#   BUILD=build (the build directory), MAX_RUNS=20, POST_LINES=40 (about 2 KB)
set -eu
trap 'echo "kill.sh: line $LINENO failed" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
MEMBERS=${MEMBERS:-10000}
TRIALS=${TRIALS:-20}
PARALLEL=${PARALLEL:-8}
KILLS=${KILLS:-1..3}
TRANSPORT=${TRANSPORT:-sendmail}
MAX_RUNS=${MAX_RUNS:-20}
POST_LINES=${POST_LINES:-40}
SEED=${SEED:-$(( $(date +%s) % 32768 ))}
BUILD=${BUILD:-$src/build}
RUN_USER=${RF_TEST_USER:-mtatest}
COMMIT_EVERY=256   # listdeliver(8), "Outcomes are committed in groups"
WINDOW=$((PARALLEL + COMMIT_EVERY))

need() {   # need COMMAND PACKAGE
    command -v "$1" > /dev/null ||
        { echo "kill.sh: $1 is missing (apt-get install $2)" >&2; exit 2; }
}
need cc gcc
need awk gawk
need pgrep procps
need python3 python3
[ "$(id -u)" != 0 ] || need setpriv util-linux
case $TRANSPORT in
    sendmail) ;;
    smtp) [ -r "$src/tests/lib/fault-relay.py" ] ||
              { echo "kill.sh: $src/tests/lib/fault-relay.py is missing" >&2; exit 2; } ;;
    *) echo "kill.sh: TRANSPORT is sendmail or smtp, not $TRANSPORT" >&2; exit 2 ;;
esac
case $KILLS in
    *..*) KLO=${KILLS%..*} KHI=${KILLS#*..} ;;
    *) KLO=$KILLS KHI=$KILLS ;;
esac
if ! [ "$KLO" -ge 1 ] || ! [ "$KHI" -ge "$KLO" ] || ! [ "$MAX_RUNS" -gt "$KHI" ]; then
    echo "kill.sh: KILLS is N or LO..HI with 1 <= LO <= HI < MAX_RUNS, not $KILLS" >&2; exit 2
fi
RANDOM=$SEED

if [ ! -x "$BUILD/listdeliver" ] || [ ! -x "$BUILD/listctl" ]; then
    echo "# building in $BUILD"
    cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
    cmake --build "$BUILD" -j2 > /dev/null
fi
AS_USER=()
if [ "$(id -u)" = 0 ]; then
    getent passwd "$RUN_USER" > /dev/null ||
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$RUN_USER"
    AS_USER=(setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" --init-groups --)
fi
as_user() { "${AS_USER[@]}" "$@"; }

D=$(mktemp -d /tmp/reflector-bench-kill.XXXXXX)
chmod 755 "$D"
sink=
trap '[ -z "$sink" ] || kill "$sink" 2>/dev/null; rm -rf "$D"' EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
wall0=$(now_ms)
cp "$BUILD/listdeliver" "$BUILD/listctl" "$D/"
TAIL="End of the kill test post, $SEED."
cc -O2 -Wall -Wextra -o "$D/record-sendmail" "$here/record-sendmail.c" \
   -DRECORD_FILE="\"$D/log\"" -DRECORD_TAIL="\"$TAIL\""
: > "$D/log"
chmod 666 "$D/log"

if [ "$TRANSPORT" = smtp ]; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    python3 "$src/tests/lib/fault-relay.py" "$port" "$D/log" > "$D/sink.out" 2>&1 &
    sink=$!
    for _ in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
        sleep 0.1
    done
    kill -0 "$sink" 2>/dev/null || { echo "kill.sh: the relay did not start:" >&2; cat "$D/sink.out" >&2; exit 2; }
    transport_conf="transport = smtp
relays = 127.0.0.1:$port"
else
    transport_conf="sendmail = $D/record-sendmail"
fi
mkdir -p "$D/state0"
printf '[paths]\nstate_dir = %s\n[delivery]\n%s\nparallel = %s\n[dmarc]\nresolver = none\n' \
    "$D/state" "$transport_conf" "$PARALLEL" > "$D/reflector.conf"
sed "s|^state_dir = .*|state_dir = $D/state0|" "$D/reflector.conf" > "$D/setup.conf"
awk -v n="$MEMBERS" 'BEGIN { for (i = 1; i <= n; i++) printf "member%06d@example%02d.org\n", i, i % 97 }' \
    > "$D/members"
{
    printf 'From: Poster <poster@example.org>\nTo: kill@lists.test\nSubject: kill test post\n'
    printf 'Date: %s\nMessage-ID: <kill.%s@example.org>\nMIME-Version: 1.0\n' "$(date -R)" "$(date +%s%N)"
    printf 'Content-Type: text/plain; charset=utf-8\n\n'
    for i in $(seq 1 "$POST_LINES"); do echo "Line $i of a kill test post of a typical size, about two kilobytes."; done
    echo "$TAIL"
} > "$D/msg"
chmod 644 "$D/msg" "$D/members"
[ "$(id -u)" != 0 ] || chown -R "$RUN_USER:" "$D"
chmod 700 "$D/state0"
ctl() {
    as_user "$D/listctl" --config "$D/setup.conf" "$@" 2> "$D/ctl.err" ||
        { echo "kill.sh: listctl $* failed:" >&2; cat "$D/ctl.err" >&2; exit 1; }
}
ctl create kill@lists.test > /dev/null
ctl set kill@lists.test posting open
ctl subscribe kill@lists.test --file "$D/members" > /dev/null
members=$(ctl members kill@lists.test | grep -c '')
[ "$members" = "$MEMBERS" ] || { echo "kill.sh: the list has $members members, not $MEMBERS" >&2; exit 1; }

fresh() {   # a fresh state directory (the list, no delivery) and an empty log
    rm -rf "$D/state"
    cp -a "$D/state0" "$D/state"
    : > "$D/log"
}
settle() {   # the copies a killed run left on their way are finished
    local i
    for i in $(seq 1 100); do
        if [ "$TRANSPORT" = sendmail ]; then
            pgrep -f "^$D/record-sendmail " > /dev/null || break
        else
            # the relay logs a copy whose dot it already has: the log stops growing
            local s0
            s0=$(stat -c %s "$D/log"); sleep 0.2
            [ "$(stat -c %s "$D/log")" != "$s0" ] || break
        fi
        sleep 0.05
    done
}
# count: "missed duplicates extra max partial strangers SIZES" from the log
# (SIZES: the bytes each truncated copy had, or -)
count() {
    awk 'FNR == NR { member[$1] = 1; next }
         { n[$1]++; if (!($1 in member)) stranger++ }
         $2 == "partial" { part++; sizes = sizes (sizes == "" ? "" : ",") $3; next }
         { whole[$1]++ }
         END {
             for (m in member) {
                 if (!whole[m]) missed++
                 if (n[m] > 1) { dup++; extra += n[m] - 1 }
                 if (n[m] > max) max = n[m]
             }
             printf "%d %d %d %d %d %d %s\n", missed, dup, extra, max, part, stranger, (sizes == "" ? "-" : sizes)
         }' "$D/members" "$D/log"
}
ld_start() {   # the prefix form: $! is listdeliver itself
    "${AS_USER[@]}" "$D/listdeliver" --config "$D/reflector.conf" -f poster@example.org \
        kill@lists.test < "$D/msg" 2>> "$D/ld.err" &
    ld=$!
}

echo "# kill test: $MEMBERS members, transport $TRANSPORT, parallel $PARALLEL, $TRIALS trials," \
     "kills per trial $KILLS, seed $SEED, window per kill $PARALLEL + $COMMIT_EVERY = $WINDOW, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# the uninterrupted run: its length is the range of the kill points
fresh
: > "$D/ld.err"
t0=$(now_ms)
set +e
as_user "$D/listdeliver" --config "$D/reflector.conf" -f poster@example.org kill@lists.test \
    < "$D/msg" 2>> "$D/ld.err"
rc=$?
set -e
L=$(( $(now_ms) - t0 ))
settle
whole_size=$(awk '$2 == "whole" { print $3 " bytes"; exit }' "$D/log")
read -r missed dup extra max part stranger sizes <<< "$(count)"
printf 'uninterrupted: exit %d in %d ms, %d copies, missed %d, duplicates %d, partial %d\n' \
    "$rc" "$L" "$(grep -c '' "$D/log")" "$missed" "$dup" "$part"
if [ "$rc" != 0 ] || [ "$missed" != 0 ] || [ "$extra" != 0 ] || [ "$part" != 0 ] || [ "$stranger" != 0 ]; then
    echo "kill.sh: the uninterrupted run was not exact (exit $rc):" >&2
    sed 's/^/    /' "$D/ld.err" >&2
    exit 1
fi
[ "$L" -ge 1 ] || L=1

failed=0
total_missed=0 total_part=0 total_kills=0 total_runs=0
worst_extra=0 worst_per_kill=0 worst_max=0 worst_dup=0 beyond_parallel=0 over_window=0
printf '%-5s %-20s %-22s %6s %10s %6s %4s %7s %7s\n' \
    trial "kills (ms)" exits missed duplicates extra max partial window
for t in $(seq 1 "$TRIALS"); do
    fresh
    : > "$D/ld.err"
    k=$(( KLO + RANDOM % (KHI - KLO + 1) ))
    points='' exits='' kills=0 rc=''
    for r in $(seq 1 "$MAX_RUNS"); do
        if [ "$r" -le "$k" ]; then
            # over the expected length of this run: L for the first, the
            # share of L of the members not reached yet for a later one
            span=$(( L * (MEMBERS - $(wc -l < "$D/log")) / MEMBERS ))
            [ "$span" -ge 1 ] || span=1
            at=$(( (RANDOM * 32768 + RANDOM) % span ))
            t0=$(now_ms)
            ld_start
            left=$(( t0 + at - $(now_ms) ))
            [ "$left" -le 0 ] || sleep "$(awk -v m="$left" 'BEGIN { printf "%.3f", m / 1000 }')"
            # listdeliver is our child and not yet waited for: its pid cannot
            # be reused, and a run that ended already is a zombie, not hurt
            when=$(( $(now_ms) - t0 ))
            kill -9 "$ld" 2>/dev/null || true
            set +e; { wait "$ld"; } 2> /dev/null; rc=$?; set -e
            if [ "$rc" = 137 ]; then
                kills=$((kills + 1))
                points="$points${points:+,}$when"
                settle
            fi
        else
            set +e
            as_user "$D/listdeliver" --config "$D/reflector.conf" -f poster@example.org kill@lists.test \
                < "$D/msg" 2>> "$D/ld.err"
            rc=$?
            set -e
        fi
        exits="$exits${exits:+,}$rc"
        case $rc in 0) break ;; 75|137) ;; *) break ;; esac
    done
    total_runs=$((total_runs + r))
    total_kills=$((total_kills + kills))
    settle
    read -r missed dup extra max part stranger sizes <<< "$(count)"
    window=$(( kills * WINDOW ))
    note=
    [ "$rc" = 0 ] || note="$note; the last run exited $rc"
    [ "$missed" = 0 ] || note="$note; $missed missed"
    [ "$part" = 0 ] || note="$note; $part truncated copies (they had $sizes bytes; a whole copy ${whole_size:-?})"
    [ "$stranger" = 0 ] || note="$note; $stranger copies to non-members"
    [ "$extra" -le "$window" ] || { note="$note; extra copies above the window"; over_window=1; }
    [ "$max" -le $((1 + kills)) ] || { note="$note; someone got $max copies"; over_window=1; }
    printf '%-5d %-20s %-22s %6d %10d %6d %4d %7d %7d%s\n' \
        "$t" "${points:--}" "$exits" "$missed" "$dup" "$extra" "$max" "$part" "$window" "$note"
    if [ -n "$note" ]; then
        failed=1
        [ ! -s "$D/ld.err" ] || sed 's/^/      listdeliver: /' "$D/ld.err" | sort | uniq -c | head -5
    fi
    total_missed=$((total_missed + missed))
    total_part=$((total_part + part))
    [ "$extra" -le "$worst_extra" ] || worst_extra=$extra
    [ "$dup" -le "$worst_dup" ] || worst_dup=$dup
    [ "$max" -le "$worst_max" ] || worst_max=$max
    if [ "$kills" -gt 0 ]; then
        per=$(( (extra + kills - 1) / kills ))
        [ "$per" -le "$worst_per_kill" ] || worst_per_kill=$per
        [ "$extra" -le $((kills * PARALLEL)) ] || beyond_parallel=$((beyond_parallel + 1))
    fi
done

wall=$(( $(now_ms) - wall0 ))
echo "summary: $TRIALS trials, $total_kills kills, $total_runs runs; missed $total_missed;" \
     "truncated copies $total_part; worst trial $worst_dup members with duplicates, $worst_extra extra copies" \
     "(worst mean per kill of a trial $worst_per_kill; window $WINDOW per kill); most copies to one member $worst_max;" \
     "trials above kills x parallel ($PARALLEL) $beyond_parallel;" \
     "within window: $([ "$over_window" = 0 ] && echo yes || echo no); wall time $((wall / 1000)) s"
if [ "$failed" != 0 ]; then echo "kill.sh: a guarantee was broken (see the trials above)" >&2; exit 1; fi
exit 0
