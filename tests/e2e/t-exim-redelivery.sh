#!/bin/bash
# ctest-labels: browser
# t-exim-redelivery.sh - Bounce Redelivery end to end through the real Exim
# (issue 5, acceptance (b)): carol's mailbox refuses only the list's posts
# with "550 5.7.1" (tests/mta/exim.conf.in, refuse_list_posts) and accepts
# other mail.  Exim's DSN reaches carol's VERP address; listdeliver classes
# it as a policy refusal (carol's score does not rise), links it to the
# kept post, and mails carol a notice, which Exim delivers to her Maildir.
# The link in that notice, opened in the real headless Chromium against the
# real listweb, shows the refused post.  A second bounce the same day sends
# no second notice.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/web.sh"
rf_need curl node
rf_tmpdir
exim_up
trap 'web_down; exim_down; _rf_cleanup' EXIT

# listweb refuses to start without a database: made by listctl alone
rf_listctl init > /dev/null
web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
ok "listweb started on 127.0.0.1:$WEBPORT"
BASE=http://127.0.0.1:$WEBPORT
printf '[web]\nbase_url = %s\n' "$BASE" >> "$T/reflector.conf"

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl set dev@lists.test posting open > /dev/null &&
rf_listctl subscribe dev@lists.test alice@example.test carol@example.test > /dev/null
ok "list dev with alice and carol"
check_eq "bounce_redelivery is on by default" on "$(rf_listctl get dev@lists.test bounce_redelivery)"
add_mailbox alice@example.test poster@other.test
add_refusing_lists carol@example.test

SUBJ='Meeting notes <b>bold</b>'
mkmsg "$T/m1" poster@other.test dev@lists.test "$SUBJ" \
    'The notes are below. <script>alert(1)</script> See you on Monday.'
post poster@other.test dev@lists.test "$T/m1"
ok "SMTP accepted the post"
exim_wait_idle 60
ok "queue drained"

log=$(cat "$T/log/mainlog")
check_match "mainlog: Exim refused carol's copy with the 5.7.1" \
    '\*\* carol@example.test .*550 5\.7\.1' "$log"
check_match "mainlog: the DSN went to carol's VERP address, through the pipe" \
    '=> dev <dev-bounces\+[a-z2-7]{8}\+carol=example.test@lists.test> P=<> R=reflector_list T=reflector_pipe' "$log"
check_eq "alice got the post" 1 "$(maildir_count alice@example.test)"

json=$(rf_listctl bounces dev@lists.test --json)
field() {
    printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = [x for x in d["members"] if x["address"] == sys.argv[1]]
print(m[0][sys.argv[2]] if m else "none")' "$1" "$2"
}
check_eq "carol's bounce is classed policy" policy "$(field carol@example.test last_class)"
check_eq "carol's score did not rise" 0 "$(field carol@example.test score)"
check_eq "carol is still enabled" enabled "$(field carol@example.test state)"

check_eq "carol received one mail: the notice" 1 "$(maildir_count carol@example.test)"
notice=$(maildir_files carol@example.test | head -1)
check_match "the notice's subject" '^Messages of dev@lists.test your provider refused$' \
    "$(hdr "$notice" Subject)"
check_match "the notice came with a VERP sender" '^<dev-bounces\+[a-z2-7]{8}\+carol=example.test@lists.test>$' \
    "$(hdr "$notice" Return-Path)"
check_eq "the notice is no post: no List-Id" "" "$(hdr "$notice" List-Id)"
text=$(body "$notice")
check_match "the notice names the refused post" 'Meeting notes <b>bold</b>' "$text"
link=$(printf '%s\n' "$text" | grep -oE "$BASE/r/[A-Za-z0-9_-]+" | head -1)
check_match "the notice carries a 256-bit link to listweb" "^$BASE/r/[A-Za-z0-9_-]{43}\$" "$link"

rf_browser "the browser part" 11 redelivery.mjs "$link" "$SUBJ" 'See you on Monday.'
check_eq "a made-up token: 404" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")"

# a second post refused the same day: linked, but no second notice
mkmsg "$T/m2" poster@other.test dev@lists.test 'Second post' 'More.'
post poster@other.test dev@lists.test "$T/m2"
ok "SMTP accepted the second post"
exim_wait_idle 60
ok "queue drained"
check_eq "no second notice the same day" 1 "$(maildir_count carol@example.test)"
check_eq "the page now shows both refused posts" 2 \
    "$(curl -s "$link" | grep -c '<article class="post"')"
check_eq "alice got both posts" 2 "$(maildir_count alice@example.test)"

# the smtp transport: dave refuses the lists' posts too; his notice goes
# through SMTP to the same Exim
sed -i "s|^\[delivery\]\$|[delivery]\ntransport = smtp\nrelays = 127.0.0.1:$PORT|" "$T/reflector.conf"
rf_listctl subscribe dev@lists.test dave@example.test > /dev/null
ok "transport = smtp; dave subscribed"
add_refusing_lists dave@example.test
mkmsg "$T/m3" poster@other.test dev@lists.test 'Third post' 'Still more.'
post poster@other.test dev@lists.test "$T/m3"
ok "SMTP accepted the third post"
exim_wait_idle 60
ok "queue drained"
check_match "mainlog: dave's copy came over SMTP from listdeliver and was refused" \
    '\*\* dave@example.test .*550 5\.7\.1' "$(cat "$T/log/mainlog")"
check_eq "dave received the notice, through the smtp transport" 1 "$(maildir_count dave@example.test)"
dn=$(maildir_files dave@example.test | head -1)
check_match "dave's notice names the third post" 'Third post' "$(body "$dn")"
check_match "dave's notice has his VERP sender" '^<dev-bounces\+[a-z2-7]{8}\+dave=example.test@lists.test>$' \
    "$(hdr "$dn" Return-Path)"
check_eq "carol still has one notice (one a day)" 1 "$(maildir_count carol@example.test)"

t=${link##*/}
check_eq "the token is in no database file and no log" "" \
    "$(cat "$STATE"/reflector.db* "$T/log/"* | grep -a -F -c -e "$t" | grep -v '^0$')"
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/log/listweb.log" | head -5)"
web_down
exim_check_clean
rf_done
