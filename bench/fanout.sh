#!/bin/bash
# fanout.sh - benchmark (not a test): listctl imports N generated addresses
# (default 100,000), then listdeliver fans one post out to all of them through
# a stub sendmail that only counts (bench/count-sendmail.c).  Prints the
# import time, the fan-out rate in copies/s and listdeliver's peak RSS, and
# beside it the same work without reflector (bench/ref-spawn.c): the same
# N copies of the same message to the same stub with the same argv, PARALLEL
# at a time, one posix_spawn per copy and no shell, which is what a
# sendmail fan-out cannot do with less.  Exits 1 when listdeliver or the
# reference failed, or either sent another number of copies than N: a
# rate of a failed run is no result.
#
#   sudo bash bench/fanout.sh            (root: listdeliver runs as mtatest)
#   N=20000 BUILD=build PARALLEL=8 bash bench/fanout.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
N=${N:-100000}
BUILD=${BUILD:-$src/build}
PARALLEL=${PARALLEL:-8}
RUN_USER=${RF_TEST_USER:-mtatest}

if [ ! -x "$BUILD/listdeliver" ] || [ ! -x "$BUILD/listctl" ]; then
    echo "# building in $BUILD"
    cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
    cmake --build "$BUILD" -j2 > /dev/null
fi
D=$(mktemp -d /tmp/reflector-bench.XXXXXX)
chmod 755 "$D"
trap 'rm -rf "$D"' EXIT
cc -O2 -Wall -Wextra -o "$D/count-sendmail" "$here/count-sendmail.c" -DCOUNT_FILE="\"$D/count\""
cc -O2 -Wall -Wextra -o "$D/ref-spawn" "$here/ref-spawn.c"
cp "$BUILD/listdeliver" "$BUILD/listctl" "$D/"

as_user() {
    if [ "$(id -u)" = 0 ]; then
        getent passwd "$RUN_USER" > /dev/null ||
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                    --shell /usr/sbin/nologin "$RUN_USER"
        setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" --init-groups -- "$@"
    else
        "$@"
    fi
}
mkdir -p -m 700 "$D/state"   # as listctl asks of a state directory
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = %s\n[dmarc]\nresolver = none\n' \
    "$D/state" "$D/count-sendmail" "$PARALLEL" > "$D/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RUN_USER:" "$D"

awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "member%06d@example%02d.org\n", i, i % 97 }' > "$D/addrs"
as_user "$D/listctl" --config "$D/reflector.conf" create bench@lists.test > /dev/null
as_user "$D/listctl" --config "$D/reflector.conf" set bench@lists.test posting open
t0=$(date +%s%N)
as_user "$D/listctl" --config "$D/reflector.conf" subscribe bench@lists.test --file "$D/addrs" > /dev/null
t1=$(date +%s%N)
members=$(as_user "$D/listctl" --config "$D/reflector.conf" members bench@lists.test | wc -l)
printf 'import:    %d addresses in %.2f s (%d members now)\n' "$N" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" "$members"

{
    printf 'From: Poster <poster@example.org>\nTo: bench@lists.test\nSubject: benchmark post\n'
    printf 'Date: %s\nMessage-ID: <bench.%s@example.org>\nMIME-Version: 1.0\n' "$(date -R)" "$(date +%s%N)"
    printf 'Content-Type: text/plain; charset=utf-8\n\n'
    for i in $(seq 1 40); do echo "Line $i of a benchmark post of a typical size, about two kilobytes."; done
} > "$D/msg"
chmod 644 "$D/msg"

: > "$D/count"; chmod 666 "$D/count"
TIMEV=
[ -x /usr/bin/time ] && TIMEV="/usr/bin/time -v -o $D/time.out"
t0=$(date +%s%N)
set +e
# shellcheck disable=SC2086
as_user $TIMEV "$D/listdeliver" --config "$D/reflector.conf" -f poster@example.org bench@lists.test \
    < "$D/msg" 2> "$D/ld.err"
rc=$?
set -e
t1=$(date +%s%N)
sent=$(stat -c %s "$D/count")
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
if [ -n "$TIMEV" ]; then
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time.out")
else
    rss='?'
fi
printf 'fan-out:   listdeliver exit %d, %d copies in %.2f s = %.0f copies/s, parallel=%s, peak RSS %s KiB\n' \
    "$rc" "$sent" "$secs" "$(awk -v n="$sent" -v s="$secs" 'BEGIN { print (s > 0 ? n / s : 0) }')" "$PARALLEL" "$rss"
failed=0
if [ "$rc" != 0 ] || [ "$sent" != "$N" ]; then
    echo "fanout.sh: listdeliver failed (exit $rc, $sent copies of $N):"
    sed 's/^/           /' "$D/ld.err"
    failed=1
fi

# reference: the same N copies of the same message to the same stub with
# the same argv and parallelism, one posix_spawn per copy, no shell
: > "$D/count"
t0=$(date +%s%N)
set +e
as_user "$D/ref-spawn" "$PARALLEL" "$D/msg" "$D/addrs" bench@lists.test "$D/count-sendmail" \
    > "$D/ref.out" 2>&1
ref_rc=$?
set -e
t1=$(date +%s%N)
sent=$(stat -c %s "$D/count")
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
printf 'reference: ref-spawn exit %d, %d copies in %.2f s = %.0f copies/s, parallel=%s\n' \
    "$ref_rc" "$sent" "$secs" "$(awk -v n="$sent" -v s="$secs" 'BEGIN { print (s > 0 ? n / s : 0) }')" "$PARALLEL"
if [ "$ref_rc" != 0 ] || [ "$sent" != "$N" ]; then
    echo "fanout.sh: the reference failed (exit $ref_rc, $sent copies of $N):"
    sed 's/^/           /' "$D/ref.out"
    failed=1
fi
exit "$failed"
