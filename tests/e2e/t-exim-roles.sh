#!/bin/bash
# ctest-labels: mta browser
# t-exim-roles.sh - a list's daily life by mail through the real Exim
# (issue 10): every address a list advertises answers.  The story of
# tests/lib/roles.sh (join and confirm by reply, welcome; leave by the
# List-Unsubscribe mailto of a copy, goodbye; help; the owners; nobody
# (un)subscribes someone else; a member's and a non-member's answers the
# same, byte for byte); an expired token under an injected clock; the
# confirmation link in the real Chromium (GET shows, POST acts); each
# List-* header of a copy, the footer's address and every address of the
# man pages answers; an out-of-office reply and an "unsubscribe" posted to
# the list are neither answered nor distributed.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/web.sh"
source "$RF_TESTS/lib/roles.sh"
rf_need curl node
rf_tmpdir
exim_up
trap 'web_down; exim_down; _rf_cleanup' EXIT
mta_idle() { exim_wait_idle 60 || _rf_record 1 "the queue drained"; }

# listdeliver under an injected clock while $T/now exists (expiry below)
sed -i "2i [ -r $T/now ] && { REFLECTOR_TEST_NOW=\$(cat $T/now); export REFLECTOR_TEST_NOW; }" "$T/bin/listdeliver"
# listweb refuses to start without a database: made by listctl alone
rf_listctl init > /dev/null
web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT
printf '[web]\nbase_url = %s\n' "$BASE" >> "$T/reflector.conf"

roles_setup
roles_story

# --- an expired confirmation: a clear answer, nothing done ----------------------
send zed@example.test dev-join@lists.test 'join again' ''
c=$(newest zed@example.test)
echo $(( $(date +%s) + 8 * 24 * 3600 )) > "$T/now"; chmod 644 "$T/now"
reply_to "$c" zed@example.test
rm -f "$T/now"
e=$(newest zed@example.test)
check_match "a reply after confirm_days (7): told it expired" '^Expired confirmation for dev@lists\.test$' "$(hdr "$e" Subject)"
check_match "... in so many words" 'has expired' "$(body "$e")"
check "... and zed was not subscribed" not_member zed@example.test

