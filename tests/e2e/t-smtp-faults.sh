#!/bin/bash
# t-smtp-faults.sh - transport=smtp against a relay that misbehaves on
# purpose (tests/lib/fault-relay.py logs each message whose final dot it
# read, before replying), with the pipelining across copies of issue 14:
#  - a relay that answers 421 after 5 messages on a connection (Exim's
#    smtp_accept_max_per_connection): the copies not yet sent move to a new
#    connection, one run delivers everything, each member once;
#  - a connection closed before a copy's final dot: that copy was not
#    delivered; it is left pending (exit 75) and the retry sends it, once;
#  - a connection closed after a copy's dot, its reply lost: the copy may
#    have arrived, so it is pending and the retry sends it again: the one
#    duplicate the window of listdeliver(8) allows, and nobody else twice.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv
rf_tmpdir

N=40
[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
cp "$RF_TESTS/lib/fault-relay.py" "$TD/bin/"
seq -f 'm%02g@example.test' 1 "$N" > "$TD/members"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
relay=
trap '[ -z "$relay" ] || kill "$relay" 2>/dev/null; _rf_cleanup' EXIT

start_relay() {   # start_relay LOG ARGS...: a fault relay on a free port -> $PORT
    [ -z "$relay" ] || { kill "$relay"; wait "$relay" 2>/dev/null; }
    PORT=$(_rf_free_port)
    # the prefix form, so that $! is the relay itself and not a subshell
    "${RF_AS_USER[@]}" "$RF_PYTHON" "$TD/bin/fault-relay.py" "$PORT" "$@" &
    relay=$!
    for _ in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
        sleep 0.05
    done
    printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = smtp\nrelays = 127.0.0.1:%s\nparallel = 2\n[dmarc]\nresolver = none\n' \
        "$TD/state" "$PORT" > "$TD/reflector.conf"
}
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
post() {   # post N: message N to the list; stderr in $TD/err
    printf 'From: m01@example.test\nTo: f@lists.test\nSubject: fault %s\nMessage-ID: <fault%s@example.test>\n\nbody\n.a line with a dot\n' \
        "$1" "$1" > "$TD/msg$1"
    rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" f@lists.test < "$TD/msg$1" 2> "$TD/err"
}

start_relay "$TD/log1" --max-per-conn 5
ctl create f@lists.test > /dev/null && ctl set f@lists.test posting open > /dev/null &&
    ctl subscribe f@lists.test --file "$TD/members" > /dev/null
ok "a list of $N members, parallel = 2"

post 1
check_eq "421 after 5 messages a connection: one run, exit 0" "0 " "$? $(cat "$TD/err")"
check_eq "... every member got the post" "$N" "$(sort -u "$TD/log1" | grep -c '')"
check_eq "... nobody twice" "" "$(sort "$TD/log1" | uniq -d)"

start_relay "$TD/log2" --drop-before-dot m07@example.test
post 2
check_eq "closed before m07's dot: exit 75" 75 "$?"
check_match "... the line names the relay" 'relay 127\.0\.0\.1:[0-9]+: closed the connection' "$(cat "$TD/err")"
check_eq "... m07 not delivered, everyone else once" "$((N - 1)) 0" \
    "$(sort -u "$TD/log2" | grep -c '') $(grep -c '^m07@' "$TD/log2")"
post 2
check_eq "... the retry: exit 0" 0 "$?"
check_eq "... m07 once, nobody twice" "$N 1 " "$(sort -u "$TD/log2" | grep -c '') $(grep -c '^m07@' "$TD/log2") $(sort "$TD/log2" | uniq -d)"

start_relay "$TD/log3" --drop-after-dot m13@example.test
post 3
check_eq "closed after m13's dot, its reply lost: exit 75" 75 "$?"
check_eq "... everyone delivered once, m13 too" "$N " "$(sort -u "$TD/log3" | grep -c '') $(sort "$TD/log3" | uniq -d)"
post 3
check_eq "... the retry: exit 0" 0 "$?"
check_eq "... m13 twice (the copy in flight), nobody else" "m13@example.test" "$(sort "$TD/log3" | uniq -d)"
check_eq "... and nobody three times" "" "$(sort "$TD/log3" | uniq -c | awk '$1 > 2')"
rf_done
