#!/bin/bash
# web.sh - the real listweb in end-to-end tests (bash library; needs $T,
# $RF_BIN and the instance's reflector.conf, as set up by mta-exim.sh).
#
#   web_up [VAR=value...]   start listweb on a free loopback port: WEBPORT,
#                           WEB_PID; started as root when we are, so that it
#                           drops to the state dir's owner as in production;
#                           its stderr goes to $T/log/listweb.log
#   web_down                stop it
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

