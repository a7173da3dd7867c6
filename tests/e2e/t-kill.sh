#!/bin/bash
# t-kill.sh - listdeliver killed with SIGKILL in the middle of a fan-out to
# 2,000 members, then run again with the same message, as the MTA would:
# every member gets the post, and only the copies whose outcome was not
# committed at the moment of the kill may go out twice: those whose sendmail
# was running (at most `parallel`) and those reported since the last group
# commit (at most 256, lib/deliver.c COMMIT_EVERY): the window that
# listdeliver(8) states.  At the kill, every member who got a copy has a
# row that says so or says "in flight": a copy never leaves before that.
# The stub sendmail takes ~10 ms and appends its member to a log when done.
source "$RF_TESTS/lib/common.sh"
rf_need setpriv
rf_tmpdir

N=2000
PARALLEL=8
COMMIT_EVERY=256   # lib/deliver.c; listdeliver(8) RETRIES
[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
[ -x "$RF_BIN/listctl" ] || { echo "not ok - $RF_BIN/listctl is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
cat > /dev/null
sleep 0.01
echo "\$rcpt" >> "$TD/log"
EOF
chmod 755 "$TD/bin/sendmail"
: > "$TD/log"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = %s\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/bin/sendmail" "$PARALLEL" > "$TD/reflector.conf"
seq -f 'm%04g@example.test' 1 "$N" > "$TD/members"
printf 'From: m0001@example.test\nTo: big@lists.test\nSubject: kill me\nMessage-ID: <kill@example.test>\n\nbody\n' > "$TD/msg"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"

ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ctl create big@lists.test > /dev/null && ctl subscribe big@lists.test --file "$TD/members" > /dev/null
ok "a list of $N members"

# the prefix form, so that $! is listdeliver itself and not a subshell
"${RF_AS_USER[@]}" "$TD/bin/listdeliver" --config "$TD/reflector.conf" big@lists.test < "$TD/msg" 2> "$TD/first.err" &
pid=$!
for _ in $(seq 1 600); do
    [ "$(grep -c '' "$TD/log")" -ge 500 ] && break
    sleep 0.05
done
kill -9 "$pid"
wait "$pid"
check_eq "the first run died of SIGKILL" 137 "$?"
sleep 0.5   # the sendmails in flight finish on their own
before=$(sort -u "$TD/log" | grep -c '')
echo "# $before members reached before the kill"
[ "$before" -ge 500 ] && [ "$before" -lt "$N" ]; ok "killed in the middle ($before of $N reached)"
# the rows as the kill left them: 0 pending, 1 sent, 3 in flight
rf_as_user "$RF_PYTHON" -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute("SELECT address, state FROM delivery_recipients"):
    print("%s %d" % r)' "$TD/state/reflector.db" | sort > "$TD/rows"
check_eq "every member reached is recorded as sent or in flight, none as pending" "" \
    "$(sort -u "$TD/log" | join - "$TD/rows" | awk '$2 != 1 && $2 != 3')"
inflight=$(awk '$2 == 3' "$TD/rows" | grep -c '')
echo "# $inflight rows in flight at the kill"
[ "$inflight" -ge 1 ] && [ "$inflight" -le $((PARALLEL + 2 * COMMIT_EVERY)) ]
ok "some rows in flight, no more than two batches and the running copies: $inflight"

rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" big@lists.test < "$TD/msg" 2> "$TD/second.err"
check_eq "the second run, same message: exit 0" 0 "$?"
check_eq "... with nothing on stderr" "" "$(cat "$TD/second.err")"
check_eq "every member got the post" "$N" "$(sort -u "$TD/log" | grep -c '')"
check_eq "only members got it" "" "$(sort -u "$TD/log" | comm -13 "$TD/members" -)"
dups=$(sort "$TD/log" | uniq -d | grep -c '')
echo "# $dups members got two copies"
[ "$dups" -le $((PARALLEL + COMMIT_EVERY)) ]
ok "at most parallel + one commit interval = $((PARALLEL + COMMIT_EVERY)) duplicates (outcomes not committed at the kill): $dups"
check_eq "nobody got three" "" "$(sort "$TD/log" | uniq -c | awk '$1 > 2')"
check_eq "the spool is empty" "" "$(ls "$TD/state/spool")"

: > "$TD/log"
rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" big@lists.test < "$TD/msg"
check_eq "a third run after success sends nothing" "0 0" "$? $(grep -c '' "$TD/log")"
rf_done
