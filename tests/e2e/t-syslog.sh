#!/bin/bash
# t-syslog.sh - what the programs log (issue 13): every syslog line of a run
# through a real Exim, listdeliver, listctl and listweb is collected from a
# test syslog socket (REFLECTOR_SYSLOG_SOCKET, compiled into test builds
# only); the lines a sysadmin needs are there (each post with list,
# Message-ID, size, copies and outcome; a refusal with its reason; a bounce
# with its class; admin actions; listweb's start and logins), and none
# holds a password, token, cookie or body phrase this test used.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/web.sh"
rf_need curl python3
rf_tmpdir
SOCK=$TD/syslog.sock
LOG=$TD/syslog.log
# the collector: one datagram a line
python3 - "$SOCK" "$LOG" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
PY
COLLECTOR=$!
for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ]; ok "the test syslog socket is up"
export REFLECTOR_SYSLOG_SOCKET=$SOCK
exim_up
trap 'kill $WEB_PID 2>/dev/null; kill $COLLECTOR 2>/dev/null; exim_down; _rf_cleanup' EXIT
lc() { as_run_user env REFLECTOR_SYSLOG_SOCKET="$SOCK" "$T/bin/listctl" --config "$T/reflector.conf" "$@"; }

# the secrets of this run
PW_USER="Horse-Battery-$RANDOM-Staple-77"
PW_WEB="Readers-Only-$RANDOM-Pass-31"
PW_WRONG="Not-The-Password-$RANDOM-9"
BODY="the quiet heron $RANDOM walks at dawn"
CONFIRM_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
# (listdeliver's own line to the MTA has the address lower-cased)
printf '%s\n' "$PW_USER" "$PW_WEB" "$PW_WRONG" "$BODY" "$CONFIRM_TOKEN" \
    "$(tr 'A-Z' 'a-z' <<< "$CONFIRM_TOKEN")" > "$TD/secrets"

WEBPORT=$(_rf_free_port)
cp -r "$RF_SRC/cmd/listweb/templates" "$T/templates"; chmod -R a+rX "$T/templates"
printf '[web]\nbase_url = http://127.0.0.1:%s\ntemplates = %s\n' "$WEBPORT" "$T/templates" >> "$T/reflector.conf"
lc create dev@lists.test > /dev/null
# a refused post below (the default, nonmember_action hold, keeps it quiet)
lc set dev@lists.test nonmember_action reject
lc subscribe dev@lists.test ann@example.test bob@example.test cy@example.test > /dev/null
add_mailbox ann@example.test bob@example.test cy@example.test
printf '%s\n' "$PW_USER" | lc user add mod --email mod@example.test --moderator dev@lists.test --password-stdin > /dev/null
ok "an account with a password"
lc set dev@lists.test archive on > /dev/null
printf '%s\n' "$PW_WEB" | lc web-access dev@lists.test readers --password-stdin > /dev/null
ok "a list web user with a password"

# listweb, to syslog (no --foreground), as its unit runs it
"$RF_BIN/listweb" --config "$T/reflector.conf" --listen "127.0.0.1:$WEBPORT" > "$TD/listweb.err" 2>&1 &
WEB_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$WEBPORT/" && break; sleep 0.1; done
BASE=http://127.0.0.1:$WEBPORT

# a post: three copies
mkmsg "$TD/post.eml" ann@example.test dev@lists.test "syslog test" "$BODY"
MSGID=$(hdr "$TD/post.eml" Message-ID | tr -d '<>')
post ann@example.test dev@lists.test "$TD/post.eml"; ok "the post is accepted"
exim_wait_idle 60
check_eq "three copies" "1 1 1" "$(maildir_count ann@example.test) $(maildir_count bob@example.test) $(maildir_count cy@example.test)"
COPY=$(maildir_files bob@example.test | head -1)
UNSUB=$(hdr "$COPY" List-Unsubscribe | grep -oE '/u/[A-Za-z0-9_-]+' | head -1 | sed 's|/u/||')
[ -n "$UNSUB" ]; ok "the copy carries an unsubscribe token"
echo "$UNSUB" >> "$TD/secrets"

# a refusal: a non-member posts
mkmsg "$TD/nonmember.eml" zed@elsewhere.test dev@lists.test "from outside" "$BODY"
post zed@elsewhere.test dev@lists.test "$TD/nonmember.eml"
# a confirmation address with a token
mkmsg "$TD/confirm.eml" ann@example.test "dev-confirm+$CONFIRM_TOKEN@lists.test" "confirm" "$BODY"
post ann@example.test "dev-confirm+$CONFIRM_TOKEN@lists.test" "$TD/confirm.eml"
# a bounce of bob's copy (RFC 3464, 5.1.1), to its VERP address (with
# its authenticator: issue 11)
VERP=$(hdr "$COPY" Return-path | tr -d '<>')
cat > "$TD/bounce.eml" <<EOB
From: MAILER-DAEMON@example.test
To: $VERP
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.test

