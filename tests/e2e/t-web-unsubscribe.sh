#!/bin/bash
# ctest-labels: mta browser
# t-web-unsubscribe.sh - one-click unsubscribe (RFC 8058) end to end: a post
# through the real Exim gives each member a copy with their own
# List-Unsubscribe link to the real listweb; following the link (GET, as a
# mail scanner would) unsubscribes no one; the page's button, clicked in the
# real headless Chromium, unsubscribes; a mail provider's one-click POST
# unsubscribes; a spent or unknown link is 404; no token reaches a log.
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
rf_listctl subscribe dev@lists.test alice@example.test bob@example.test carol@example.test > /dev/null
ok "list dev with alice, bob and carol"
add_mailbox alice@example.test bob@example.test carol@example.test poster@other.test
mkmsg "$T/m1" poster@other.test dev@lists.test 'Hello' 'A post.'
post poster@other.test dev@lists.test "$T/m1"
ok "SMTP accepted the post"
exim_wait_idle 60
ok "queue drained"

link_of() { hdr "$(maildir_files "$1" | head -1)" List-Unsubscribe | grep -o "<$BASE/u/[^>]*>" | tr -d '<>'; }
la=$(link_of alice@example.test) lb=$(link_of bob@example.test) lc=$(link_of carol@example.test)
check_match "alice's copy has her one-click link" "^$BASE/u/[A-Za-z0-9_-]{27}\$" "$la"
check_match "bob's too" "^$BASE/u/[A-Za-z0-9_-]{27}\$" "$lb"
check "and they differ" test "$la" != "$lb"
check_eq "List-Unsubscribe-Post" "List-Unsubscribe=One-Click" \
    "$(hdr "$(maildir_files alice@example.test | head -1)" List-Unsubscribe-Post)"

# a link scanner: GET, and GET again
for _ in 1 2; do curl -s -o "$T/get.html" -w '%{http_code}' "$la" > "$T/get.code"; done
check_eq "GET answers 200" 200 "$(cat "$T/get.code")"
check_match "with a page that has a button" '<button type="submit" id="unsubscribe">' "$(cat "$T/get.html")"
check_match "the page does not spell alice's address" 'a…@example\.test' "$(cat "$T/get.html")"
check_eq "after two GETs alice is still a member" 1 "$(rf_listctl members dev@lists.test | grep -c '^alice@example.test$')"
check_eq "a POST without the one-click body is refused" 400 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'x=y' "$la")"
check_eq "... and unsubscribes no one" 3 "$(rf_listctl members dev@lists.test | wc -l)"

# alice clicks the button in a real browser
rf_browser "the browser part" 9 unsubscribe.mjs "$la"
check_eq "alice is no member any more" 0 "$(rf_listctl members dev@lists.test | grep -c '^alice@example.test$')"

# bob's mail provider does the one-click POST of RFC 8058
check_eq "one-click POST: 200" 200 \
    "$(curl -s -o "$T/post.html" -w '%{http_code}' -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
        --data 'List-Unsubscribe=One-Click' "$lb")"
check_eq "bob is no member any more" 0 "$(rf_listctl members dev@lists.test | grep -c '^bob@example.test$')"
check_eq "carol still is" "carol@example.test" "$(rf_listctl members dev@lists.test)"
check_eq "alice's spent link: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$la")"
check_eq "a made-up token: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/u/AAAAAAAAAAAAAAAAAAAAAAAAAAA")"
check_eq "a token one character off: 404" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "${lc%?}$( [ "${lc: -1}" = A ] && echo B || echo A)")"
check_eq "and carol is still a member" 1 "$(rf_listctl members dev@lists.test | wc -l)"

# what was recorded: the journal says who left and how; no token anywhere
as_run_user "$RF_PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute("SELECT actor, event, subject FROM journal WHERE event = ? ORDER BY id", ("unsubscribe",)):
    print("|".join(r))
print("ACTIVITY", "".join("|".join(map(str, r)) for r in db.execute("SELECT * FROM activity")))' "$STATE/reflector.db" > "$T/db.txt"
check_eq "the journal: alice and bob left by one-click" \
    "one-click|unsubscribe|alice@example.test one-click|unsubscribe|bob@example.test" \
    "$(grep -v '^ACTIVITY' "$T/db.txt" | tr '\n' ' ' | sed 's/ $//')"
for l in "$la" "$lb" "$lc"; do
    t=${l##*/}
    check_eq "no token in the database, the activity log or listweb's log (${t:0:4}…)" "" \
        "$(cat "$STATE"/reflector.db* "$T/db.txt" "$T/log/listweb.log" | grep -a -F -c -e "$t" | grep -v '^0$')"
done
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/log/listweb.log" | head -5)"
web_down
exim_check_clean
rf_done
