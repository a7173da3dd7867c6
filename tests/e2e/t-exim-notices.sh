#!/bin/bash
# ctest-labels: mta
# t-exim-notices.sh - the bounce notices through the real Exim and the real
# listweb (issue 17): three members' mailboxes answer "550 5.1.1 user
# unknown" to a post, Exim's bounces come back to their VERP addresses and
# disable them (bounce_threshold 1); two mailboxes are then fixed.
# listctl sweep mails each disabled member a notice: dana keeps her
# subscription by replying to its LIST-confirm+TOKEN address, erin by the
# page's button (curl: GET shows, POST acts); both get the next post.  The
# notice to gone, still refusing, bounces without raising gone's score, and
# after bounce_notices notices (under an injected clock, a day apart) gone
# is removed.  Each first bounce also brings a redelivery notice (issue 5),
# which bounces without effect.  Spent tokens say so; nothing holds a token in clear.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/web.sh"
source "$RF_TESTS/lib/roles.sh"
rf_need curl
rf_tmpdir
exim_up
trap 'web_down; exim_down; _rf_cleanup' EXIT
mta_idle() { exim_wait_idle 60 || _rf_record 1 "the queue drained"; }
DAY=86400
# listctl under an injected clock: sweep_at SECONDS-FROM-NOW [args]
sweep_at() {
    local t=$(( $(date +%s) + $1 )); shift
    as_run_user env REFLECTOR_TEST_NOW="$t" "$T/bin/listctl" --config "$T/reflector.conf" sweep "$@"
}
bounce_field() {   # bounce_field ADDRESS KEY
    rf_listctl bounces dev@lists.test --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = [x for x in d["members"] if x["address"] == sys.argv[1]]
print(m[0][sys.argv[2]] if m else "none")' "$1" "$2"
}

# listdeliver under an injected clock while $T/now exists (the notice's
# bounce a day later)
sed -i "2i [ -r $T/now ] && { REFLECTOR_TEST_NOW=\$(cat $T/now); export REFLECTOR_TEST_NOW; }" "$T/bin/listdeliver"
rf_listctl init > /dev/null
web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT
printf '[web]\nbase_url = %s\n' "$BASE" >> "$T/reflector.conf"

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl subscribe dev@lists.test alice@example.test dana@example.test erin@example.test \
    gone@example.test > /dev/null &&
rf_listctl set dev@lists.test bounce_threshold 1 &&
rf_listctl set dev@lists.test bounce_notices 2 &&
rf_listctl set dev@lists.test bounce_notice_interval_days 1
ok "list dev: four members; one bounce disables, 2 notices a day apart"
add_mailbox alice@example.test dana@example.test erin@example.test
add_refusing dana@example.test erin@example.test gone@example.test

# --- a post; three mailboxes refuse it: disabled ------------------------------
send alice@example.test dev@lists.test 'First post' 'Hello everyone.'
for m in dana erin gone; do
    check_eq "$m's bounce came back: delivery disabled" disabled-bounce "$(bounce_field $m@example.test state)"
done
check_eq "dana got nothing (her mailbox refused)" 0 "$(maildir_count dana@example.test)"
# bounce_redelivery (on by default): each bounce links the refused post to
# the member's page and mails the notice, which bounced as well, whether
# the bounce came back within the post's second or later
for m in dana erin gone; do
    check_eq "... $m: a redelivery notice, which bounced too" 2 \
        "$(grep -c "\*\* $m@example.test .*550 5\.1\.1" "$T/log/mainlog")"
done
# dana's and erin's mailboxes work again; gone's does not
rm -rf "$T/refuse/example.test/dana" "$T/refuse/example.test/erin"

# --- the sweep mails the notices ---------------------------------------------
out=$(sweep_at 60)
check_eq "sweep: three notices sent" 'dev@lists.test: 3 notices sent, 0 members removed' "$out"
mta_idle
n=$(newest dana@example.test)
check "dana has the notice in her Maildir" test -n "$n"
check_match "... subject" '^Mail from dev@lists\.test to you is stopped: please confirm$' "$(hdr "$n" Subject)"
check_match "... from the list's owner address" 'dev-owner@lists\.test' "$(hdr "$n" From)"
check_eq "... an automatic mail" auto-generated "$(hdr "$n" Auto-Submitted)"
check_match "... its Reply-To is the confirm address (256 bits)" '^dev-confirm\+[a-z2-7]{52}@lists\.test$' \
    "$(hdr "$n" Reply-To | tr -d '<> ')"
check_match "... says why, in plain words" 'came back undelivered' "$(body "$n")"
check_match "... with the last bounce's class and the server's answer" 'permanent failure' "$(body "$n")"
check_match "... the server's answer (5.1.1)" '5\.1\.1' "$(body "$n")"
check_match "... the removal date (2 notices a day apart, then a day)" \
    "removed from the list on $(date -u -d @$(( $(date +%s) + 60 + 2 * DAY )) +%F) \\(UTC\\)" "$(body "$n")"
