#!/bin/bash
# web.sh - the real listweb in end-to-end tests (bash library; needs $T,
# $RF_BIN and the instance's reflector.conf, as set up by mta-exim.sh).
#
#   web_up [VAR=value...]   start listweb on a free loopback port: WEBPORT,
#                           WEB_PID; started as root when we are, so that it
#                           drops to the state dir's owner as in production;
#                           its stderr goes to $T/log/listweb.log
#   web_down                stop it
#   rf_browser DESC COUNT SCRIPT [ARGS...]
#                           node tests/browser/SCRIPT ARGS in $T (300 s at
#                           most), its lines shown and kept in BROWSER_OUT;
#                           records that node exited 0 and that its last
#                           line is exactly "COUNT passed, 0 failed"
web_up() {   # web_up [env assignments...]: listweb on $WEBPORT, started as root when we are
    WEBPORT=$(_rf_free_port)
    env "$@" "$RF_BIN/listweb" --foreground --config "$T/reflector.conf" --listen "127.0.0.1:$WEBPORT" \
        > "$T/log/listweb.log" 2>&1 &
    WEB_PID=$!
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$WEBPORT/" && return 0
        kill -0 "$WEB_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "# listweb did not start:"; sed 's/^/#   /' "$T/log/listweb.log"
    return 1
}
web_down() {
    [ -n "${WEB_PID:-}" ] || return 0
    kill "$WEB_PID" 2>/dev/null
    wait "$WEB_PID" 2>/dev/null
    WEB_PID=
}

# The number of checks is pinned by the caller (issue 12): a script that
# stopped early, skipped its checks or made none ("0 passed, 0 failed")
# fails, and so does one whose node died after printing a good last line.
# When a browser script gains or loses checks, its callers' COUNT changes
# with it.
rf_browser() {
    local desc=$1 count=$2 script=$3 rc; shift 3
    BROWSER_OUT=$(cd "$T" && timeout 300 node "$RF_TESTS/browser/$script" "$@" 2>&1)
    rc=$?
    echo "$BROWSER_OUT" | sed 's/^/#   /'
    check_eq "$desc: node exited 0" 0 "$rc"
    check_eq "$desc: all $count checks passed" "$count passed, 0 failed" \
        "$(echo "$BROWSER_OUT" | tail -1)"
}