# --- the confirmation link in Chromium: GET shows, POST acts ---------------------
send zed@example.test dev-request@lists.test 'subscribe' ''
link=$(body "$(newest zed@example.test)" | grep -o "$BASE/c/[a-z2-7]*" | head -1)
check_match "the confirmation has the link" "^$BASE/c/[a-z2-7]{52}\$" "$link"
for _ in 1 2; do code=$(curl -s -o "$T/c.html" -w '%{http_code}' "$link"); done
check_eq "GET of the link (twice, as a link scanner would): 200" 200 "$code"
check_match "the page asks, with a button" '<button type="submit" id="confirm">Subscribe</button>' "$(cat "$T/c.html")"
check_match "it does not spell the address" 'z…@example\.test' "$(cat "$T/c.html")"
check "after two GETs zed is no member" not_member zed@example.test
check_eq "a POST without the token: 404, nothing done" 404 "$(curl -s -o /dev/null -w '%{http_code}' --data 'x=y' "$BASE/c/")"
check_eq "a POST with a made-up token: 404" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' --data "token=$(printf 'a%.0s' $(seq 52))" "$BASE/c/")"
n=$(maildir_count zed@example.test)
rf_browser "the browser part" 11 confirm.mjs "$link"
check "the button made zed a member" is_member zed@example.test
mta_idle
check_eq "zed is welcomed by mail" "$((n + 1))" "$(maildir_count zed@example.test)"
check_match "... the welcome" '^Welcome to dev@lists\.test$' "$(hdr "$(newest zed@example.test)" Subject)"
check_eq "the spent link: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$link")"
send zed@example.test dev-leave@lists.test 'leave' ''
link=$(body "$(newest zed@example.test)" | grep -o "$BASE/c/[a-z2-7]*" | head -1)
echo $(( $(date +%s) + 8 * 24 * 3600 )) > "$T/now"
web_down; web_up "REFLECTOR_TEST_NOW=$(cat "$T/now")" || _rf_record 1 "listweb restarted"
rm -f "$T/now"
link=http://127.0.0.1:$WEBPORT/c/${link##*/} BASE=http://127.0.0.1:$WEBPORT
check_eq "an expired link: 410 Gone" 410 "$(curl -s -o "$T/c.html" -w '%{http_code}' "$link")"
check_match "... saying so" 'has expired' "$(cat "$T/c.html")"
check_eq "... and its POST: 410, nothing done" 410 \
    "$(curl -s -o /dev/null -w '%{http_code}' --data "token=${link##*/}" "$BASE/c/")"
check "zed is still a member" is_member zed@example.test

# --- every address in the List-* headers of a copy, and in the footer, answers -----
send carol@example.test dev@lists.test 'Headers' 'A post to read the headers of.'
copy=$(newest alice@example.test)
mailto() { hdr "$copy" "$1" | grep -o 'mailto:[^>]*' | sed 's/^mailto://'; }
add_mailbox h1@example.test h2@example.test h3@example.test h4@example.test
n=$(maildir_count zed@example.test)
post_to=$(mailto List-Post) help_to=$(mailto List-Help) join_to=$(mailto List-Subscribe)
leave_to=$(mailto List-Unsubscribe) owner_to=$(mailto List-Owner)
footer=$(body "$copy" | grep -o '[a-z-]*@lists\.test' | sort -u)
check_eq "the footer names dev-leave@" dev-leave@lists.test "$footer"
# each from its own sender, all at once
send_only carol@example.test "$post_to" 'Via List-Post' 'posted to the List-Post address'
send_only h1@example.test "${help_to%%\?*}" "$(echo "$help_to" | sed -n 's/.*?subject=//p')" ''
send_only h2@example.test "$join_to" '' ''
send_only alice@example.test "$leave_to" '' ''
send_only h3@example.test "$owner_to" 'Owner?' 'via List-Owner'
send_only h4@example.test "$footer" 'bye' ''
mta_idle
check_eq "List-Post ($post_to): the post reaches the members" "$((n + 1))" "$(maildir_count zed@example.test)"
check_match "List-Help (${help_to%%\?*}): help answered" '^Help of dev@lists\.test$' "$(hdr "$(newest h1@example.test)" Subject)"
check_match "List-Subscribe ($join_to): a confirmation asked" '^Confirm: subscribe' "$(hdr "$(newest h2@example.test)" Subject)"
check_match "List-Unsubscribe ($leave_to): a confirmation asked" '^Confirm: unsubscribe' "$(hdr "$(newest alice@example.test)" Subject)"
check_match "List-Owner ($owner_to): the owners reached" '^Owner\?$' "$(hdr "$(newest own@example.test)" Subject)"
check_match "the footer's address ($footer) answers" '^Confirm: unsubscribe' "$(hdr "$(newest h4@example.test)" Subject)"

# --- every role address the man pages name answers -----------------------------------
suffixes=$(cat "$RF_SRC"/man/*.[578] | grep -o -P '(?<![-A-Za-z])[A-Za-z]*-(request|owner|join|leave|confirm|bounces)(?![a-z])' |
           sed 's/.*-//' | sort -u | tr '\n' ' ')
check_eq "the man pages name these role addresses" "bounces confirm join leave owner request " "$suffixes"
tok=$(printf 'b%.0s' $(seq 52))
n=$(wc -l < "$T/log/mainlog")
for s in $suffixes; do
    case $s in
        bounces) a=dev-bounces+nobody=example.test@lists.test ;;
        confirm) a=dev-confirm+$tok@lists.test ;;
        *) a=dev-$s@lists.test ;;
    esac
    send_only mallory@example.test "$a" 'hello' 'hello'
done
mta_idle
for s in $suffixes; do
    case $s in
        bounces) a=dev-bounces+nobody=example.test@lists.test ;;
        confirm) a=dev-confirm+$tok@lists.test ;;
        *) a=dev-$s@lists.test ;;
    esac
    check_eq "$a: delivered to listdeliver, which took it (exit 0)" 1 \
        "$(tail -n +$((n + 1)) "$T/log/mainlog" | grep -F " => dev <$a>" | grep -c 'R=reflector_list T=reflector_pipe')"
done
check_eq "none of them bounced back to mallory" 0 \
    "$(grep -l '^Subject: Mail delivery failed' $(maildir_files mallory@example.test) 2>/dev/null | wc -l)"

# --- at most autoresponse_limit answers a day to one address ------------------------
rf_listctl set dev@lists.test autoresponse_limit 2
add_mailbox quiet@example.test
for i in 1 2 3; do send_only quiet@example.test dev-request@lists.test "help $i" ''; done
mta_idle
check_eq "autoresponse_limit 2: three help requests, two answers" 2 "$(maildir_count quiet@example.test)"
rf_listctl set dev@lists.test autoresponse_limit 50
check_match "... logged" 'answer-limited' "$(as_run_user "$RF_PYTHON" -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute("SELECT action FROM activity"): print(*r)' "$STATE/reflector.db")"

# --- an out-of-office reply and an "unsubscribe" posted to the list -------------------
n=$(maildir_count carol@example.test) a=$(maildir_count alice@example.test)
send alice@example.test dev@lists.test 'Out of office: Headers' 'I am away until Monday.' \
    'Auto-Submitted: auto-replied' 'X-Autoreply: yes'
check_eq "the out-of-office reply is not distributed" "$n" "$(maildir_count carol@example.test)"
check_eq "... nor answered" "$a" "$(maildir_count alice@example.test)"
o=$(maildir_count own@example.test)
send carol@example.test dev@lists.test 'unsubscribe' 'unsubscribe'
check_eq "the 'unsubscribe' post is not distributed" "$a" "$(maildir_count alice@example.test)"
check_eq "... nor answered" "$n" "$(maildir_count carol@example.test)"
check_match "... but held for the moderators, saying why" 'why: it looks like a command' "$(rf_listctl held dev@lists.test)"
check_eq "... who are told" "$((o + 1))" "$(maildir_count own@example.test)"
check_match "the activity log has the out-of-office drop" 'auto-drop.*automatic reply' \
    "$(as_run_user "$RF_PYTHON" -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute("SELECT action, detail FROM activity"): print(*r)' "$STATE/reflector.db")"

check_eq "no token in the database or the activity log" 0 \
    "$(cat "$STATE"/reflector.db* | grep -a -c -E 'dev-confirm\+[a-z2-7]{52}|/c/[a-z2-7]{52}')"
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/log/listweb.log" | head -5)"
web_down
exim_check_clean
rf_done
