#!/bin/bash
# t-kill-whole-copy.sh - a sendmail never gets part of a copy.  listdeliver
# is killed with SIGKILL while its sendmails (a stub that waits 3 s
# before it reads its input) have not read a byte of their copies, each
# of which carries the member's own lines (list_headers on) and is bigger
# than a pipe holds.  When the stubs read, each copy they find must be
# whole, up to the post's last line: 'sendmail -oi' takes the end of its
# input as the end of the message, so a copy cut short by the kill would
# reach the member (bench/kill.sh found 36 cut copies in 37 kills when the
# copies went through a pipe fed after the sendmail started).  The retry
# then sends every member the post.
source "$RF_TESTS/lib/common.sh"
rf_need setpriv
rf_tmpdir

[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state" "$TD/copies"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
sleep 3
cat > "$TD/copies/\$rcpt.\$\$"
EOF
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = 4\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/bin/sendmail" > "$TD/reflector.conf"
{
    printf 'From: m1@example.test\nTo: big@lists.test\nSubject: a long post\n'
    printf 'Message-ID: <whole@example.test>\n\n'
    for i in $(seq 1 4000); do printf 'line %05d of a post longer than a pipe holds\n' "$i"; done
    printf 'THE LAST LINE\n'
} > "$TD/msg"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ctl create big@lists.test > /dev/null &&
    ctl subscribe big@lists.test m1@example.test m2@example.test m3@example.test \
        m4@example.test m5@example.test m6@example.test > /dev/null
ok "a list of 6 members, parallel 4, a post of $(wc -c < "$TD/msg") bytes"

"${RF_AS_USER[@]}" "$TD/bin/listdeliver" --config "$TD/reflector.conf" big@lists.test \
    < "$TD/msg" 2> "$TD/first.err" &
pid=$!
# the four sendmails started, none has read yet
for _ in $(seq 1 250); do
    [ "$(pgrep -c -f "$TD/bin/sendmail")" -ge 4 ] && break
    sleep 0.02
done
check "four sendmails running before the kill" test "$(pgrep -c -f "$TD/bin/sendmail")" -ge 4
kill -9 "$pid"
wait "$pid"
check_eq "listdeliver died of SIGKILL" 137 "$?"
for _ in $(seq 1 150); do
    pgrep -f "$TD/bin/sendmail" > /dev/null || break
    sleep 0.1
done
check_eq "the four sendmails wrote what they were given" 4 "$(ls "$TD/copies" | grep -c '@')"
# cut: name and size of each copy that does not end with the post's last line
cut_copies() {
    for f in "$TD"/copies/*; do
        [ "$(tail -n 1 "$f")" = 'THE LAST LINE' ] || echo "$(basename "$f") $(wc -c < "$f") bytes"
    done
}
check_eq "every copy given before the kill is whole (ends with the post's last line)" "" "$(cut_copies)"

# the MTA's retry
rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" big@lists.test < "$TD/msg" 2> "$TD/retry.err"
check_eq "the retry ends 0" 0 "$?"
check_eq "every member has the post" "m1 m2 m3 m4 m5 m6" \
    "$(ls "$TD/copies" | sed 's/@.*//' | sort -u | paste -sd' ')"
check_eq "and no copy anywhere is cut" "" "$(cut_copies)"
rf_done
