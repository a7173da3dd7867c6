#!/bin/bash
# common.sh - helpers for the shell tests in tests/e2e (bash library).
#
#   source "$RF_TESTS/lib/common.sh"
#   rf_tmpdir                 -> sets TD, a fresh temp dir removed at exit (kept on failure)
#   ok COND-DESCRIPTION       -> after a command: records pass/fail from $?
#   check "description" cmd...   runs cmd, records pass/fail
#   check_eq "description" expected actual
#   rf_as_user cmd...         runs cmd as the test user when root (listdeliver refuses root)
#   RF_PYTHON                 a python3 every user can run (not a per-user shim)
#   rf_done                   prints "N passed, N failed" and exits 1 if any failed
#
# Programs: $RF_BIN/listdeliver, $RF_BIN/listctl (set by ctest; default ./build).
set -u
RF_BIN=${RF_BIN:-$(pwd)/build}
RF_TESTS=${RF_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
RF_SRC=${RF_SRC:-$(cd "$RF_TESTS/.." && pwd)}
RF_TEST_USER=${RF_TEST_USER:-mtatest}
RF_PYTHON=/usr/bin/python3
_rf_pass=0
_rf_fail=0

rf_need() {   # rf_need prog... : fail loudly if a tool is missing (never skip)
    local p
    for p in "$@"; do
        command -v "$p" >/dev/null 2>&1 || { echo "not ok - missing required tool '$p' (run the README's test command to install it)"; exit 1; }
    done
}

# a free TCP port on 127.0.0.1 (for a test server)
_rf_free_port() {
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

rf_tmpdir() {
    TD=$(mktemp -d "${TMPDIR:-/tmp}/rftest.XXXXXX")
    chmod 755 "$TD"
    if [ "$(id -u)" = 0 ]; then rf_ensure_test_user; chown "$RF_TEST_USER:" "$TD"; fi
    trap '_rf_cleanup' EXIT
}
_rf_cleanup() {
    if [ "$_rf_fail" = 0 ] && [ -z "${RF_KEEP:-}" ]; then rm -rf "$TD"; else echo "# kept $TD"; fi
}

rf_ensure_test_user() {
    getent passwd "$RF_TEST_USER" >/dev/null && return 0
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$RF_TEST_USER"
}

# run a command as the unprivileged test user when we are root
# (RF_AS_USER is the same as a prefix, for "${RF_AS_USER[@]}" cmd & when $!
# must be the command's own pid, e.g. to kill it)
RF_AS_USER=()
if [ "$(id -u)" = 0 ]; then
    RF_AS_USER=(setpriv --reuid="$RF_TEST_USER" --regid="$RF_TEST_USER" --init-groups --)
fi
rf_as_user() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid="$RF_TEST_USER" --regid="$(id -gn "$RF_TEST_USER")" --init-groups -- "$@"
    else
        "$@"
    fi
}

_rf_record() {   # _rf_record status description
    if [ "$1" = 0 ]; then _rf_pass=$((_rf_pass+1)); echo "ok - $2"
    else _rf_fail=$((_rf_fail+1)); echo "not ok - $2"; fi
}
ok() { _rf_record "$?" "$*"; }
check() { local d=$1; shift; "$@"; _rf_record "$?" "$d"; }
check_eq() {
    if [ "$2" = "$3" ]; then _rf_record 0 "$1"
    else _rf_record 1 "$1 (expected '$2', got '$3')"; fi
}
check_match() {   # check_match description regex text
    if printf '%s' "$3" | grep -Eq -- "$2"; then _rf_record 0 "$1"
    else _rf_record 1 "$1 (no match for /$2/ in: $(printf '%s' "$3" | head -c 400))"; fi
}
rf_done() {
    echo "$_rf_pass passed, $_rf_fail failed"
    [ "$_rf_fail" = 0 ]
}
