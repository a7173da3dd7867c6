#!/bin/bash
# relays.sh - benchmark (not a test): the smtp transport and a pool of
# relay MTAs.  Each relay is a private Exim (as tests/mta/mta-exim.sh runs
# one: an unprivileged account, its own spool, -C) in a network namespace
# of its own, reached through a veth pair at an address of its own
# (10.77.I.2, port 2525), made by this script and removed at its end.  The
# relays only queue what they accept (queue_only), which is what a relay in
# front of the internet does first.
#
# 1. copies/s for a pool of 1, 2 and 4 relays (POOLS): one post to N
#    members (default 5,000), [delivery] parallel = PARALLEL (8) spread
#    over the relays; the queues of the relays are counted afterwards;
#    reference in the same run: bench/ref-sender.c to the same pool, one
#    relay at a time (its per-relay sum is what the pool can take).
# 2. a relay killed mid-fan-out (POOL_KILL relays, default 2): listdeliver
#    sends to N members, the first relay is killed (SIGKILL, every process
#    of its namespace) when about a third of the copies are queued; the
#    run ends 75 (its copies in flight are pending) and a second run, as
#    the MTA's retry, sends the rest through the relays left.  Counted from
#    the queues: members missed (must be 0) and members with two copies
#    (at most the copies in flight on the killed relay's connections).
#
# On this 2-core machine the relays share the cores with the sender, so a
# bigger pool shows what the transport spreads, not a faster machine.
#
# Exit status: 0 all runs good (every copy queued, nobody missed after the
# retry, duplicates within parallel); 1 otherwise.
#
#   sudo bash bench/relays.sh
#   N=2000 POOLS="1 2" sudo -E bash bench/relays.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
N=${N:-5000}
POOLS=${POOLS:-1 2 4}
POOL_KILL=${POOL_KILL:-2}
PARALLEL=${PARALLEL:-8}
BUILD=${BUILD:-$src/build}
RUN_USER=${RF_TEST_USER:-mtatest}

[ "$(id -u)" = 0 ] || { echo "relays.sh: run as root (sudo bash bench/relays.sh)" >&2; exit 1; }
command -v ip > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends iproute2 > /dev/null
EXIM=
for e in "${EXIM:-}" /opt/exim-unpacked/usr/sbin/exim4 /usr/sbin/exim4; do
    [ -n "$e" ] && [ -x "$e" ] && { EXIM=$e; break; }
done
[ -n "$EXIM" ] || { echo "relays.sh: no Exim binary (run contrib/install-deps.sh as root)" >&2; exit 1; }
getent passwd "$RUN_USER" > /dev/null ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER"
if [ ! -x "$BUILD/listdeliver" ] || [ ! -x "$BUILD/listctl" ]; then
    echo "# building in $BUILD"
    cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
    cmake --build "$BUILD" -j2 > /dev/null
fi

