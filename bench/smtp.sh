#!/bin/bash
# smtp.sh - benchmark (not a test): one post fanned out over SMTP into
# Postfix's smtp-sink (accepts and discards), reflector beside the limit of
# a client on this machine, in one run, same sink, same 5 KB post, same
# members:
#
#   reference  bench/ref-sender.c: a pipelined C client, one connection per
#              thread, each copy's envelope written with the previous body
#              and dot in one writev, replies read in batches, nothing
#              recorded: the wire's limit for a client.  It sends the bytes
#              reflector sends: the post as the list renders it (with the
#              list's header fields, List-Id and the rest, about 6% of a
#              copy), captured from a copy reflector sent to a one-member
#              list of the same name, less that copy's own lines, which
#              ref-sender makes for each copy as reflector does.  The sink
#              is the limit of both (it is near 100% busy in the
#              reference's runs): a reference that sent less would be
#              measured on less work;
#   reflector  listdeliver, transport=smtp, with everything it does per
#              copy: VERP, its member's one-click link, progress in SQLite;
#   mlmmj      mlmmj-send (Debian's mlmmj 1.3.0), the peer, for the record:
#              at the same N through an LD_PRELOAD shim that sets
#              TCP_NODELAY on its sockets (its best case: as shipped, each of
#              its separate small writes waits for the sink's delayed ACK),
#              and as shipped on MLMMJ_SHIPPED_N members (default 1,000: it
#              runs at a few dozen copies/s).
#
# For each N (NS, default "20000 100000") and each number of connections
# (CONNS, default "2 8"), ROUNDS rounds (default 3) of reference and
# reflector, interleaved (the order swaps every round), so that the noise
# of the shared machine falls on both.  The medians and their ratio are
# printed; the goal is reflector >= 0.9 x reference.  Each run also
# prints its user+sys CPU per copy, which the load of other work on the
# machine disturbs less than the rate.
#
# Exit status: 0 all runs good and every ratio >= GOAL (0.9); 1 a measured
# run failed (non-zero exit, or the sink did not count every copy);
# 2 the runs were good but a ratio is below the goal.
#
#   sudo bash bench/smtp.sh
#   NS=20000 CONNS=8 ROUNDS=1 sudo -E bash bench/smtp.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
NS=${NS:-20000 100000}
CONNS=${CONNS:-2 8}
ROUNDS=${ROUNDS:-3}
GOAL=${GOAL:-0.9}
MLMMJ=${MLMMJ:-1}
MLMMJ_SHIPPED_N=${MLMMJ_SHIPPED_N:-1000}
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
capture_sink=
trap '[ -n "$sink" ] && kill "$sink" 2>/dev/null; [ -n "$capture_sink" ] && kill "$capture_sink" 2>/dev/null; rm -rf "$D"' EXIT
failed=0
as_user() { setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" --init-groups -- "$@"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
# user+sys CPU of the last timed run per copy, in microseconds: steadier
# than the rate when other work shares the machine
cpu_us() { awk -v n="$1" '/User time|System time/ { t += $NF } END { printf "%.1f", t * 1e6 / n }' "$D/time.out"; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
capture_port=$(free_port)

cc -O2 -Wall -Wextra -pthread -o "$D/ref-sender" "$here/ref-sender.c"
# mlmmj's best case: TCP_NODELAY on every TCP socket it opens
cat > "$D/nodelay.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
int connect (int fd, const struct sockaddr *sa, socklen_t len)
{
  static int (*real) (int, const struct sockaddr *, socklen_t);
  int one = 1;
  if (!real)
    real = (int (*) (int, const struct sockaddr *, socklen_t)) dlsym (RTLD_NEXT, "connect");
  if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
    setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return real (fd, sa, len);
}
EOF
cc -O2 -shared -fPIC -o "$D/nodelay.so" "$D/nodelay.c" -ldl

# the sink: PIPELINING on (its default), a backlog as deep as the sessions;
# -c keeps a running count of the messages it took, which each run's figure
# is checked against
/usr/sbin/smtp-sink -c -u "$RUN_USER" "127.0.0.1:$port" 256 > "$D/sink.out" 2>&1 &
sink=$!
# the capture sink: a copy of each message it takes, in a file of its own
mkdir -p "$D/capture"
chown "$RUN_USER:" "$D/capture"
/usr/sbin/smtp-sink -u "$RUN_USER" -d "$D/capture/%M." "127.0.0.1:$capture_port" 16 > "$D/capture.out" 2>&1 &
capture_sink=$!
sink_now() { tr '\r' '\n' < "$D/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1; }
sink_count() { sleep 0.3; c=$(sink_now); echo "${c:-0}"; }
for _ in $(seq 1 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1); socket.create_connection(('127.0.0.1', $capture_port), 1)" 2>/dev/null && break
    sleep 0.1
done

mkmsg() {   # mkmsg FILE: a 5 KB post with its own Message-ID
    {
        printf 'From: Poster <poster@example.org>\nTo: bench@lists.test\nSubject: benchmark post\n'
        printf 'Date: %s\nMessage-ID: <bench.%s@example.org>\nMIME-Version: 1.0\n' "$(date -R)" "$(date +%s%N)"
        printf 'Content-Type: text/plain; charset=utf-8\n\n'
        for i in $(seq 1 72); do echo "Line $i of a benchmark post of a typical size, about five kilobytes."; done
    } > "$1"
    chmod 644 "$1"
}
mkmsg "$D/msg"
max=0
for n in $NS; do [ "$n" -gt "$max" ] && max=$n; done
awk -v n="$max" 'BEGIN { for (i = 1; i <= n; i++) printf "member%06d@example%02d.org\n", i, i % 97 }' > "$D/addrs-all"
echo "# N = $NS, connections = $CONNS, $ROUNDS rounds, a $(stat -c %s "$D/msg")-byte post, sink on 127.0.0.1:$port, $(nproc) cores"

# one list per N
mkdir -p "$D/state"
cp "$BUILD/listdeliver" "$BUILD/listctl" "$D/"
for p in $CONNS; do
    printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = smtp\nrelays = 127.0.0.1:%s\nparallel = %s\n[dmarc]\nresolver = none\n' \
        "$D/state" "$port" "$p" > "$D/reflector-$p.conf"
done
first_conf=$D/reflector-$(echo "$CONNS" | awk '{ print $1 }').conf
mkdir -p "$D/capture-state"
printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = smtp\nrelays = 127.0.0.1:%s\nparallel = 1\n[dmarc]\nresolver = none\n' \
    "$D/capture-state" "$capture_port" > "$D/capture.conf"
chown -R "$RUN_USER:" "$D"
chmod 700 "$D/state" "$D/capture-state"   # as listctl asks of a state directory
for n in $NS; do
    head -n "$n" "$D/addrs-all" > "$D/addrs-$n"
    as_user "$D/listctl" --config "$first_conf" create "bench$n@lists.test" > /dev/null
    as_user "$D/listctl" --config "$first_conf" set "bench$n@lists.test" posting open
    as_user "$D/listctl" --config "$first_conf" subscribe "bench$n@lists.test" --file "$D/addrs-$n" > /dev/null
    # the reference's message: one copy of the same post from a list of the
    # same name with one member, as the capture sink took it (its X- lines
    # of the envelope first, an empty line last), less the copy's own lines
    as_user "$D/listctl" --config "$D/capture.conf" create "bench$n@lists.test" > /dev/null
    as_user "$D/listctl" --config "$D/capture.conf" set "bench$n@lists.test" posting open
    head -n 1 "$D/addrs-all" > "$D/addrs-capture"
    as_user "$D/listctl" --config "$D/capture.conf" subscribe "bench$n@lists.test" --file "$D/addrs-capture" > /dev/null
    mkmsg "$D/post"
    rm -f "$D"/capture/*
    if ! as_user "$D/listdeliver" --config "$D/capture.conf" -f poster@example.org "bench$n@lists.test" \
            < "$D/post" 2> "$D/ld.err"; then
        echo "smtp.sh: the capture of the rendered post failed:" >&2; cat "$D/ld.err" >&2; exit 1
    fi
    for _ in $(seq 1 50); do [ -n "$(ls "$D/capture")" ] && break; sleep 0.1; done
    dump=$(ls "$D"/capture/* 2>/dev/null | head -n 1)
    [ -n "$dump" ] || { echo "smtp.sh: the capture sink took no copy" >&2; exit 1; }
    awk 'started == 0 && /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args):/ { next }
         { started = 1 }
         /^List-Unsubscribe(-Post)?:/ { own = 1; next }
         own && /^[ \t]/ { next }
         { own = 0; line[++n] = $0 }
         END { if (n > 0 && line[n] == "") n--; for (i = 1; i <= n; i++) print line[i] }' \
        "$dump" > "$D/msg-$n"
    grep -q '^List-Id: ' "$D/msg-$n" && ! grep -q '^List-Unsubscribe' "$D/msg-$n" ||
        { echo "smtp.sh: the captured post is not a list's rendering:" >&2; head -n 30 "$D/msg-$n" >&2; exit 1; }
    echo "# N = $n: the reference sends the list's rendering of the post, $(stat -c %s "$D/msg-$n") bytes, and its own lines per copy"
done
chmod 644 "$D"/addrs-* "$D"/msg-*

run_ref() {   # run_ref N P -> appends the rate to $D/ref-N-P
    local n=$1 p=$2 c0 t0 t1 rc got s
    c0=$(sink_count)
    t0=$(date +%s%N)
    set +e
    as_user /usr/bin/time -v -o "$D/time.out" "$D/ref-sender" 127.0.0.1 "$port" "$p" "$D/msg-$n" \
        "$D/addrs-$n" "bench$n@lists.test" > "$D/ref.out" 2>&1
    rc=$?
    set -e
    t1=$(date +%s%N)
    got=$(( $(sink_count) - c0 ))
    s=$(secs "$t0" "$t1")
    printf '  reference  N=%-6d P=%d  exit %d, sink %6d copies in %6s s = %6s copies/s, CPU %s us/copy\n' \
        "$n" "$p" "$rc" "$got" "$s" "$(rate "$got" "$s")" "$(cpu_us "$n")"
    if [ "$rc" != 0 ] || [ "$got" != "$n" ]; then
        failed=1; sed 's/^/             /' "$D/ref.out"
    fi
    echo -n " $(rate "$got" "$s")" >> "$D/ref-$n-$p"
}

run_reflector() {   # run_reflector N P -> appends the rate to $D/rf-N-P
    local n=$1 p=$2 c0 t0 t1 rc got s rss
    mkmsg "$D/post"
    c0=$(sink_count)
    t0=$(date +%s%N)
    set +e
    as_user /usr/bin/time -v -o "$D/time.out" "$D/listdeliver" --config "$D/reflector-$p.conf" \
        -f poster@example.org "bench$n@lists.test" < "$D/post" 2> "$D/ld.err"
    rc=$?
    set -e
    t1=$(date +%s%N)
    got=$(( $(sink_count) - c0 ))
    s=$(secs "$t0" "$t1")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time.out")
    printf '  reflector  N=%-6d P=%d  exit %d, sink %6d copies in %6s s = %6s copies/s, CPU %s us/copy, peak RSS %s KiB\n' \
        "$n" "$p" "$rc" "$got" "$s" "$(rate "$got" "$s")" "$(cpu_us "$n")" "$rss"
    if [ "$rc" != 0 ] || [ "$got" != "$n" ]; then
        failed=1; sed 's/^/             /' "$D/ld.err"
    fi
    echo -n " $(rate "$got" "$s")" >> "$D/rf-$n-$p"
}

for r in $(seq 1 "$ROUNDS"); do
    echo "# round $r"
    for n in $NS; do
        for p in $CONNS; do
            if [ $((r % 2)) = 1 ]; then run_ref "$n" "$p"; run_reflector "$n" "$p"
            else run_reflector "$n" "$p"; run_ref "$n" "$p"; fi
        done
    done
done

below=0
echo "# medians of $ROUNDS rounds (copies/s)"
printf '  %-7s %-3s %10s %10s %6s\n' N conns reference reflector ratio
for n in $NS; do
    for p in $CONNS; do
        ref=$(median < "$D/ref-$n-$p")
        rf=$(median < "$D/rf-$n-$p")
        ratio=$(awk -v a="$rf" -v b="$ref" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        verdict=ok
        awk -v r="$ratio" -v g="$GOAL" 'BEGIN { exit !(r >= g) }' || { verdict="below the goal of $GOAL"; below=1; }
        printf '  %-7s %-3s %10s %10s %6s  %s\n' "$n" "$p" "$ref" "$rf" "$ratio" "$verdict"
    done
done

# --- mlmmj, for the record ----------------------------------------------------------
run_mlmmj() {   # run_mlmmj N P PRELOAD LABEL
    local n=$1 p=$2 preload=$3 label=$4 c0 t0 rc got s ml last t_last note= cur now L
    rm -rf "$D/ml"; mkdir -p "$D/ml"
    printf 'lists.test\nowner@lists.test\nen\n' | /usr/bin/mlmmj-make-ml -L bench -s "$D/ml" > /dev/null 2>&1
    L=$D/ml/bench
    echo "$port" > "$L/control/smtpport"
    echo 127.0.0.1 > "$L/control/relayhost"
    echo + > "$L/control/delimiter"
    # mlmmj-send opens one connection per file of subscribers.d (normally one
    # file per first character): P files give it P connections
    head -n "$n" "$D/addrs-all" > "$D/ml-addrs"
    split -n "l/$p" -d "$D/ml-addrs" "$L/subscribers.d/part"
    cp "$D/msg" "$D/ml-msg"
    chown -R "$RUN_USER:" "$D/ml" "$D/ml-msg"
    c0=$(sink_count)
    t0=$(date +%s%N)
    # (not -a: this mlmmj-send crashes without an archive file name).  Its
    # parent can hang after its children are done (a lost SIGCHLD), so the
    # time is taken when the sink has all copies, or at the last copy it got
    # when the count stops for 10 s; a mlmmj-send still running then is
    # killed (its own process group: nothing else is touched)
    setsid env ${preload:+LD_PRELOAD=$preload} setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" \
        --init-groups -- /usr/bin/mlmmj-send -L "$L" -m "$D/ml-msg" > "$D/ml.out" 2>&1 &
    ml=$!
    last=$c0 t_last=$t0
    while :; do
        sleep 0.2
        cur=$(sink_now)
        now=$(date +%s%N)
        if [ "$cur" != "$last" ]; then last=$cur t_last=$now; fi
        [ $((cur - c0)) -ge "$n" ] && break
        kill -0 "$ml" 2>/dev/null || break
        [ $(( (now - t_last) / 1000000000 )) -ge 10 ] && break
    done
    if kill -0 "$ml" 2>/dev/null; then
        sleep 1
        if kill -0 "$ml" 2>/dev/null; then kill -- "-$ml" 2>/dev/null; note=" (mlmmj-send hung after the last copy and was killed)"; fi
    fi
    set +e
    wait "$ml"; rc=$?
    set -e
    got=$(( $(sink_count) - c0 ))
    s=$(secs "$t0" "$t_last")
    printf '  mlmmj %-9s N=%-6d P=%d  %6d copies in %7s s = %6s copies/s%s\n' \
        "$label" "$n" "$p" "$got" "$s" "$(rate "$got" "$s")" "$note"
    [ "$got" = "$n" ] || { echo "  (mlmmj did not send every copy: not counted as a failure of reflector)"; }
}
if [ "$MLMMJ" = 1 ]; then
    echo "# mlmmj-send 1.3.0 (the peer), for the record"
    for n in $NS; do
        for p in $CONNS; do run_mlmmj "$n" "$p" "$D/nodelay.so" "NODELAY"; done
    done
    for p in $CONNS; do run_mlmmj "$MLMMJ_SHIPPED_N" "$p" "" "shipped"; done
fi

if [ "$failed" != 0 ]; then echo "smtp.sh: a measured run failed" >&2; exit 1; fi
if [ "$below" != 0 ]; then echo "smtp.sh: a ratio is below the goal of $GOAL" >&2; exit 2; fi
exit 0
