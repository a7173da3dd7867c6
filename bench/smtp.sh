#!/bin/bash
# smtp.sh - benchmark (not a test): one post fanned out to N members
# (default 20,000) over SMTP into Postfix's smtp-sink, which accepts and
# discards.  Three runs in one invocation, same message, same sink:
#
#   limit      smtp-source -> smtp-sink: N messages over PARALLEL sessions,
#              what the sink and the loopback can take at all;
#   reflector  listdeliver, transport=smtp, PARALLEL connections, one VERP
#              envelope and one one-click link per copy, progress recorded
#              per copy in SQLite (the cost of "nothing twice");
#   mlmmj      mlmmj-send (Debian's mlmmj), the peer: one copy per member
#              with its own bounce address, as it does by default, over
#              PARALLEL connections (its members split into as many files),
#              for the first MLMMJ_N members (default 2,000: it is slow, and
#              its rate does not depend on the count).  It writes each
#              command, the body and the dot with separate writes and waits
#              for every reply, without TCP_NODELAY, so on Linux each copy
#              also waits for the sink's delayed ACK (~40 ms): that is what
#              it costs as shipped.
#
# smtp-source opens a session per message, so it is a reference for what
# the sink takes from a simple client, not a ceiling for a client that
# reuses connections.
#
# Prints copies/s for each and listdeliver's peak RSS.  Needs root (it
# installs mlmmj and postfix's tools when missing, and runs the programs as
# an unprivileged user).
#
#   sudo bash bench/smtp.sh
#   N=100000 PARALLEL=16 bash bench/smtp.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
N=${N:-20000}
MLMMJ_N=${MLMMJ_N:-2000}
PARALLEL=${PARALLEL:-8}
BUILD=${BUILD:-$src/build}
RUN_USER=${RF_TEST_USER:-mtatest}

[ "$(id -u)" = 0 ] || { echo "smtp.sh: run as root (sudo bash bench/smtp.sh)" >&2; exit 1; }
for p in mlmmj postfix time; do
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

