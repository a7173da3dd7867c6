#!/bin/bash
# memory.sh - benchmark (not a test): listdeliver's peak RSS with a 10 MB
# post (SIZE_MB) to lists of 1,000, 100,000 and 1,000,000 members (NS), the
# list with attachments = link: the attachment is sealed into the blob store
# and each copy carries its link; transport smtp into Postfix's smtp-sink.
# What must not grow with the list: recipients are read from the store in
# batches, never all at once; the post is rendered once.
#
# Prints, per N: the exit status, the copies the sink counted, the time,
# the peak RSS (/usr/bin/time -v); then the largest peak and the spread
# (largest / smallest - 1).  Goal: largest <= GOAL_MB (64) and spread <=
# GOAL_SPREAD (5%).  The reference in the same run: the same post with
# attachments = keep to KEEP_N members (default 100; 0 to skip): every
# copy carries the whole 10 MB, sent from one rendering.
#
# Exit status: 0 all runs good and within the goals; 1 a measured run
# failed (listdeliver's exit, or the sink not counting N copies); 2 runs
# good but a goal missed.
#
#   sudo bash bench/memory.sh
#   NS="1000 100000" sudo -E bash bench/memory.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
NS=${NS:-1000 100000 1000000}
SIZE_MB=${SIZE_MB:-10}
KEEP_N=${KEEP_N:-100}
GOAL_MB=${GOAL_MB:-64}
GOAL_SPREAD=${GOAL_SPREAD:-0.05}
BUILD=${BUILD:-$src/build}
RUN_USER=${RF_TEST_USER:-mtatest}

[ "$(id -u)" = 0 ] || { echo "memory.sh: run as root (sudo bash bench/memory.sh)" >&2; exit 1; }
for p in postfix time; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p" > /dev/null
done
getent passwd "$RUN_USER" > /dev/null ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER"
if [ ! -x "$BUILD/listdeliver" ] || [ ! -x "$BUILD/listctl" ]; then
    echo "# building in $BUILD"
    cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
    cmake --build "$BUILD" -j2 > /dev/null
fi

D=$(mktemp -d /tmp/reflector-bench-memory.XXXXXX)
chmod 755 "$D"
sink=
trap '[ -n "$sink" ] && kill "$sink" 2>/dev/null; rm -rf "$D"' EXIT
as_user() { setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" --init-groups -- "$@"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/sbin/smtp-sink -c -u "$RUN_USER" "127.0.0.1:$port" 256 > "$D/sink.out" 2>&1 &
sink=$!
sink_count() { sleep 0.5; c=$(tr '\r' '\n' < "$D/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1); echo "${c:-0}"; }
for _ in $(seq 1 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
done

mkpost() {   # mkpost FILE: text and a SIZE_MB attachment (base64), own Message-ID
    {
        printf 'From: Poster <poster@example.org>\nSubject: a big post\n'
        printf 'Date: %s\nMessage-ID: <mem.%s@example.org>\nMIME-Version: 1.0\n' "$(date -R)" "$(date +%s%N)"
        printf 'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\nThe data, attached.\n\n'
        printf -- '--b1\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="data.bin"\nContent-Transfer-Encoding: base64\n\n'
        head -c "$((SIZE_MB * 1024 * 1024 * 3 / 4))" /dev/urandom | base64 -w 76
        printf -- '--b1--\n'
    } > "$1"
    chmod 644 "$1"
}
mkdir -p -m 700 "$D/state"   # as listctl asks of a state directory
cp "$BUILD/listdeliver" "$BUILD/listctl" "$D/"
printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = smtp\nrelays = 127.0.0.1:%s\n[dmarc]\nresolver = none\n' \
    "$D/state" "$port" > "$D/reflector.conf"
chown -R "$RUN_USER:" "$D"
ctl() { as_user "$D/listctl" --config "$D/reflector.conf" "$@"; }
mkpost "$D/post"
echo "# a $(stat -c %s "$D/post")-byte post, N = $NS, transport smtp into smtp-sink, $(nproc) cores"

failed=0
run() {   # run LIST N LABEL
    local list=$1 n=$2 label=$3 c0 t0 t1 rc got rss
    mkpost "$D/post"
    c0=$(sink_count)
    t0=$(date +%s%N)
    set +e
    as_user /usr/bin/time -v -o "$D/time.out" "$D/listdeliver" --config "$D/reflector.conf" \
        -f poster@example.org "$list" < "$D/post" 2> "$D/ld.err"
    rc=$?
    set -e
    t1=$(date +%s%N)
    got=$(( $(sink_count) - c0 ))
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time.out")
    printf '  %-5s N=%-8d exit %d, sink %8d copies, %7s s, peak RSS %6.1f MB\n' \
        "$label" "$n" "$rc" "$got" "$(secs "$t0" "$t1")" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
    if [ "$rc" != 0 ] || [ "$got" != "$n" ]; then failed=1; sed 's/^/        /' "$D/ld.err"; fi
    echo "$rss" >> "$D/rss-$label"
}

for n in $NS; do
    awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "member%07d@example%02d.org\n", i, i % 97 }' > "$D/addrs"
    chmod 644 "$D/addrs"
    ctl create "m$n@lists.test" > /dev/null
    ctl set "m$n@lists.test" posting open
    ctl set "m$n@lists.test" attachments link
    ctl set "m$n@lists.test" max_message_size 50000000
    t0=$(date +%s%N)
    ctl subscribe "m$n@lists.test" --file "$D/addrs" > /dev/null
    echo "# $n members imported in $(secs "$t0" "$(date +%s%N)") s"
    run "m$n@lists.test" "$n" link
done
if [ "$KEEP_N" -gt 0 ]; then
    awk -v n="$KEEP_N" 'BEGIN { for (i = 1; i <= n; i++) printf "keep%07d@example%02d.org\n", i, i % 97 }' > "$D/addrs"
    ctl create keep@lists.test > /dev/null
    ctl set keep@lists.test posting open
    ctl set keep@lists.test max_message_size 50000000
    ctl subscribe keep@lists.test --file "$D/addrs" > /dev/null
    echo "# reference: attachments = keep, the whole post in every copy"
    run keep@lists.test "$KEEP_N" keep
fi

max=$(sort -n "$D/rss-link" | tail -1)
min=$(sort -n "$D/rss-link" | head -1)
spread=$(awk -v a="$max" -v b="$min" 'BEGIN { printf "%.3f", (b > 0 ? a / b - 1 : 0) }')
echo "# attachments = link: largest peak $(awk -v k="$max" 'BEGIN { printf "%.1f", k / 1024 }') MB (goal <= $GOAL_MB), spread $(awk -v s="$spread" 'BEGIN { printf "%.1f%%", s * 100 }') (goal <= $(awk -v s="$GOAL_SPREAD" 'BEGIN { printf "%g%%", s * 100 }'))"
if [ "$failed" != 0 ]; then echo "memory.sh: a measured run failed" >&2; exit 1; fi
awk -v m="$max" -v g="$GOAL_MB" -v s="$spread" -v gs="$GOAL_SPREAD" 'BEGIN { exit !(m / 1024 <= g && s <= gs) }' ||
    { echo "memory.sh: a goal is missed" >&2; exit 2; }
exit 0
