#!/bin/bash
# ctest-labels: mta
# t-redelivery.sh - Bounce Redelivery in detail, with the injected clock
# (REFLECTOR_TEST_NOW) and a sendmail stub that keeps each copy: a post is
# kept once (a retry keeps nothing twice) and sealed; with
# bounce_redelivery=off nothing is kept (no row, no blob) and no notice is
# sent; a bounce is linked to its post by the Message-ID in the DSN's
# text/rfc822-headers, a free-text bounce's quoted header, or In-Reply-To;
# the notice goes at most once a day; listweb's /r/ page is 200, then 410
# after redelivery_days; cleanup (and --dry-run) deletes expired copies and
# links, idempotently; the notice piped back as a post is a loop; listctl
# report LIST bounces mails the moderators and owners and prints no member.
# (The real-Exim path is t-exim-redelivery.sh.)
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"   # _rf_free_port, for web.sh
source "$RF_TESTS/lib/web.sh"
rf_need python3 setpriv curl
rf_tmpdir
T=$TD
trap 'web_down; _rf_cleanup' EXIT

mkdir -p "$TD/bin" "$TD/state" "$TD/out" "$TD/log"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
# each copy is out/<member>.<nanoseconds><pid, 7 digits>: name order is time
# order, whatever the pids
printf '#!/bin/sh\nfor a; do rcpt=$a; done\nprintf "%%s\\n" "$*" >> "%s/out/argv"\ncat > "%s/out/$rcpt.$(date +%%s%%N)$(printf %%07d $$)"\n' \
    "$TD" "$TD" > "$TD/bin/sendmail"
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n[web]\nbase_url = https://lists.test/\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/bin/sendmail" > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"