check_eq "... not the returned message" 0 "$(grep -c 'First post' "$n")"
check_match "... and the page's link" "$BASE/c/[a-z2-7]{52}" "$(body "$n")"
check_eq "Exim: the notice to gone bounced too (the post's, the redelivery notice's, this one's)" 3 \
    "$(grep -c '\*\* gone@example.test .*550 5\.1\.1' "$T/log/mainlog")"
check_eq "... and its bounce raised no score" 1 "$(bounce_field gone@example.test score)"
check_eq "no bounce of a bounce: the catch-all is empty" 0 "$(catchall_count)"

# --- dana replies ------------------------------------------------------------
reply_to "$n" dana@example.test
check_eq "dana's reply re-enabled her" enabled "$(bounce_field dana@example.test state)"
check_match "... and she is told" '^Mail from dev@lists\.test to you is on again$' \
    "$(hdr "$(newest dana@example.test)" Subject)"
reply_to "$n" dana@example.test
check_match "the same reply again: used already, nothing done" '^Unknown confirmation for dev@lists\.test$' \
    "$(hdr "$(newest dana@example.test)" Subject)"

# --- erin uses the page --------------------------------------------------------
e=$(newest erin@example.test)
link=$(body "$e" | grep -o "$BASE/c/[a-z2-7]*" | head -1)
for _ in 1 2; do code=$(curl -s -o "$T/c.html" -w '%{http_code}' "$link"); done
check_eq "GET of erin's link (twice): 200" 200 "$code"
check_match "the page asks, with a button" '<button type="submit" id="confirm">Keep my subscription</button>' \
    "$(cat "$T/c.html")"
check_match "... without spelling the address" 'e…@example\.test' "$(cat "$T/c.html")"
check_eq "after the GETs erin is still disabled" disabled-bounce "$(bounce_field erin@example.test state)"
code=$(curl -s -o "$T/c.html" -w '%{http_code}' --data "token=${link##*/}" "$BASE/c/")
check_eq "POST of the button: 200" 200 "$code"
check_match "... saying so" 'again; the address will not be removed' "$(cat "$T/c.html")"
check_eq "erin is enabled" enabled "$(bounce_field erin@example.test state)"
check_eq "the spent link: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$link")"
journal=$(as_run_user "$RF_PYTHON" -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute("SELECT actor, event, subject FROM journal WHERE event = ?", ("enable",)): print(*r)' "$STATE/reflector.db")
check_match "journal: dana re-enabled herself" '^member:dana@example.test enable dana@example.test$' "$journal"
check_match "journal: erin re-enabled herself" 'member:erin@example.test enable erin@example.test' "$journal"

# --- delivered to again; gone removed after the notices -----------------------------
d=$(maildir_count dana@example.test) e=$(maildir_count erin@example.test)
send alice@example.test dev@lists.test 'Second post' 'Welcome back.'
check_eq "dana gets the next post" "$((d + 1))" "$(maildir_count dana@example.test)"
check_match "... that post" '^Second post$' "$(hdr "$(newest dana@example.test)" Subject)"
check_eq "erin gets it too" "$((e + 1))" "$(maildir_count erin@example.test)"
# a day later for listctl and for listdeliver, which gets the notice's
# bounce: a day after the last one, so an enabled member's score would rise
echo $(( $(date +%s) + DAY + 120 )) > "$T/now"; chmod 644 "$T/now"
out=$(sweep_at $((DAY + 120)))
check_eq "a day later: gone's second notice" 'dev@lists.test: 1 notice sent, 0 members removed' "$out"
mta_idle
rm -f "$T/now"
check_eq "... which bounced" 4 "$(grep -c '\*\* gone@example.test .*550 5\.1\.1' "$T/log/mainlog")"
check_match "... and was read, a day on" "$(date -u -d @$(( $(date +%s) + DAY )) +%F)" \
    "$(bounce_field gone@example.test last_bounce)"
check_eq "... raising no score: gone is disabled" 1 "$(bounce_field gone@example.test score)"
out=$(sweep_at $((2 * DAY + 180)))
check_eq "a day after the last notice: gone removed" 'dev@lists.test: 0 notices sent, 1 member removed' "$out"
check_eq "the members left" "alice@example.test dana@example.test erin@example.test" \
    "$(rf_listctl members dev@lists.test | tr '\n' ' ' | sed 's/ $//')"
check_eq "nothing more to do" "nothing to do" "$(sweep_at $((3 * DAY)) -v)"

check_eq "no token in the database, its WAL or the logs" 0 \
    "$(cat "$STATE"/reflector.db* "$T/log/listweb.log" | grep -a -c -E 'confirm\+[a-z2-7]{52}|/c/[a-z2-7]{52}')"
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/log/listweb.log" | head -5)"
web_down
exim_check_clean
rf_done
