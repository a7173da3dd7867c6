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
# Each case asserts the exit code and line of each run, and the copies the
# relay accepted (kept whole by fault-relay.py --keep, read back: the
# Subject and the body's last line, a line that starts with a dot).
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
    "${RF_AS_USER[@]}" "$RF_PYTHON" "$TD/bin/fault-relay.py" "$PORT" "$1" --keep "$1.d" "${@:2}" &
    relay=$!
    for _ in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
        sleep 0.05
    done
    printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = smtp\nrelays = 127.0.0.1:%s\nparallel = 2\n[dmarc]\nresolver = none\n' \
        "$TD/state" "$PORT" > "$TD/reflector.conf"
}
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
# copies LOG N: "member count" for every member who has a copy of post N
# in LOG.d (the whole post: its Subject and its last line), then "cut
# member" for any copy of it that is not whole
copies() {
    "$RF_PYTHON" - "$1.d" "fault $2" <<'PY'
import os, sys
top, subject = sys.argv[1], sys.argv[2].encode()
for m in sorted(os.listdir(top)) if os.path.isdir(top) else []:
    n = 0
    for f in os.listdir(os.path.join(top, m)):
        lines = open(os.path.join(top, m, f), "rb").read().split(b"\n")
        if b"Subject: " + subject in lines and b".a line with a dot" in lines:
            n += 1
        else:
            print("cut", m)
    print(m, n)
PY
}
# members LOG N: how many members have a copy; twice LOG N: who has two or more
members() { copies "$1" "$2" | awk '$1 != "cut" && $2 > 0' | grep -c ''; }
twice() { copies "$1" "$2" | awk '$1 != "cut" && $2 > 1 { print $1 }' | tr '\n' ' ' | sed 's/ $//'; }
cut() { copies "$1" "$2" | grep '^cut'; }
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
check_eq "... every member got the post, whole" "$N" "$(members "$TD/log1" 1)"
check_eq "... nobody twice, no copy cut" "" "$(twice "$TD/log1" 1)$(cut "$TD/log1" 1)"

start_relay "$TD/log2" --drop-before-dot m07@example.test
post 2
check_eq "closed before m07's dot: exit 75" 75 "$?"
check_match "... the line names the relay" 'relay 127\.0\.0\.1:[0-9]+: closed the connection' "$(cat "$TD/err")"
check_match "... and that one member is not reached yet" "^listdeliver: 1 of $N members not reached yet \(relay 127\.0\.0\.1:$PORT: closed the connection\); the MTA will retry" "$(cat "$TD/err")"
check_eq "... m07 has no copy (its data was cut: the relay dropped it), everyone else one, whole" \
    "$((N - 1)) 0 " "$(members "$TD/log2" 2) $(copies "$TD/log2" 2 | grep -c '^m07@') $(twice "$TD/log2" 2)$(cut "$TD/log2" 2)"
post 2
check_eq "... the retry: exit 0" "0 " "$? $(cat "$TD/err")"
check_eq "... m07 has it now, once; nobody twice, no copy cut" "$N m07@example.test 1 " \
    "$(members "$TD/log2" 2) $(copies "$TD/log2" 2 | grep '^m07@') $(twice "$TD/log2" 2)$(cut "$TD/log2" 2)"

start_relay "$TD/log3" --drop-after-dot m13@example.test
post 3
check_eq "closed after m13's dot, its reply lost: exit 75" 75 "$?"
check_match "... the line: m13's outcome is not known, the MTA will retry" "^listdeliver: 1 of $N members not reached yet \(relay 127\.0\.0\.1:$PORT: closed the connection\); the MTA will retry" "$(cat "$TD/err")"
check_eq "... everyone has a copy, m13 too, once, whole" "$N " "$(members "$TD/log3" 3) $(twice "$TD/log3" 3)$(cut "$TD/log3" 3)"
post 3
check_eq "... the retry: exit 0" "0 " "$? $(cat "$TD/err")"
check_eq "... m13 has two copies (the one in flight), nobody else, none cut" "$N m13@example.test " \
    "$(members "$TD/log3" 3) $(twice "$TD/log3" 3) $(cut "$TD/log3" 3)"
check_eq "... and nobody three" "" "$(copies "$TD/log3" 3 | awk '$1 != "cut" && $2 > 2')"
rf_done
