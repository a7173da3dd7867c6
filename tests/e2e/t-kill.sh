#!/bin/bash
# t-kill.sh - listdeliver killed with SIGKILL in the middle of a fan-out to
# 2,000 members, then run again with the same message, as the MTA would:
# every member gets the post, and only the copies whose sendmail was running
# at the moment of the kill (at most `parallel` of them) may go out twice.
# The stub sendmail takes ~10 ms and appends its member to a log when done.
source "$RF_TESTS/lib/common.sh"
rf_need setpriv
rf_tmpdir

N=2000
PARALLEL=8
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

rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" big@lists.test < "$TD/msg" 2> "$TD/second.err"
check_eq "the second run, same message: exit 0" 0 "$?"
check_eq "... with nothing on stderr" "" "$(cat "$TD/second.err")"
check_eq "every member got the post" "$N" "$(sort -u "$TD/log" | grep -c '')"
check_eq "only members got it" "" "$(sort -u "$TD/log" | comm -13 "$TD/members" -)"
dups=$(sort "$TD/log" | uniq -d | grep -c '')
echo "# $dups members got two copies"
[ "$dups" -le "$PARALLEL" ]; ok "at most $PARALLEL duplicates (the copies in flight at the kill): $dups"
check_eq "nobody got three" "" "$(sort "$TD/log" | uniq -c | awk '$1 > 2')"
check_eq "the spool is empty" "" "$(ls "$TD/state/spool")"

: > "$TD/log"
rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" big@lists.test < "$TD/msg"
check_eq "a third run after success sends nothing" "0 0" "$? $(grep -c '' "$TD/log")"
rf_done