D=$(mktemp -d /tmp/reflector-bench-smtp.XXXXXX)
chmod 755 "$D"
sink=
trap '[ -n "$sink" ] && kill "$sink" 2>/dev/null; rm -rf "$D"' EXIT
as_user() { setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" --init-groups -- "$@"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# the sink: PIPELINING on (its default), a backlog as deep as the sessions;
# -c keeps a running count of the messages it took, which each run's figure
# is checked against
/usr/sbin/smtp-sink -c -u "$RUN_USER" "127.0.0.1:$port" 256 > "$D/sink.out" 2>&1 &
sink=$!
sink_count() { sleep 0.3; tr '\r' '\n' < "$D/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1; }
for _ in $(seq 1 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
done

{
    printf 'From: Poster <poster@example.org>\nTo: bench@lists.test\nSubject: benchmark post\n'
    printf 'Date: %s\nMessage-ID: <bench.%s@example.org>\nMIME-Version: 1.0\n' "$(date -R)" "$(date +%s%N)"
    printf 'Content-Type: text/plain; charset=utf-8\n\n'
    for i in $(seq 1 40); do echo "Line $i of a benchmark post of a typical size, about two kilobytes."; done
} > "$D/msg"
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "member%06d@example%02d.org\n", i, i % 97 }' > "$D/addrs"
echo "# $N members, a $(stat -c %s "$D/msg")-byte post, $PARALLEL sessions, sink on 127.0.0.1:$port"

# --- limit: smtp-source -------------------------------------------------------
c0=$(sink_count); c0=${c0:-0}
t0=$(date +%s%N)
/usr/sbin/smtp-source -s "$PARALLEL" -m "$N" -f poster@example.org -t member@example.org \
    -F "$D/msg" "127.0.0.1:$port"
t1=$(date +%s%N)
s=$(secs "$t0" "$t1")
got=$(( $(sink_count) - c0 ))
printf 'limit:     smtp-source -> smtp-sink, %d messages in %s s = %s msg/s\n' "$got" "$s" "$(rate "$got" "$s")"

# --- reflector ------------------------------------------------------------------
mkdir -p "$D/state"
cp "$BUILD/listdeliver" "$BUILD/listctl" "$D/"
printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = smtp\nrelays = 127.0.0.1:%s\nparallel = %s\n[dmarc]\nresolver = none\n' \
    "$D/state" "$port" "$PARALLEL" > "$D/reflector.conf"
chown -R "$RUN_USER:" "$D"
as_user "$D/listctl" --config "$D/reflector.conf" create bench@lists.test > /dev/null
as_user "$D/listctl" --config "$D/reflector.conf" set bench@lists.test posting open
as_user "$D/listctl" --config "$D/reflector.conf" subscribe bench@lists.test --file "$D/addrs" > /dev/null
c0=$(sink_count)
t0=$(date +%s%N)
set +e
as_user /usr/bin/time -v -o "$D/time.out" "$D/listdeliver" --config "$D/reflector.conf" \
    -f poster@example.org bench@lists.test < "$D/msg" 2> "$D/ld.err"
rc=$?
set -e
t1=$(date +%s%N)
s=$(secs "$t0" "$t1")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time.out")
got=$(( $(sink_count) - c0 ))
sent=$(as_user /usr/bin/python3 -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("SELECT detail FROM activity WHERE action = ? ORDER BY id DESC LIMIT 1", ("post",)).fetchone()
print(r[0].split()[0] if r else 0)' "$D/state/reflector.db")
printf 'reflector: listdeliver exit %d, %s copies in %s s = %s copies/s, peak RSS %s KiB (sink counted %s, listdeliver %s)\n' \
    "$rc" "$got" "$s" "$(rate "$got" "$s")" "$rss" "$got" "$sent"
[ "$rc" = 0 ] || sed 's/^/           /' "$D/ld.err"

# --- mlmmj ------------------------------------------------------------------------
mkdir -p "$D/ml"
printf 'lists.test\nowner@lists.test\nen\n' | /usr/bin/mlmmj-make-ml -L bench -s "$D/ml" > /dev/null 2>&1
L=$D/ml/bench
echo "$port" > "$L/control/smtpport"
echo 127.0.0.1 > "$L/control/relayhost"
echo + > "$L/control/delimiter"
# mlmmj-send opens one connection per file of subscribers.d (normally one
# file per first character): PARALLEL files give it PARALLEL connections
[ "$MLMMJ_N" -le "$N" ] || MLMMJ_N=$N
head -n "$MLMMJ_N" "$D/addrs" > "$D/ml-addrs"
split -n "l/$PARALLEL" -d "$D/ml-addrs" "$L/subscribers.d/part"
cp "$D/msg" "$D/ml-msg"
chown -R "$RUN_USER:" "$D/ml" "$D/ml-msg"
c0=$(sink_count)
t0=$(date +%s%N)
# (not -a: this mlmmj-send crashes without an archive file name).  Its
# parent can hang after its children are done (a lost SIGCHLD), so the time
# is taken when the sink has all copies, or the last copy it got when the
# count stops for 10 s; a mlmmj-send still running then is killed.
as_user /usr/bin/mlmmj-send -L "$L" -m "$D/ml-msg" > "$D/ml.out" 2>&1 &
ml=$!
last=$c0 t_last=$t0 note=
while :; do
    sleep 0.2
    cur=$(tr '\r' '\n' < "$D/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1)
    now=$(date +%s%N)
    if [ "$cur" != "$last" ]; then last=$cur t_last=$now; fi
    [ $((cur - c0)) -ge "$MLMMJ_N" ] && break
    kill -0 "$ml" 2>/dev/null || break
    [ $(( (now - t_last) / 1000000000 )) -ge 10 ] && break
done
if kill -0 "$ml" 2>/dev/null; then
    sleep 1
    if kill -0 "$ml" 2>/dev/null; then pkill -P "$ml" 2>/dev/null; kill "$ml" 2>/dev/null; note=" (mlmmj-send hung and was killed)"; fi
fi
set +e
wait "$ml"; rc=$?
set -e
got=$(( $(sink_count) - c0 ))
s=$(secs "$t0" "$t_last")
printf 'mlmmj:     mlmmj-send exit %d, %d copies in %s s = %s copies/s (%s connections, one per subscribers.d file)%s\n' \
    "$rc" "$got" "$s" "$(rate "$got" "$s")" "$PARALLEL" "$note"
