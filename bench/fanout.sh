#!/bin/bash
# fanout.sh - benchmark (not a test): listctl imports N generated addresses
# (default 100,000), then listdeliver fans one post out to all of them through
# a stub sendmail that only counts (bench/count-sendmail.c).  Prints the
# import time, the fan-out rate in copies/s and listdeliver's peak RSS, and
# beside it the same stub driven by a plain reference loop (xargs -P, the
# same parallelism, one exec of the stub per copy).
#
#   sudo bash bench/fanout.sh            (root: listdeliver runs as mtatest)
#   N=20000 REF_N=5000 BUILD=build PARALLEL=8 bash bench/fanout.sh
#
# Exits 1 when listdeliver failed or a copy is missing, in either run.
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
mkdir -p "$D/state"
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
if [ "$rc" != 0 ] || [ "$sent" != "$members" ]; then
    failed=1; sed 's/^/           /' "$D/ld.err"
fi

# reference: the same stub, the same message, the same parallelism, driven
# by xargs: one sh and one stub per copy, what a naive shell reflector costs.
# REF_N copies (default 10,000: the loop is slow, and its rate does not
# depend on the count)
REF_N=${REF_N:-10000}
[ "$REF_N" -le "$N" ] || REF_N=$N
head -n "$REF_N" "$D/addrs" > "$D/ref-addrs"
: > "$D/count"
cat > "$D/ref.sh" <<EOF
#!/bin/sh
exec "$D/count-sendmail" -oi -f bench-bounces@lists.test -- "\$1" < "$D/msg"
EOF
chmod 755 "$D/ref.sh"
t0=$(date +%s%N)
as_user xargs -a "$D/ref-addrs" -P "$PARALLEL" -n 1 "$D/ref.sh"
t1=$(date +%s%N)
sent=$(stat -c %s "$D/count")
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
printf 'reference: xargs -P %s, %d copies in %.2f s = %.0f copies/s\n' \
    "$PARALLEL" "$sent" "$secs" "$(awk -v n="$sent" -v s="$secs" 'BEGIN { print (s > 0 ? n / s : 0) }')"
[ "$sent" = "$REF_N" ] || { echo "fanout.sh: the reference sent $sent of $REF_N" >&2; failed=1; }
# a benchmark whose run failed measures nothing (issue 14)
[ "$failed" = 0 ] || { echo "fanout.sh: a measured run failed" >&2; exit 1; }
exit 0