Final-Recipient: rfc822; bob@example.test
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown

--B--
EOB
post "" "$VERP" "$TD/bounce.eml"
exim_wait_idle 60

# listweb: a wrong and a right login, then one-click unsubscribe with the token
curl -s -D "$TD/h1" -o /dev/null "$BASE/login"
LOGIN_TOKEN=$(tr -d '\r' < "$TD/h1" | sed -n 's/^Set-Cookie: rf_login=\([^;]*\);.*/\1/Ip')
echo "$LOGIN_TOKEN" >> "$TD/secrets"
curl -s -o /dev/null -H "Cookie: rf_login=$LOGIN_TOKEN" --data-urlencode user=mod \
    --data-urlencode "password=$PW_WRONG" --data-urlencode "csrf=$LOGIN_TOKEN" "$BASE/login"
curl -s -D "$TD/h2" -o /dev/null -H "Cookie: rf_login=$LOGIN_TOKEN" --data-urlencode user=mod \
    --data-urlencode "password=$PW_USER" --data-urlencode "csrf=$LOGIN_TOKEN" "$BASE/login"
SESSION=$(tr -d '\r' < "$TD/h2" | sed -n 's/^Set-Cookie: rf_session=\([^;]*\);.*/\1/Ip')
[ -n "$SESSION" ]; ok "the moderator logs in"
echo "$SESSION" >> "$TD/secrets"
curl -s -o /dev/null -H "Cookie: rf_session=$SESSION" "$BASE/m/"
curl -s -o /dev/null "$BASE/u/$UNSUB"
curl -s -o /dev/null --data 'List-Unsubscribe=One-Click' "$BASE/u/$UNSUB"
check_eq "one-click unsubscribe worked: bob is gone" "" "$(lc members dev@lists.test | grep -x bob@example.test)"
lc delete --yes dev@lists.test > /dev/null
kill "$WEB_PID"; wait "$WEB_PID" 2>/dev/null; WEB_PID=
sleep 0.3

# --- what the log says -------------------------------------------------------------
[ -s "$LOG" ]; ok "syslog lines were collected ($(wc -l < "$LOG"))"
check_match "facility mail, with the program and its pid" '^<2[0-9]>listdeliver\[[0-9]+\]: ' "$(head -50 "$LOG")"
check_match "the post: list, Message-ID, size, copies, outcome, time" \
    "listdeliver\\[[0-9]+\\]: dev@lists.test: msgid=<$MSGID> from=<ann@example.test> size=[0-9]+ status=delivered copies=3 \\(3 now\\) refused=0 \\([0-9.]+s\\)" "$(cat "$LOG")"
check_match "the refusal, with its reason and exit code" \
    'listdeliver\[[0-9]+\]: dev@lists.test: msgid=<[^>]+> from=<zed@elsewhere.test> .*status=refused \(exit 77.*: .*member' "$(cat "$LOG")"
check_match "the refusal in the activity log's words" 'reject dev@lists.test by listdeliver \(mta\)' "$(cat "$LOG")"
check_match "the bounce, classified" 'bounce dev@lists.test by listdeliver \(mta\): .*permanent' "$(cat "$LOG")"
check_match "the confirmation address, its token redacted" 'dev-confirm\+\[redacted\]@lists.test' "$(cat "$LOG")"
check_match "an admin action of listctl" 'listctl\[[0-9]+\]: subscribe dev@lists.test by listctl:' "$(cat "$LOG")"
check_match "listctl's account creation" 'listctl\[[0-9]+\]: user-add' "$(cat "$LOG")"
check_match "listweb's start" 'listweb\[[0-9]+\]: serving on http://127.0.0.1' "$(cat "$LOG")"
check_match "listweb's failed and good logins" 'listweb\[[0-9]+\]: login' "$(cat "$LOG")"
check_match "the one-click unsubscribe" 'unsubscribe dev@lists.test by one-click' "$(cat "$LOG")"
check_match "listweb's stop" 'listweb\[[0-9]+\]: stopping' "$(cat "$LOG")"

# --- and what it never says ---------------------------------------------------------
n=0
while IFS= read -r secret; do
    [ -n "$secret" ] || continue
    n=$((n + 1))
    check_eq "secret #$n (${#secret} characters) is in no syslog line" "" "$(grep -F -- "$secret" "$LOG" | head -2)"
done < "$TD/secrets"
[ "$n" -ge 8 ]; ok "$n passwords, tokens, cookies and body phrases looked for"
check_eq "no body line of the post in any syslog line" "" "$(grep -F 'quiet heron' "$LOG" | head -2)"
rf_done
