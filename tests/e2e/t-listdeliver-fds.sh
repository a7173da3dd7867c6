#!/bin/bash
# t-listdeliver-fds.sh - listdeliver started with standard input, output or
# error closed (issue 12, fault 5): a file it opens must never become fd
# 0-2, or its one line of reason lands in that file (the spool's lock, a
# copy); with no standard input it answers 75 (keep the message), never
# 65 for an empty one.  sendmail is a stub that keeps each copy and fails
# with the code in $TD/fail/<member> while that file exists.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv
rf_tmpdir

[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state" "$TD/out" "$TD/fail"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
# copies are named <member>.<nanoseconds><pid>: in name order, in time order
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
if [ -f "$TD/fail/\$rcpt" ]; then cat > /dev/null; echo "stub: refusing \$rcpt" >&2; exit \$(cat "$TD/fail/\$rcpt"); fi
cat > "$TD/out/\$rcpt.\$(date +%s%N)\$(printf %07d \$\$)"
EOF
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/bin/sendmail" > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ld=("$TD/bin/listdeliver" --config "$TD/reflector.conf" dev@lists.test)
post() {   # post SUBJECT: a small post from a member
    printf 'From: alice@example.test\nTo: dev@lists.test\nSubject: %s\n' "$1"
    printf 'Message-ID: <%s.%s@example.test>\nMIME-Version: 1.0\n' "$(echo "$1" | tr -c 'a-z0-9' -)" "$RANDOM"
    printf 'Content-Type: text/plain; charset=utf-8\n\nHello list.\n'
}
copies_of() { ls "$TD/out" | grep -c "^$1\."; }
# every file of the state directory that holds a line of listdeliver's
# stderr (its "listdeliver: " prefix: the reasons themselves are also kept,
# rightly, in the troubleshooting store's outcomes)
leaked() { grep -rlaF 'listdeliver: ' "$TD/state" 2>/dev/null; }

ctl create dev@lists.test > /dev/null &&
ctl subscribe dev@lists.test alice@example.test bob@example.test carol@example.test > /dev/null
ok "list dev, three members"

# 1. stderr closed, a temporary failure for carol: 75, the rendered copy
# kept for the retry, and the reason written nowhere in the state directory (the
# spool's lock file, open for the whole run, would be fd 2)
echo 75 > "$TD/fail/carol@example.test"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD/fail"
post "closed output" > "$TD/p1"
rf_as_user "${ld[@]}" < "$TD/p1" 2>&-
check_eq "stderr closed, carol deferred: exit 75" 75 "$?"
check_eq "the spool kept the rendered copy for the retry" 1 "$(ls "$TD/state/spool" | grep -c '\.out$')"
check_eq "... and not the raw message (the MTA's queue holds it)" 0 "$(ls "$TD/state/spool" | grep -c '\.msg$')"
check_eq "no file of the state directory holds listdeliver's line" "" "$(leaked)"
check_eq "the lock file is empty" "" "$(cat "$TD"/state/spool/*.lock 2>/dev/null)"
check_eq "the database is whole" ok \
    "$(rf_as_user "$RF_PYTHON" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$TD/state/reflector.db")"
rf_as_user "${ld[@]}" < "$TD/p1" >&- 2>&-
check_eq "stdout and stderr closed, carol deferred again: exit 75" 75 "$?"
check_eq "no file of the state directory holds listdeliver's line (2)" "" "$(leaked)"
rm -f "$TD/fail/carol@example.test"
rf_as_user "${ld[@]}" < "$TD/p1" > "$TD/ld.out" 2> "$TD/ld.err"
check_eq "the retry, with its fds: exit 0" 0 "$?"
check_eq "each member has one copy" "1 1 1" \
    "$(copies_of alice@example.test) $(copies_of bob@example.test) $(copies_of carol@example.test)"

# 2. stderr closed, an unknown list: the code still says it (67), and
# nothing lands in the state directory
post "all closed" > "$TD/p2"
rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" nolist@lists.test < "$TD/p2" 2>&-
check_eq "stderr closed, unknown list: exit 67" 67 "$?"
check_eq "no file of the state directory holds listdeliver's line (3)" "" "$(leaked)"

# 3. no standard input: 75 and a line that says so, never 65 "empty"
rf_as_user "${ld[@]}" <&- > "$TD/ld.out" 2> "$TD/ld.err"
check_eq "stdin closed: exit 75" 75 "$?"
check_eq "stdin closed: one line" "listdeliver: standard input is closed: no message to read" \
    "$(cat "$TD/ld.err")"
rf_as_user "${ld[@]}" <&- >&- 2>&-
check_eq "all three closed: exit 75" 75 "$?"
check_eq "nothing more was sent" "1 1 1" \
    "$(copies_of alice@example.test) $(copies_of bob@example.test) $(copies_of carol@example.test)"
rf_done