NOW=1800000000
DAY=86400
ctl() { rf_as_user env REFLECTOR_TEST_NOW=$NOW "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ld() {   # ld RECIPIENT < message; sets RC
    rf_as_user env REFLECTOR_TEST_NOW=$NOW "$TD/bin/listdeliver" --config "$TD/reflector.conf" "$1" \
        > "$TD/ld.out" 2> "$TD/ld.err"
    RC=$?
}
sql() { rf_as_user "$RF_PYTHON" -c 'import sqlite3, sys
print("\n".join("|".join(map(str, r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' \
    "$TD/state/reflector.db" "$1"; }
blobs() { find "$TD/state/blobs" -type f 2>/dev/null | wc -l; }
mkpost() {   # mkpost ID SUBJECT
    printf 'From: poster@other.test\nTo: dev@lists.test\nSubject: %s\nDate: Sun, 29 Nov 2026 10:00:00 +0000\n' "$2"
    printf 'Message-ID: <%s@other.test>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n' "$1"
    printf 'The secret body of %s.\n' "$1"
}
dsn() {   # dsn MEMBER STATUS ORIGINAL-MESSAGE-ID: an RFC 3464 report
    printf 'From: MAILER-DAEMON@mx.example.test\nTo: dev-bounces+%s=%s@lists.test\n' "${1%@*}" "${1#*@}"
    printf 'Subject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn.%s@mx.example.test>\n' "$RANDOM"
    printf 'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
    printf -- '--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n'
    printf -- '--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.test\n\n'
    printf 'Final-Recipient: rfc822; %s\nAction: failed\nStatus: %s\nDiagnostic-Code: smtp; 550 %s message refused\n\n' "$1" "$2" "$2"
    printf -- '--B\nContent-Type: text/rfc822-headers\n\nFrom: poster@other.test\nTo: dev@lists.test\n'
    printf 'Subject: whatever\nMessage-ID:\n <%s>\n\n--B--\n' "$3"
}
# bounce_row MEMBER: "SCORE LAST_CLASS" of MEMBER's row in listctl bounces --json
bounce_row() {
    ctl bounces dev@lists.test --json | "$RF_PYTHON" -c 'import json, sys
rows = [m for m in json.load(sys.stdin)["members"] if m["address"] == sys.argv[1]]
print("%s %s" % (rows[0]["score"], rows[0]["last_class"]) if len(rows) == 1 else "%d rows" % len(rows))' "$1"
}
notice_files() { grep -l '^Subject: Messages of dev@lists.test' "$TD"/out/"$1".* 2>/dev/null | sort; }
notices() { notice_files "$1" | wc -l; }
link_of() { grep -hoE 'https://lists.test/r/[A-Za-z0-9_-]+' "$(notice_files "$1" | tail -1)" | head -1; }
# bob's VERP address as his last copy carried it (issue 11: with its authenticator)
bob_verp() { grep -- '-- bob@example.test$' "$TD/out/argv" | sed 's/.*-f \([^ ]*\) .*/\1/' | tail -1; }

ctl create dev@lists.test > /dev/null &&
ctl set dev@lists.test posting open > /dev/null &&
ctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null
ok "list dev with alice and bob"

# 1. kept once, sealed
mkpost p1 'First post' > "$TD/p1"
ld dev@lists.test < "$TD/p1"
check_eq "post 1 delivered" 0 "$RC"
check_eq "one kept post, with its Message-ID, subject and expiry (14 days)" \
    "dev@lists.test|p1@other.test|First post|$((NOW + 14 * DAY))" \
    "$(sql 'SELECT list_address, message_id, subject, expires FROM redelivery_posts')"
check_eq "one blob" 1 "$(blobs)"
check_eq "the blob is sealed: the body is not in it" 0 \
    "$(find "$TD/state/blobs" -type f -exec cat {} + | grep -a -c 'secret body')"
ld dev@lists.test < "$TD/p1"
check_eq "the same message again (the MTA's retry): exit 0" 0 "$RC"
check_eq "... still one kept post" 1 "$(sql 'SELECT count(*) FROM redelivery_posts')"
check_eq "... and one blob" 1 "$(blobs)"

# 2. off means off
ctl set dev@lists.test bounce_redelivery off > /dev/null; ok "bounce_redelivery off"
mkpost p2 'Second post' > "$TD/p2"
ld dev@lists.test < "$TD/p2"
check_eq "post 2 delivered" 0 "$RC"
check_eq "off: no row for post 2" 0 \
    "$(sql "SELECT count(*) FROM redelivery_posts WHERE message_id = 'p2@other.test'")"
check_eq "off: no new blob" 1 "$(blobs)"
dsn bob@example.test 5.7.1 p1@other.test > "$TD/b0"
ld "$(bob_verp)" < "$TD/b0"
check_eq "off: a bounce of a kept post is taken (exit 0)" 0 "$RC"
check_eq "off: no notice" 0 "$(notices bob@example.test)"
check_eq "off: nothing linked" 0 "$(sql 'SELECT count(*) FROM redelivery_bounces')"
ctl set dev@lists.test bounce_redelivery on > /dev/null; ok "bounce_redelivery on again"

# 3. a policy bounce: linked, score unchanged, one notice
ld "$(bob_verp)" < "$TD/b0"
check_eq "the DSN for bob: exit 0" 0 "$RC"
check_eq "linked to post 1" "bob@example.test|p1@other.test" \
    "$(sql 'SELECT b.member, p.message_id FROM redelivery_bounces b JOIN redelivery_posts p ON p.id = b.post_id')"
check_eq "bob's row: score 0, last class policy (the score did not rise)" "0 policy" "$(bounce_row bob@example.test)"
check_eq "bob got one notice" 1 "$(notices bob@example.test)"
n=$(notice_files bob@example.test | head -1)
check_match "the notice lists the post's subject" '^  - First post$' "$(cat "$n")"
check_match "the notice has bob's VERP sender" \
    '-f dev-bounces\+[a-z2-7]{8}\+bob=example.test@lists.test -- bob@example.test' "$(cat "$TD/out/argv")"
check_match "the notice is To: bob" '^To: <bob@example.test>$' "$(cat "$n")"
check_match "the notice is marked automatic" '^Auto-Submitted: auto-generated$' "$(cat "$n")"
check_eq "the notice has no List-Id: it is no post" 0 "$(grep -c '^List-Id:' "$n")"
L1=$(link_of bob@example.test)
check_match "the link: base_url (its trailing / dropped), /r/, 43 characters" \
    '^https://lists.test/r/[A-Za-z0-9_-]{43}$' "$L1"
check_eq "the token is stored only as a hash" 0 \
    "$(cat "$TD"/state/reflector.db* | grep -a -c -F -e "${L1##*/}")"

# 4. at most once a day; a free-text bounce (quoted header) and In-Reply-To link too
mkpost p3 'Third post' > "$TD/p3"
ld dev@lists.test < "$TD/p3"
printf 'From: postmaster@mx.example.test\nTo: dev-bounces+bob=example.test@lists.test\nSubject: failure notice\n\nHi. This is the qmail-send program.\n<bob@example.test>:\n550 5.7.1 content rejected\n\n--- Below this line is a copy of the message.\n\nFrom: poster@other.test\nMessage-ID: <p3@other.test>\nSubject: Third post\n' > "$TD/b3"
ld "$(bob_verp)" < "$TD/b3"
check_eq "a free-text bounce of post 3: exit 0" 0 "$RC"
check_eq "linked by the quoted header" 2 \
    "$(sql "SELECT count(*) FROM redelivery_bounces WHERE member = 'bob@example.test'")"
check_eq "no second notice the same day" 1 "$(notices bob@example.test)"
NOW=$((NOW + DAY + 1))
mkpost p4 'Fourth post' > "$TD/p4"
ld dev@lists.test < "$TD/p4"
printf 'From: MAILER-DAEMON@mx.example.test\nTo: dev-bounces+bob=example.test@lists.test\nSubject: Mail delivery failed\nIn-Reply-To: <p4@other.test>\n\n<bob@example.test>: 550 5.1.1 user unknown\n' > "$TD/b4"
ld "$(bob_verp)" < "$TD/b4"
check_eq "a bounce naming post 4 by In-Reply-To, a day later: exit 0" 0 "$RC"
check_eq "a day later: a second notice" 2 "$(notices bob@example.test)"
L2=$(link_of bob@example.test)
check "with a new link" test "$L1" != "$L2"
check_match "it lists the three refused posts" 'First post.*Third post.*Fourth post' \
    "$(grep '^  - ' "$(notice_files bob@example.test | tail -1)" | tr '\n' ' ')"
check_eq "alice has no notice" 0 "$(notices alice@example.test)"

# 5. the notice piped back as a post is a loop
ld dev@lists.test < "$n"
check_eq "the notice sent back to the list: exit 0" 0 "$RC"
check_eq "... dropped as a loop" 1 "$(sql "SELECT count(*) FROM activity WHERE action = 'loop-drop'")"

# 6. the page: 200 now, 404 unknown, 410 after expiry
web_up REFLECTOR_TEST_NOW=$NOW || { _rf_record 1 "listweb started"; rf_done; exit 1; }
ok "listweb started"
page() { curl -s -o "$TD/page.html" -w '%{http_code}' "http://127.0.0.1:$WEBPORT/r/${1##*/}"; }
check_eq "bob's first link: 200" 200 "$(page "$L1")"
check_eq "it shows the three posts that bounced for bob" 3 "$(grep -c '<article class="post"' "$TD/page.html")"
check_eq "... and not post 2, which is not kept" 0 "$(grep -c 'Second post' "$TD/page.html")"
check_match "with the kept text" 'The secret body of p3' "$(cat "$TD/page.html")"
check_eq "an unknown token: 404" 404 "$(page AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA)"
check_eq "a malformed token: 404" 404 "$(page x)"
web_down
web_up REFLECTOR_TEST_NOW=$((NOW + 15 * DAY)) || { _rf_record 1 "listweb restarted"; rf_done; exit 1; }
check_eq "15 days later the link is 410 Gone" 410 "$(page "$L2")"
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/log/listweb.log" | head -5)"
web_down

# 7. cleanup
NOW=$((NOW + 15 * DAY))
out=$(ctl cleanup --dry-run)
check_match "dry run: 3 kept posts would go" '^redelivery: 3 .* would be deleted$' "$out"
check_match "dry run: 2 links would go" '^redelivery-tokens: 2 .* would be deleted$' "$out"
check_eq "dry run deleted no row" 3 "$(sql 'SELECT count(*) FROM redelivery_posts')"
check_eq "dry run deleted no blob" 3 "$(blobs)"
out=$(ctl cleanup)
check_match "cleanup: 3 kept posts deleted" '^redelivery: 3 .* deleted$' "$out"
check_match "cleanup: 2 links deleted" '^redelivery-tokens: 2 .* deleted$' "$out"
check_eq "no kept post, link or bounce row left" "0|0|0" \
    "$(sql 'SELECT (SELECT count(*) FROM redelivery_posts), (SELECT count(*) FROM redelivery_tokens), (SELECT count(*) FROM redelivery_bounces)')"
check_eq "no blob left" 0 "$(blobs)"
out=$(ctl cleanup)
check_eq "a second cleanup finds nothing, and says nothing (cron)" "" "$out"
out=$(ctl cleanup -v)
check_match "cleanup -v: a line per kind, 0 kept posts" '^redelivery: 0 ' "$out"

# 8. listctl report LIST bounces
check_eq "no moderator yet: exit 67" 67 "$(ctl report dev@lists.test bounces > /dev/null 2>&1; echo $?)"
printf 'a long password\n' | ctl user add mod --email mod@example.test --password-stdin > /dev/null &&
ctl user grant mod moderator dev@lists.test > /dev/null &&
printf 'another password\n' | ctl user add own --email own@example.test --password-stdin > /dev/null &&
ctl user grant own owner dev@lists.test > /dev/null &&
printf 'third password\n' | ctl user add other --email other@example.test --password-stdin > /dev/null
ok "a moderator, an owner and another account"
before=$(ls "$TD/out" | wc -l)
out=$(ctl report dev@lists.test bounces --dry-run)
check_eq "--dry-run says to whom" "would mail the bounce report of dev@lists.test to mod@example.test
would mail the bounce report of dev@lists.test to own@example.test" "$out"
check_eq "--dry-run sends nothing" "$before" "$(ls "$TD/out" | wc -l)"
out=$(ctl report dev@lists.test bounces)
check_eq "report: one line, no member in it" \
    "mailed the bounce report of dev@lists.test to 2 of 2 moderators and owners" "$out"
r=$(ls "$TD"/out/mod@example.test.* | head -1)
check_match "the moderator got it" '^Subject: Bounce report of dev@lists.test$' "$(cat "$r")"
check_match "it lists bob with his score and last class" 'bob@example.test +enabled +1/5 .* permanent' "$(cat "$r")"
check_match "and the policy refusals by domain (three 5.7.1 bounces, one while off)" 'example.test +3$' "$(cat "$r")"
check_eq "the owner got it" 1 "$(ls "$TD"/out/own@example.test.* | wc -l)"
check_eq "the other account did not" 0 "$(ls "$TD"/out/other@example.test.* 2>/dev/null | wc -l)"
check_eq "a report other than bounces: usage error 64" 64 \
    "$(ctl report dev@lists.test members > /dev/null 2>&1; echo $?)"
rf_done