D=$(mktemp -d /tmp/reflector-bench-relays.XXXXXX)
chmod 755 "$D"
TAG=rfb$$
MAXR=4
for p in $POOLS $POOL_KILL; do [ "$p" -gt "$MAXR" ] && MAXR=$p; done
cleanup() {
    for i in $(seq 1 "$MAXR"); do
        if ip netns list 2>/dev/null | grep -qw "$TAG-$i"; then
            for pid in $(ip netns pids "$TAG-$i" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
            ip netns delete "$TAG-$i" 2>/dev/null || true
        fi
        ip link delete "${TAG}h$i" 2>/dev/null || true
    done
    rm -rf "$D"
}
trap cleanup EXIT
as_user() { setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" --init-groups -- "$@"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
failed=0

# --- the relays ---------------------------------------------------------------
relay_conf() {   # relay_conf I: a queue-only Exim for relay I
    local r=$D/relay$1
    mkdir -p "$r/spool" "$r/log"
    cat > "$r/exim.conf" <<EOF
exim_path = $EXIM
primary_hostname = relay$1.test
spool_directory = $r/spool
log_file_path = $r/log/%slog
pid_file_path = $r/exim.pid
exim_user = $RUN_USER
exim_group = $(id -gn "$RUN_USER")
never_users =
trusted_users = $RUN_USER
deliver_drop_privilege = true
local_interfaces = <; 0.0.0.0
daemon_smtp_ports = 2525
daemon_startup_retries = 0
host_lookup =
tls_advertise_hosts =
rfc1413_hosts =
rfc1413_query_timeout = 0s
smtp_accept_max = 64
smtp_accept_queue_per_connection = 0
queue_only = true
keep_environment =
message_size_limit = 20M
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept
begin routers
begin transports
EOF
    chown -R "$RUN_USER:" "$r"
    chown root:root "$r/exim.conf"
    chmod 644 "$r/exim.conf"
}
relay_start() {   # relay_start I: namespace, veth, address, daemon
    local i=$1 ns=$TAG-$1
    if ! ip netns list | grep -qw "$ns"; then
        ip netns add "$ns"
        ip link add "${TAG}h$i" type veth peer name "${TAG}r$i"
        ip link set "${TAG}r$i" netns "$ns"
        ip addr add "10.77.$i.1/24" dev "${TAG}h$i"
        ip link set "${TAG}h$i" up
        ip netns exec "$ns" ip addr add "10.77.$i.2/24" dev "${TAG}r$i"
        ip netns exec "$ns" ip link set "${TAG}r$i" up
        ip netns exec "$ns" ip link set lo up
    fi
    # a subshell: not a job of this shell (it is killed by namespace, and
    # bash would report each kill)
    ( ip netns exec "$ns" setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" --init-groups -- \
        "$EXIM" -C "$D/relay$i/exim.conf" -bdf -oX 2525 >> "$D/relay$i/log/daemon.log" 2>&1 & )
    for _ in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('10.77.$i.2', 2525), 1)" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "relays.sh: relay $i did not start" >&2
    cat "$D/relay$i/log/"* >&2
    exit 1
}
relay_kill() {   # every process of relay I's namespace
    for pid in $(ip netns pids "$TAG-$1"); do kill -9 "$pid" 2>/dev/null || true; done
}
queued() { as_user "$EXIM" -C "$D/relay$1/exim.conf" -bpc 2>/dev/null || echo 0; }
recipients() { as_user "$EXIM" -C "$D/relay$1/exim.conf" -bp 2>/dev/null | awk 'NF == 1 && /@/ { print $1 }'; }
queue_clear() { find "$D/relay$1/spool/input" -type f -delete 2>/dev/null || true; }

for i in $(seq 1 "$MAXR"); do relay_conf "$i"; relay_start "$i"; done
echo "# $MAXR relays up: 10.77.1.2 .. 10.77.$MAXR.2 port 2525, each in its own network namespace"

# --- the list ---------------------------------------------------------------------
mkdir -p -m 700 "$D/state"   # as listctl asks of a state directory
cp "$BUILD/listdeliver" "$BUILD/listctl" "$D/"
cc -O2 -Wall -Wextra -pthread -o "$D/ref-sender" "$here/ref-sender.c"
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "member%06d@example%02d.org\n", i, i % 97 }' > "$D/addrs"
conf() {   # conf POOL: reflector.conf with relays 1..POOL
    local relays
    relays=$(seq 1 "$1" | awk '{ printf "%s10.77.%d.2:2525", (NR > 1 ? ";" : ""), $1 }')
    printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = smtp\nrelays = %s\nparallel = %s\n[dmarc]\nresolver = none\n' \
        "$D/state" "$relays" "$PARALLEL" > "$D/reflector.conf"
    chown "$RUN_USER:" "$D/reflector.conf"
}
conf 1
chown -R "$RUN_USER:" "$D/state" "$D/addrs" "$D/listdeliver" "$D/listctl"
# the site's keys live beside the state directory (reflector(7)): the
# list's user makes them there on its first command
chown "$RUN_USER:" "$D"
as_user "$D/listctl" --config "$D/reflector.conf" create bench@lists.test > /dev/null
as_user "$D/listctl" --config "$D/reflector.conf" set bench@lists.test posting open
as_user "$D/listctl" --config "$D/reflector.conf" subscribe bench@lists.test --file "$D/addrs" > /dev/null
mkmsg() {
    {
        printf 'From: Poster <poster@example.org>\nTo: bench@lists.test\nSubject: relay pool\n'
        printf 'Date: %s\nMessage-ID: <relays.%s@example.org>\nMIME-Version: 1.0\n' "$(date -R)" "$(date +%s%N)"
        printf 'Content-Type: text/plain; charset=utf-8\n\n'
        for i in $(seq 1 72); do echo "Line $i of a benchmark post of a typical size, about five kilobytes."; done
    } > "$1"
    chmod 644 "$1"
}
echo "# $N members, parallel = $PARALLEL, a 5 KB post, $(nproc) cores"

# --- 1. throughput per pool size ----------------------------------------------------
for pool in $POOLS; do
    conf "$pool"
    for i in $(seq 1 "$MAXR"); do queue_clear "$i"; done
    mkmsg "$D/post"
    t0=$(date +%s%N)
    set +e
    as_user "$D/listdeliver" --config "$D/reflector.conf" -f poster@example.org bench@lists.test \
        < "$D/post" 2> "$D/ld.err"
    rc=$?
    set -e
    t1=$(date +%s%N)
    got=0 per=
    for i in $(seq 1 "$pool"); do q=$(queued "$i"); got=$((got + q)); per="$per $q"; done
    s=$(secs "$t0" "$t1")
    printf '  reflector  %d relay(s): exit %d, %d copies queued in %s s = %s copies/s (per relay:%s)\n' \
        "$pool" "$rc" "$got" "$s" "$(rate "$got" "$s")" "$per"
    if [ "$rc" != 0 ] || [ "$got" != "$N" ]; then failed=1; sed 's/^/             /' "$D/ld.err"; fi
    # reference: ref-sender with PARALLEL / pool connections to each relay at once
    for i in $(seq 1 "$MAXR"); do queue_clear "$i"; done
    per_conns=$(( (PARALLEL + pool - 1) / pool ))
    split -n "l/$pool" -d "$D/addrs" "$D/part"
    cp "$D/post" "$D/msg-ref"
    chmod 644 "$D"/part* "$D/msg-ref"
    t0=$(date +%s%N)
    pids=
    for i in $(seq 1 "$pool"); do
        as_user "$D/ref-sender" "10.77.$i.2" 2525 "$per_conns" "$D/msg-ref" "$D/part$(printf '%02d' $((i - 1)))" \
            bench@lists.test > "$D/ref$i.out" 2>&1 &
        pids="$pids $!"
    done
    rrc=0
    for pid in $pids; do wait "$pid" || rrc=1; done
    t1=$(date +%s%N)
    got=0
    for i in $(seq 1 "$pool"); do got=$((got + $(queued "$i"))); done
    s=$(secs "$t0" "$t1")
    printf '  reference  %d relay(s): %d copies queued in %s s = %s copies/s (ref-sender, %d connections a relay)\n' \
        "$pool" "$got" "$s" "$(rate "$got" "$s")" "$per_conns"
    if [ "$rrc" != 0 ] || [ "$got" != "$N" ]; then failed=1; cat "$D"/ref*.out >&2; fi
    rm -f "$D"/part*
done

# --- 2. a relay killed mid-fan-out --------------------------------------------------
conf "$POOL_KILL"
for i in $(seq 1 "$MAXR"); do queue_clear "$i"; done
mkmsg "$D/post"
as_user "$D/listdeliver" --config "$D/reflector.conf" -f poster@example.org bench@lists.test \
    < "$D/post" 2> "$D/kill1.err" &
ld=$!
while kill -0 "$ld" 2>/dev/null; do
    total=0
    for i in $(seq 1 "$POOL_KILL"); do total=$((total + $(queued "$i"))); done
    [ "$total" -ge $((N / 3)) ] && break
    sleep 0.05
done
relay_kill 1
set +e
wait "$ld"; rc1=$?
set -e
at_kill=$(queued 1)
echo "  killed relay 1 of $POOL_KILL with $at_kill copies in its queue; the first run ended $rc1: $(head -c 300 "$D/kill1.err")"
set +e
as_user "$D/listdeliver" --config "$D/reflector.conf" -f poster@example.org bench@lists.test \
    < "$D/post" 2> "$D/kill2.err"
rc2=$?
set -e
for i in $(seq 1 "$POOL_KILL"); do recipients "$i"; done | sort > "$D/got"
missed=$(sort -u "$D/got" | comm -13 - <(sort "$D/addrs") | grep -c '' || true)
dups=$(uniq -d "$D/got" | grep -c '' || true)
echo "  the retry ended $rc2; members missed: $missed, with two copies: $dups (parallel = $PARALLEL)"
[ "$rc1" = 75 ] || { failed=1; echo "  the first run should have ended 75" >&2; }
[ "$rc2" = 0 ] || { failed=1; sed 's/^/  /' "$D/kill2.err" >&2; }
[ "$missed" = 0 ] || failed=1
[ "$dups" -le "$PARALLEL" ] || failed=1

if [ "$failed" != 0 ]; then echo "relays.sh: a measured run failed" >&2; exit 1; fi
exit 0
