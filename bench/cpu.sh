#!/bin/bash
# cpu.sh - benchmark (not a test): the CPU one post costs, user + sys of the
# whole listdeliver process (start-up, store, parse, policies, render,
# spool, fan-out, progress), for POSTS posts (default 200) to a list of
# MEMBERS members (default 10), transport=smtp into Postfix's smtp-sink,
# beside the peer measured in the same run, post for post:
#
#   reflector  listdeliver, as the MTA runs it (a new process per post),
#              default settings (one-click links, bounce redelivery on);
#   mlmmj      the chain mlmmj-receive -> mlmmj-process -> mlmmj-send
#              (Debian's mlmmj 1.3.0; each execs the next, so one process
#              and its rusage hold the three), same members, same sink; its
#              sockets get TCP_NODELAY through an LD_PRELOAD shim, which
#              changes its waiting, not its CPU.
#
# The meter is bench/cputime.c (getrusage of the waited-for child, in
# microseconds; user and sys together: this kernel splits them by ticks,
# meaningless for a few ms); medians are printed; the goal is reflector <= GOAL_MS
# (2.5) per post.
#
# Exit status: 0 every run good and the median within the goal; 1 a
# measured run failed (a non-zero exit, or the sink not counting MEMBERS
# copies per post); 2 runs good but the median above the goal.
#
#   sudo bash bench/cpu.sh
#   POSTS=50 sudo -E bash bench/cpu.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
POSTS=${POSTS:-200}
MEMBERS=${MEMBERS:-10}
GOAL_MS=${GOAL_MS:-2.5}
BUILD=${BUILD:-$src/build}
RUN_USER=${RF_TEST_USER:-mtatest}

[ "$(id -u)" = 0 ] || { echo "cpu.sh: run as root (sudo bash bench/cpu.sh)" >&2; exit 1; }
for p in mlmmj postfix; do
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

