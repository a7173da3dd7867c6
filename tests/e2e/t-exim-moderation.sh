#!/bin/bash
# ctest-labels: mta browser
# t-exim-moderation.sh - moderation end to end through the real Exim, the
# real listweb and the real Chromium (issue 10): a non-member's post is
# held and its moderator told (header fields, not the text); approved by a
# reply to the notice's approve address it reaches every member once, and
# the same reply again does nothing; another is rejected (the poster is
# answered), another discarded (nobody is); with moderation_excerpt on the
# notice has the first lines, and listctl moderate approves; an announce
# list takes posts from its posters and owners, holds a member's, and with
# nonmember_action reject bounces a stranger's; a held post expires under
# an injected clock and cleanup deletes it and its blob; the panel's
# approve button in Chromium.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/web.sh"
source "$RF_TESTS/lib/roles.sh"
rf_need curl node
rf_tmpdir
exim_up
trap 'web_down; exim_down; _rf_cleanup' EXIT
mta_idle() { exim_wait_idle 60 || _rf_record 1 "the queue drained"; }

export RF_MODPW='moderator secret 77' RF_SECRET_LINE='the-body-line-moderators-never-see'
cp -r "$RF_SRC/cmd/listweb/templates" "$T/templates"
chmod -R a+rX "$T/templates"
# listweb refuses to start without a database: made by listctl alone
rf_listctl init > /dev/null
web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT
printf '[web]\nbase_url = %s\ntemplates = %s\n' "$BASE" "$T/templates" >> "$T/reflector.conf"
web_down; web_up || { _rf_record 1 "listweb restarted with its templates"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl subscribe dev@lists.test alice@example.test bob@example.test carol@example.test > /dev/null &&
printf '%s\n' "$RF_MODPW" | rf_listctl user add mod --email mod@example.test \
    --moderator dev@lists.test --password-stdin > /dev/null
ok "list dev: alice, bob and carol; 'mod' moderates it"
add_mailbox alice@example.test bob@example.test carol@example.test mod@example.test \
    stranger@other.test poster@example.test own@example.test
counts() { echo "$(maildir_count alice@example.test) $(maildir_count bob@example.test) $(maildir_count carol@example.test)"; }
action_address() {   # action_address NOTICE approve|reject|discard
    body "$1" | grep -A1 "^To $(case $2 in approve) echo send;; reject) echo reject;; discard) echo discard;; esac)" |
        grep -o 'dev-confirm+[a-z2-7]*@lists\.test' | head -1
}

# --- a non-member's post: held, the moderator told, approved by reply -------------
send stranger@other.test dev@lists.test 'Buy my book' "$RF_SECRET_LINE"
check_eq "the non-member's post reaches nobody" "0 0 0" "$(counts)"
check_eq "its sender is not answered" 0 "$(maildir_count stranger@other.test)"
notice=$(newest mod@example.test)
check_match "the moderator is told" '^Held for moderation: a post to dev@lists\.test \(number 1\)$' "$(hdr "$notice" Subject)"
check_match "the notice says why" 'stranger@other\.test is not a member' "$(body "$notice")"
check_match "it shows the post's header fields" 'Subject: Buy my book' "$(body "$notice")"
check_eq "not its text (moderation_excerpt off)" 0 "$(grep -c "$RF_SECRET_LINE" "$notice")"
approve=$(action_address "$notice" approve)
check_match "it has an approve address" '^dev-confirm\+[a-z2-7]{52}@lists\.test$' "$approve"
check_match "listctl held lists it" '^1  held .*' "$(rf_listctl held dev@lists.test)"
send mod@example.test "$approve" 'Re: held' 'ok'
check_eq "approved: every member got it once" "1 1 1" "$(counts)"
check_match "... the post itself" "$RF_SECRET_LINE" "$(body "$(newest carol@example.test)")"
check_eq "nothing is held any more" "no post of dev@lists.test is held" "$(rf_listctl held dev@lists.test)"
n=$(maildir_count mod@example.test)
send mod@example.test "$approve" 'Re: held' 'ok again'
check_eq "the same approval again: nobody gets a second copy" "1 1 1" "$(counts)"
check_match "... the moderator is told the address is spent" '^Unknown confirmation' "$(hdr "$(newest mod@example.test)" Subject)"

# --- rejected: the poster is answered; discarded: nobody is ------------------------
send stranger@other.test dev@lists.test 'Second try' 'more'
send mod@example.test "$(action_address "$(newest mod@example.test)" reject)" 'no' 'no'
check_eq "rejected: no member got it" "1 1 1" "$(counts)"
r=$(newest stranger@other.test)
check_match "the poster is told" '^Your message to dev@lists\.test was rejected$' "$(hdr "$r" Subject)"
check_match "... naming the post" 'Subject: Second try' "$(body "$r")"
send stranger@other.test dev@lists.test 'Third try' 'more'
send mod@example.test "$(action_address "$(newest mod@example.test)" discard)" 'no' 'no'
check_eq "discarded: no member got it" "1 1 1" "$(counts)"
check_eq "... and the poster was not told" 1 "$(maildir_count stranger@other.test)"
check_eq "nothing is held" "no post of dev@lists.test is held" "$(rf_listctl held dev@lists.test)"

# --- moderation_excerpt on: the first lines; listctl moderate approves --------------
rf_listctl set dev@lists.test moderation_excerpt on
send stranger@other.test dev@lists.test 'With an excerpt' "$RF_SECRET_LINE"
check_match "moderation_excerpt on: the notice has the first lines" "\\| $RF_SECRET_LINE" "$(body "$(newest mod@example.test)")"
rf_listctl set dev@lists.test moderation_excerpt off
id=$(rf_listctl held --json dev@lists.test | grep -o '"id":[0-9]*' | cut -d: -f2)
check_match "listctl moderate approves it" "^approved post $id of dev@lists\\.test: 3 copies sent\$" \
    "$(rf_listctl moderate dev@lists.test "$id" approve)"
mta_idle
check_eq "... every member got it once" "2 2 2" "$(counts)"
rf_listctl moderate dev@lists.test "$id" approve > /dev/null 2> "$T/err"
check_eq "approving it again: 67, no such held post" "67" "$?"

# --- an announce list ---------------------------------------------------------------
rf_listctl create news@lists.test > /dev/null &&
rf_listctl subscribe news@lists.test alice@example.test bob@example.test > /dev/null &&
rf_listctl set news@lists.test posting announce &&
rf_listctl set news@lists.test posters poster@example.test &&
printf 'owner password 1\n' | rf_listctl user add own --email own@example.test \
    --owner news@lists.test --password-stdin > /dev/null
ok "list news: posting=announce, posters poster@, owner 'own'"
a=$(maildir_count alice@example.test)
send poster@example.test news@lists.test 'News from a poster' 'news'
send own@example.test news@lists.test 'News from the owner' 'news'
check_eq "the poster's and the owner's posts reach the members" "$((a + 2))" "$(maildir_count alice@example.test)"
send bob@example.test news@lists.test 'A member writes' 'hello'
check_eq "a member's post is not distributed" "$((a + 2))" "$(maildir_count alice@example.test)"
check_match "... it is held, saying why" 'why: bob@example.test may not post to this announce list' "$(rf_listctl held news@lists.test)"
id=$(rf_listctl held --json news@lists.test | grep -o '"id":[0-9]*' | cut -d: -f2)
check_match "listctl moderate discards it" "^discarded post $id of news@lists\.test\$" \
    "$(rf_listctl moderate news@lists.test "$id" discard)"
rf_listctl set news@lists.test nonmember_action reject
send stranger@other.test news@lists.test 'Let me announce' 'x'
b=$(newest stranger@other.test)
check_match "nonmember_action reject: the stranger gets the MTA's bounce" '^Mail delivery failed' "$(hdr "$b" Subject)"
check_match "... with listdeliver's reason" 'only the owners and the posters of news@lists\.test may post' "$(cat "$b")"

# --- a held post expires: cleanup deletes it, its blob and its addresses ---------------
blobs() { find "$STATE/blobs" -type f 2>/dev/null | grep -c ''; }
b0=$(blobs)
send stranger@other.test dev@lists.test 'Expiring' 'x'
approve=$(action_address "$(newest mod@example.test)" approve)
check_eq "held: one more blob" "$((b0 + 1))" "$(blobs)"
later=$(( $(date +%s) + 8 * 24 * 3600 ))
ctl_later() { as_run_user env REFLECTOR_TEST_NOW=$later "$T/bin/listctl" --config "$T/reflector.conf" "$@"; }
check_eq "after hold_days (7) listctl held shows nothing" "no post of dev@lists.test is held" "$(ctl_later held dev@lists.test)"
check_match "cleanup --dry-run counts it" 'held: 1\b' "$(ctl_later cleanup --dry-run)"
check_eq "... and changes nothing" "$((b0 + 1))" "$(blobs)"
ctl_later cleanup > /dev/null
ok "cleanup ran"
check_eq "cleanup deleted its blob" "$b0" "$(blobs)"
check_eq "... and its row" "" "$(as_run_user "$RF_PYTHON" -c 'import sqlite3, sys
print(*[r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM held_posts WHERE list_address = ?", ("dev@lists.test",))])' "$STATE/reflector.db")"
c=$(counts)
send mod@example.test "$approve" 'Re: held' 'too late'
check_eq "its approve address does nothing any more" "$c" "$(counts)"
check_match "... and says so" '^Unknown confirmation' "$(hdr "$(newest mod@example.test)" Subject)"

# --- the panel's approve button, in Chromium ---------------------------------------------
send stranger@other.test dev@lists.test 'Held for the panel' "$RF_SECRET_LINE"
id=$(rf_listctl held --json dev@lists.test | grep -o '"id":[0-9]*' | cut -d: -f2)
c=$(counts)
rf_browser "the browser part" 15 held.mjs "$BASE" dev@lists.test "$id"
mta_idle
set -- $c
check_eq "approved in the panel: every member got it once" "$(($1 + 1)) $(($2 + 1)) $(($3 + 1))" "$(counts)"
check_match "the activity log names the moderator" 'web:mod approve' \
    "$(as_run_user "$RF_PYTHON" -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute("SELECT actor, action FROM activity"): print(*r)' "$STATE/reflector.db")"

check_eq "no token in the database" 0 "$(cat "$STATE"/reflector.db* | grep -a -c -E 'confirm\+[a-z2-7]{52}')"
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/log/listweb.log" | head -5)"
web_down
exim_check_clean
rf_done
