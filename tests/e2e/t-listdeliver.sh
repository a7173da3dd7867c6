#!/bin/bash
# t-listdeliver.sh - the contract of listdeliver(8) as a program: every exit
# code of its EXIT STATUS with its one line on stderr, the envelope and header
# fields of each copy, and resumption after a temporary failure.  The MTA is
# out of the picture here (the t-exim-* tests put it back): sendmail is a stub
# that keeps each copy and its argv, and fails for a member when told to by a
# file $TD/fail/<member> holding the exit code.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv flock
rf_tmpdir
shopt -s lastpipe   # "post ... | ld" sets RC and ERR in this shell

[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
[ -x "$RF_BIN/listctl" ] || { echo "not ok - $RF_BIN/listctl is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state" "$TD/out" "$TD/fail" "$TD/empty-state"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
# each copy is out/<member>.<nanoseconds><pid, 7 digits>: name order is time
# order (a name with the pid alone put the copy of pid 10000 before the
# older one of pid 9999)
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
# argv is [-oi -f VERP -- member]
for a; do rcpt=\$a; done
printf '%s\n' "\$*" >> "$TD/out/argv"
if [ -f "$TD/fail/\$rcpt" ]; then cat > /dev/null; echo "stub: refusing \$rcpt" >&2; exit \$(cat "$TD/fail/\$rcpt"); fi
cat > "$TD/out/\$rcpt.\$(date +%s%N)\$(printf %07d \$\$)"
EOF
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = 3\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/bin/sendmail" > "$TD/reflector.conf"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n[dmarc]\nresolver = none\n' \
    "$TD/empty-state" "$TD/bin/sendmail" > "$TD/empty.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"

ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
# ld ARGS... < message: runs listdeliver as the service user; sets RC, ERR
ld() {
    rf_as_user "$TD/bin/listdeliver" "$@" > "$TD/ld.out" 2> "$TD/ld.err"
    RC=$?
    ERR=$(cat "$TD/ld.err")
}
# expect DESCRIPTION CODE REGEX: the last ld gave CODE and exactly one stderr
# line "listdeliver: ..." matching REGEX
expect() {
    check_eq "$1: exit $2" "$2" "$RC"
    check_eq "$1: one line on stderr" 1 "$(grep -c '' "$TD/ld.err")"
    check_match "$1: the line says why" "^listdeliver: .*$3" "$ERR"
}
copies() { ls "$TD/out" | grep -c '@' ; }
clear_out() { rm -f "$TD/out"/*; }
post() {   # post FROM SUBJECT [extra header line]: a small plain-text post on stdout
    printf 'From: %s\nTo: dev@lists.test\nSubject: %s\nDate: Sun, 29 Nov 2026 10:00:00 +0000\n' "$1" "$2"
    printf 'Message-ID: <%s.%s@example.test>\n' "$(echo "$2" | tr -c 'a-zA-Z0-9' -)" "$RANDOM$RANDOM"
    [ -z "${3:-}" ] || printf '%s\n' "$3"
    printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHello list,\nthis is the body.\n'
}

ctl create dev@lists.test > /dev/null; ok "list dev@lists.test created"
ctl subscribe dev@lists.test alice@example.test bob@example.test carol@other.test > /dev/null
ok "three members"
ctl set dev@lists.test subject_prefix '[dev]' && ctl set dev@lists.test footer 'To leave: dev-leave@lists.test'
ok "subject prefix and footer set"

# --- command line ------------------------------------------------------------
ld --help < /dev/null
check_eq "--help: exit 0" 0 "$RC"
check_match "--help prints the usage" '^usage: listdeliver' "$(cat "$TD/ld.out")"
ld --version < /dev/null
check_match "--version prints the version" '^listdeliver [0-9]' "$(cat "$TD/ld.out")"
ld --bogus dev@lists.test < /dev/null
expect "unknown option" 75 "unknown option '--bogus'; usage: listdeliver"
ld --config "$TD/reflector.conf" dev@lists.test other@lists.test < /dev/null
expect "two recipients" 75 "more than one recipient"
rf_as_user env -u RECIPIENT "$TD/bin/listdeliver" --config "$TD/reflector.conf" < /dev/null \
    > "$TD/ld.out" 2> "$TD/ld.err"
RC=$?; ERR=$(cat "$TD/ld.err")
expect "no recipient" 75 'no recipient: give the list address as argument or in \$RECIPIENT'
if [ "$(id -u)" = 0 ]; then
    "$TD/bin/listdeliver" --config "$TD/reflector.conf" dev@lists.test < /dev/null > "$TD/ld.out" 2> "$TD/ld.err"
    RC=$?; ERR=$(cat "$TD/ld.err")
    expect "run as root" 75 "refusing to run as root"
fi
ld --config "$TD/no-such.conf" dev@lists.test < /dev/null
expect "missing config file" 75 "no-such.conf"

# --- addresses -----------------------------------------------------------------
post alice@example.test "no db" | ld --config "$TD/empty.conf" dev@lists.test
expect "no database yet" 75 "$TD/empty-state/reflector.db: no such database: run 'listctl init'"
post alice@example.test "unknown" | ld --config "$TD/reflector.conf" nolist@lists.test
expect "unknown list" 67 "no such list: nolist@lists.test"
post alice@example.test "not an address" | ld --config "$TD/reflector.conf" not-an-address
expect "recipient without @" 67 "no such list"
# every role address answers (issue 10; t-exim-roles.sh has the whole story)
answers_to() { ls "$TD/out" | grep -c "^$1\." ; }
post alice@example.test "help" | ld --config "$TD/reflector.conf" -f alice@example.test dev-request@lists.test
check_eq "the -request address: exit 0, the help sent to the sender" "0 1" "$RC $(answers_to alice@example.test)"
post alice@example.test "please" | ld --config "$TD/reflector.conf" -f alice@example.test dev-join@lists.test
check_eq "the -join address: exit 0, a confirmation asked" "0 2" "$RC $(answers_to alice@example.test)"
post alice@example.test "bye" | ld --config "$TD/reflector.conf" -f alice@example.test dev-leave@lists.test
check_eq "the -leave address: exit 0, a confirmation asked" "0 3" "$RC $(answers_to alice@example.test)"
post alice@example.test "confirm" | ld --config "$TD/reflector.conf" -f alice@example.test "dev-confirm+abcdef@lists.test"
check_eq "an unknown -confirm+ token: exit 0, told so" "0 4" "$RC $(answers_to alice@example.test)"
check_match "... in so many words" 'not known' "$(cat $(ls -t "$TD"/out/alice@example.test.* | head -1))"
post alice@example.test "owner" | ld --config "$TD/reflector.conf" -f alice@example.test dev-owner@lists.test
expect "the -owner address of a list without owners" 67 "the list dev@lists.test has no owner yet"
post alice@example.test "help" "Auto-Submitted: auto-replied" | ld --config "$TD/reflector.conf" -f alice@example.test dev-request@lists.test
check_eq "an automatic message to -request: exit 0, not answered" "0 4" "$RC $(answers_to alice@example.test)"
post alice@example.test "help" | ld --config "$TD/reflector.conf" -f '' dev-request@lists.test
check_eq "mail from the null sender to -request: exit 0, not answered" "0 4" "$RC $(answers_to alice@example.test)"
check_eq "the members are as they were" 3 "$(ctl members dev@lists.test | wc -l)"
clear_out

# --- bad messages ----------------------------------------------------------------
ld --config "$TD/reflector.conf" dev@lists.test < /dev/null
expect "empty message" 65 "the message is empty"
printf 'just some text\nwithout any header\n' | ld --config "$TD/reflector.conf" dev@lists.test
expect "message without a header" 65 "the message has no header"
check_eq "the spool is empty after permanent errors" "" "$(ls "$TD/state/spool" 2>/dev/null)"

# --- screening ---------------------------------------------------------------------
post stranger@example.test "from a stranger" | ld --config "$TD/reflector.conf" -f stranger@example.test dev@lists.test
check_eq "non-member, nonmember_action=hold: exit 0, nothing sent" "0 0" "$RC $(copies)"
check_match "... held for the moderators" 'why: stranger@example.test is not a member' "$(ctl held dev@lists.test)"
ctl set dev@lists.test nonmember_action reject
post stranger@example.test "from a stranger" | ld --config "$TD/reflector.conf" -f stranger@example.test dev@lists.test
expect "non-member, nonmember_action=reject" 77 "dev@lists.test accepts posts from members only, and stranger@example.test is not subscribed to it"
post 'Alice <ALICE@Example.Test>' "case" | ld --config "$TD/reflector.conf" -f ALICE@example.test dev@lists.test
check_eq "a member whose client changed the case of her address may post" 0 "$RC"
check_eq "... and the post went out" 3 "$(copies)"
clear_out
post 'Alicia <alicia@example.test>' "near miss" | ld --config "$TD/reflector.conf" -f alicia@example.test dev@lists.test
expect "a near miss is no member" 77 "alicia@example.test is not subscribed"
ctl set dev@lists.test nonmember_action hold
post alice@example.test "loop" "List-Id: <dev.lists.test>" | ld --config "$TD/reflector.conf" dev@lists.test
check_eq "own List-Id: dropped with exit 0" 0 "$RC"
post alice@example.test "loop" "X-Loop: dev@lists.test" | ld --config "$TD/reflector.conf" dev@lists.test
check_eq "own X-Loop: dropped with exit 0" 0 "$RC"
check_eq "nothing was sent for the loops" 0 "$(copies)"
check_match "the loop drop is in the activity log" 'loop-drop' "$(rf_as_user "$RF_PYTHON" -c '
import sqlite3, sys
print("\n".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT action FROM activity")))' "$TD/state/reflector.db")"
ctl set dev@lists.test max_message_size 2000
{ post alice@example.test "big"; head -c 3000 /dev/zero | tr '\0' 'x' | fold -w 70; } |
    ld --config "$TD/reflector.conf" dev@lists.test
check_eq "oversize: exit 0, nothing sent" "0 0" "$RC $(copies)"
check_match "... held for the moderators" 'more than max_message_size \(2000\)' "$(ctl held dev@lists.test)"
ctl set dev@lists.test max_message_size 10M

# --- a post ----------------------------------------------------------------------------
# uppercase list address, mbox From line, sender from the From: field
{ echo "From alice@example.test Sun Nov 29 10:00:00 2026"; post 'Alice <Alice@Example.TEST>' "first post"; } |
    ld --config "$TD/reflector.conf" -f alice@example.test DEV@Lists.Test
check_eq "a member's post: exit 0" 0 "$RC"
check_eq "nothing on stderr" "" "$ERR"
check_eq "three copies" 3 "$(copies)"
for m in alice@example.test bob@example.test carol@other.test; do
    check_eq "one copy for $m" 1 "$(ls "$TD/out" | grep -c "^$m\.")"
done
check_match "VERP sender for alice" '^-oi -f dev-bounces\+[a-z2-7]{8}\+alice=example\.test@lists\.test -- alice@example\.test$' \
    "$(grep -- '-- alice@' "$TD/out/argv")"
check_match "VERP sender for carol" '^-oi -f dev-bounces\+[a-z2-7]{8}\+carol=other\.test@lists\.test -- carol@other\.test$' \
    "$(grep -- '-- carol@' "$TD/out/argv")"
python3 - "$(ls "$TD"/out/bob@example.test.*)" > "$TD/hdr" <<'EOF'
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.compat32)
for k in ('List-Id', 'List-Post', 'List-Help', 'List-Subscribe', 'List-Unsubscribe',
          'List-Unsubscribe-Post', 'List-Owner', 'Precedence', 'X-Loop', 'Subject'):
    print('%s: %s' % (k, ' '.join(str(m.get(k)).split())))
    if len(m.get_all(k) or []) > 1:
        print('DUPLICATE:', k)
print('FIRST:', m.keys()[0])
print('FROMLINE:', open(sys.argv[1], 'rb').read().startswith(b'From '))
print('BODY:', m.get_payload(decode=True).decode().replace('\n', '|'))
EOF
h=$(cat "$TD/hdr")
check_match "List-Id" '^List-Id: <dev\.lists\.test>$' "$(grep '^List-Id' "$TD/hdr")"
check_match "List-Post" '^List-Post: <mailto:dev@lists\.test>$' "$(grep '^List-Post' "$TD/hdr")"
# one-click (RFC 8058): the default base_url, a token of 160 bits, then the mailto
check_match "List-Unsubscribe: one-click link and mailto" \
    '^List-Unsubscribe: <http://127\.0\.0\.1:8025/u/[A-Za-z0-9_-]{27}>, <mailto:dev-leave@lists\.test>$' \
    "$(grep '^List-Unsubscribe:' "$TD/hdr")"
check_match "List-Unsubscribe-Post" '^List-Unsubscribe-Post: List-Unsubscribe=One-Click$' \
    "$(grep '^List-Unsubscribe-Post:' "$TD/hdr")"
check_eq "no list field twice" "" "$(grep '^DUPLICATE' "$TD/hdr")"
token_of() { grep -h -A1 '^List-Unsubscribe:' "$@" | grep -o '/u/[A-Za-z0-9_-]*' | sort -u; }
tb=$(token_of "$TD"/out/bob@example.test.*)
ta=$(token_of "$TD"/out/alice@example.test.*)
check_match "bob's copy has one token" '^/u/[A-Za-z0-9_-]{27}$' "$tb"
check "alice's token is not bob's" test -n "$ta" -a "$ta" != "$tb"
check_eq "the database holds no token in clear" 0 \
    "$(cat "$TD"/state/reflector.db* | grep -c -a -F -e "${ta#/u/}" -e "${tb#/u/}")"
check_match "List-Subscribe mailto" '^List-Subscribe: <mailto:dev-join@lists\.test>' "$(grep '^List-Subscribe' "$TD/hdr")"
check_match "List-Help" '^List-Help: <mailto:dev-request@lists\.test\?subject=help>' "$(grep '^List-Help' "$TD/hdr")"
check_match "List-Owner" '^List-Owner: <mailto:dev-owner@lists\.test>' "$(grep '^List-Owner' "$TD/hdr")"
check_match "Precedence" '^Precedence: list$' "$(grep '^Precedence' "$TD/hdr")"
check_match "X-Loop" '^X-Loop: dev@lists\.test$' "$(grep '^X-Loop' "$TD/hdr")"
check_match "subject prefix" '^Subject: \[dev\] first post$' "$(grep '^Subject' "$TD/hdr")"
check_match "the list's fields come first" '^FIRST: (List-|X-Loop|Precedence)' "$h"
check_match "no mbox From line in the copy" '^FROMLINE: False$' "$h"
check_match "body then footer" '^BODY: Hello list,\|this is the body\.\|.*To leave: dev-leave@lists\.test' "$(grep '^BODY' "$TD/hdr")"
check_eq "the spool is empty after delivery" "" "$(ls "$TD/state/spool" 2>/dev/null)"

# a reply keeps one prefix; list_headers off drops the List-* fields
post 'bob@example.test' "Re: [dev] first post" | ld --config "$TD/reflector.conf" dev@lists.test
check_eq "bob's token is the same in his next post" "$tb" "$(token_of $(ls "$TD"/out/bob@example.test.* | tail -1))"
check_match "a reply's subject keeps one prefix" '^Subject: \[dev\] Re: first post$|^Subject: Re: \[dev\] first post$' \
    "$(grep -h '^Subject' "$TD"/out/alice@example.test.* | tail -1)"
clear_out
ctl set dev@lists.test list_headers off
post 'bob@example.test' "no list headers" | ld --config "$TD/reflector.conf" dev@lists.test
check_eq "list_headers off: delivered" 0 "$RC"
check_eq "list_headers off: no List-Id" 0 "$(cat "$TD"/out/alice@example.test.* | grep -c '^List-')"
ctl set dev@lists.test list_headers on

# RECIPIENT and LOCAL_PART_SUFFIX from the MTA's environment
clear_out
post 'bob@example.test' "via env" | rf_as_user env RECIPIENT=dev@lists.test "$TD/bin/listdeliver" \
    --config "$TD/reflector.conf" > /dev/null 2> "$TD/ld.err"
check_eq "recipient from \$RECIPIENT: delivered" "0 3" "$? $(copies)"
post 'bob@example.test' "bounce" | rf_as_user env RECIPIENT=dev@lists.test LOCAL_PART_SUFFIX=-bounces+bob=example.test \
    "$TD/bin/listdeliver" --config "$TD/reflector.conf" > /dev/null 2> "$TD/ld.err"
check_eq "\$LOCAL_PART_SUFFIX -bounces+...: accepted as a bounce, nothing sent" "0 3" "$? $(copies)"

# --- resumption ---------------------------------------------------------------------------
# bob's sendmail fails temporarily: 75 naming the count; the same bytes again
# reach bob alone; a third run sends nothing.  carol's 67 is permanent.
clear_out
ctl subscribe dev@lists.test dave@other.test > /dev/null
echo 75 > "$TD/fail/bob@example.test"
echo 67 > "$TD/fail/carol@other.test"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD/fail"
post 'alice@example.test' "retry me" > "$TD/retry.eml"
ld --config "$TD/reflector.conf" dev@lists.test < "$TD/retry.eml"
expect "a temporary failure for one member" 75 "1 of 4 members not reached yet \(.*\); the MTA will retry"
check_eq "the others got their copy" "alice@example.test dave@other.test" \
    "$(ls "$TD/out" | grep '@' | sed 's/\.[0-9]*$//' | sort | tr '\n' ' ' | sed 's/ $//')"
check "the spool keeps the message for the retry" test -n "$(ls "$TD/state/spool")"
ld --config "$TD/reflector.conf" dev@lists.test < "$TD/retry.eml"
expect "still failing" 75 "1 of 4 members not reached yet"
rm "$TD/fail/bob@example.test"
ld --config "$TD/reflector.conf" dev@lists.test < "$TD/retry.eml"
check_eq "the retry succeeds" 0 "$RC"
check_eq "after the retries: one copy each for alice, bob, dave" "alice@example.test bob@example.test dave@other.test" \
    "$(ls "$TD/out" | grep '@' | sed 's/\.[0-9]*$//' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "tries per member: alice 1, bob 3, carol 1 (67 is not retried), dave 1" \
    "1 alice@example.test 3 bob@example.test 1 carol@other.test 1 dave@other.test" \
    "$(grep -o -- '-- .*' "$TD/out/argv" | cut -c4- | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ' | sed 's/ $//')"
: > "$TD/out/argv"
ld --config "$TD/reflector.conf" dev@lists.test < "$TD/retry.eml"
check_eq "the same message once more after success: exit 0" 0 "$RC"
check_eq "... and no copy sent" 0 "$(grep -c '' "$TD/out/argv")"
rm -f "$TD/fail"/*

# a post with an attachment, attachments=link, handed over twice: the
# second time nothing is sent and nothing is stored again
ctl set dev@lists.test attachments link
{ printf 'From: alice@example.test\nTo: dev@lists.test\nSubject: with a file\nMessage-ID: <file@example.test>\n'
  printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee the file\n'
  printf -- '--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=data.bin\n'
  printf 'Content-Transfer-Encoding: base64\n\nAAECAwQFBgcICQ==\n--b--\n'; } > "$TD/file.eml"
rows() { rf_as_user "$RF_PYTHON" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM attachments").fetchone()[0])' "$TD/state/reflector.db"; }
blobs() { find "$TD/state/blobs" -type f 2>/dev/null | grep -c ''; }
: > "$TD/out/argv"
ld --config "$TD/reflector.conf" dev@lists.test < "$TD/file.eml"
check_eq "a post with an attachment, attachments=link: exit 0" 0 "$RC"
r1=$(rows) b1=$(blobs)
check_eq "one attachment stored" 1 "$r1"
check "its blob (and the redelivery copy) in the blob store" test "$b1" -ge 1
ld --config "$TD/reflector.conf" dev@lists.test < "$TD/file.eml"
check_eq "the same bytes again: exit 0" 0 "$RC"
check_eq "... no copy sent the second time" 4 "$(grep -c '' "$TD/out/argv")"
check_eq "... and nothing stored again" "$r1 $b1" "$(rows) $(blobs)"
ctl set dev@lists.test attachments keep

# transport smtp with nothing listening: 75, naming the relay and why
printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = smtp\nrelays = 127.0.0.1:1\n[dmarc]\nresolver = none\n' "$TD/state" > "$TD/smtp.conf"
[ "$(id -u)" != 0 ] || chown "$RF_TEST_USER:" "$TD/smtp.conf"
post 'alice@example.test' "no relay" | ld --config "$TD/smtp.conf" dev@lists.test
expect "smtp transport, relay down" 75 "no relay took the copies \(relay 127\.0\.0\.1:1: Connection refused\); the MTA will retry"
printf '[paths]\nstate_dir = %s\n[delivery]\ntransport = carrier-pigeon\n[dmarc]\nresolver = none\n' "$TD/state" > "$TD/bad.conf"
post 'alice@example.test' "bad transport" | ld --config "$TD/bad.conf" dev@lists.test
expect "unknown transport in the config" 75 "\[delivery\] transport: 'carrier-pigeon' is not a known transport \(sendmail, smtp\)"

# a second listdeliver on the same message while the first holds it
clear_out
post 'alice@example.test' "concurrent" > "$TD/conc.eml"
cat > "$TD/bin/sendmail-slow" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
touch "$TD/out/started"
sleep 3
cat > "$TD/out/\$rcpt.\$(date +%s%N)\$(printf %07d \$\$)"
EOF
chmod 755 "$TD/bin/sendmail-slow"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = 8\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/bin/sendmail-slow" > "$TD/slow.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
"${RF_AS_USER[@]}" "$TD/bin/listdeliver" --config "$TD/slow.conf" dev@lists.test < "$TD/conc.eml" 2> "$TD/first.err" &
first=$!
for _ in $(seq 1 100); do [ -e "$TD/out/started" ] && break; sleep 0.05; done
ld --config "$TD/slow.conf" dev@lists.test < "$TD/conc.eml"
expect "the same message while another run holds it" 75 "already in progress in another listdeliver"
wait "$first"
check_eq "the first run finishes: exit 0" 0 "$?"
check_eq "four copies, not eight" 4 "$(copies)"

rf_done