D=$(mktemp -d /tmp/reflector-bench-cpu.XXXXXX)
chmod 755 "$D"
sink=
trap '[ -n "$sink" ] && kill "$sink" 2>/dev/null; rm -rf "$D"' EXIT
as_user() { setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" --init-groups -- "$@"; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cc -O2 -Wall -Wextra -o "$D/cputime" "$here/cputime.c"
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

/usr/sbin/smtp-sink -c -u "$RUN_USER" "127.0.0.1:$port" 256 > "$D/sink.out" 2>&1 &
sink=$!
sink_count() { c=$(tr '\r' '\n' < "$D/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1); echo "${c:-0}"; }
for _ in $(seq 1 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
done

mkmsg() {   # mkmsg FILE N: a 5 KB post, Message-ID of its own
    {
        printf 'Return-Path: <poster@example.org>\nDelivered-To: bench@lists.test\n'
        printf 'From: Poster <poster@example.org>\nTo: bench@lists.test\nSubject: benchmark post %s\n' "$2"
        printf 'Date: %s\nMessage-ID: <cpu.%s.%s@example.org>\nMIME-Version: 1.0\n' "$(date -R)" "$2" "$(date +%s%N)"
        printf 'Content-Type: text/plain; charset=utf-8\n\n'
        for i in $(seq 1 72); do echo "Line $i of a benchmark post of a typical size, about five kilobytes."; done
    } > "$1"
    chmod 644 "$1"
}
awk -v n="$MEMBERS" 'BEGIN { for (i = 1; i <= n; i++) printf "member%06d@example%02d.org\n", i, i % 97 }' > "$D/addrs"

# reflector: defaults but the transport
mkdir -p -m 700 "$D/state"   # as listctl asks of a state directory
cp "$BUILD/listdeliver" "$BUILD/listctl" "$D/"
printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = smtp\nrelays = 127.0.0.1:%s\n[dmarc]\nresolver = none\n' \
    "$D/state" "$port" > "$D/reflector.conf"
# mlmmj: a list whose subscribers are in one file (one connection)
mkdir -p "$D/ml"
printf 'lists.test\nowner@lists.test\nen\n' | /usr/bin/mlmmj-make-ml -L bench -s "$D/ml" > /dev/null 2>&1
L=$D/ml/bench
echo "$port" > "$L/control/smtpport"
echo 127.0.0.1 > "$L/control/relayhost"
echo + > "$L/control/delimiter"
cp "$D/addrs" "$L/subscribers.d/m"
chown -R "$RUN_USER:" "$D"
as_user "$D/listctl" --config "$D/reflector.conf" create bench@lists.test > /dev/null
as_user "$D/listctl" --config "$D/reflector.conf" set bench@lists.test posting open
as_user "$D/listctl" --config "$D/reflector.conf" subscribe bench@lists.test --file "$D/addrs" > /dev/null
echo "# $POSTS posts, $MEMBERS members, a $(mkmsg "$D/m" 0; stat -c %s "$D/m")-byte post, transport smtp into smtp-sink, $(nproc) cores"
echo "# listdeliver: $(ldd "$D/listdeliver" | grep -c '=>') shared libraries"

failed=0
: > "$D/rf.cpu"; : > "$D/ml.cpu"; chown "$RUN_USER:" "$D/rf.cpu" "$D/ml.cpu"
for i in $(seq 1 "$POSTS"); do
    mkmsg "$D/post" "$i"
    c0=$(sink_count)
    as_user "$D/cputime" "$D/rf.cpu" "$D/listdeliver" --config "$D/reflector.conf" \
        -f poster@example.org bench@lists.test < "$D/post" 2>> "$D/ld.err" || failed=1
    # smtp-sink writes its count a moment after the session
    for _ in $(seq 1 50); do [ $(( $(sink_count) - c0 )) -ge "$MEMBERS" ] && break; sleep 0.01; done
    got=$(( $(sink_count) - c0 ))
    [ "$got" = "$MEMBERS" ] || { failed=1; echo "  reflector post $i: the sink counted $got copies" >&2; }
    c0=$(sink_count)
    as_user env LD_PRELOAD="$D/nodelay.so" "$D/cputime" "$D/ml.cpu" /usr/bin/mlmmj-receive -F -L "$L" \
        -s poster@example.org < "$D/post" > /dev/null 2>&1 || true
    for _ in $(seq 1 50); do [ $(( $(sink_count) - c0 )) -ge "$MEMBERS" ] && break; sleep 0.01; done
    ml_got=$(( $(sink_count) - c0 ))
    [ "$ml_got" = "$MEMBERS" ] || echo "  mlmmj post $i: the sink counted $ml_got copies (not a failure of reflector)" >&2
done
[ -s "$D/ld.err" ] && sed 's/^/  listdeliver: /' "$D/ld.err" | sort | uniq -c | head -5
awk '$3 != 0' "$D/rf.cpu" | grep -q . && { failed=1; echo "  some listdeliver runs exited non-zero" >&2; }

stats() {   # stats FILE: median user sys total (ms)
    awk '{ print $1 / 1000, $2 / 1000, ($1 + $2) / 1000 }' "$1" | sort -n -k3 |
        awk '{ t[NR] = $3 } END { m = int((NR + 1) / 2);
              printf "median %.2f ms, min %.2f, max %.2f, %d posts", t[m], t[1], t[NR], NR }'
}
echo "  reflector  $(stats "$D/rf.cpu")"
echo "  mlmmj      $(stats "$D/ml.cpu")"
rf_ms=$(awk '{ print ($1 + $2) / 1000 }' "$D/rf.cpu" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
ml_ms=$(awk '{ print ($1 + $2) / 1000 }' "$D/ml.cpu" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "  reflector / mlmmj: $(awk -v a="$rf_ms" -v b="$ml_ms" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'), goal reflector <= $GOAL_MS ms"

if [ "$failed" != 0 ]; then echo "cpu.sh: a measured run failed" >&2; exit 1; fi
awk -v a="$rf_ms" -v g="$GOAL_MS" 'BEGIN { exit !(a <= g) }' ||
    { echo "cpu.sh: the median ($rf_ms ms) is above the goal of $GOAL_MS ms" >&2; exit 2; }
exit 0
