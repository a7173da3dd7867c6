#!/bin/bash
# ctest-labels: mta browser
# t-web-moderator.sh - the moderator panel end to end: the real listweb,
# the real headless Chromium (tests/browser/moderator.mjs) and the real
# Exim.  A moderator logs in, changes a setting (listctl get sees it), an
# invalid value shows the table's error and changes nothing, adds a member,
# pastes three (one bad line: its error, nothing added; then three good),
# removes one (listctl members sees it all), asks for the subscribers,
# activity and bounce reports: they arrive in the moderator's Maildir through Exim with
# the addresses in them, and the page names no member; a POST without the
# CSRF token is refused; a moderator of another list gets 403; the password
# is changed (the account's other session ends too) and the new one logs
# in; an owner, a site admin and the list's web user see what they may.
# No password, cookie or CSRF token in any log.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/web.sh"
rf_need curl node sqlite3
rf_tmpdir
exim_up
trap 'web_down; exim_down; _rf_cleanup' EXIT

export RF_MODPW='moderator secret 77' RF_NEWPW='a new moderator phrase 12' RF_OTHERPW='other secret 99'
export RF_SECRETS=$T/secrets.txt
: > "$RF_SECRETS"
cp -r "$RF_SRC/cmd/listweb/templates" "$T/templates"
chmod -R a+rX "$T/templates"
printf '[web]\ntemplates = %s\n' "$T/templates" >> "$T/reflector.conf"

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl create ops@lists.test > /dev/null &&
rf_listctl subscribe dev@lists.test ann@example.test > /dev/null &&
rf_listctl subscribe ops@lists.test zed@example.test > /dev/null
ok "lists dev (ann) and ops (zed)"
printf '%s\n' "$RF_MODPW" | rf_listctl user add mod --email mod@example.test \
    --moderator dev@lists.test --password-stdin > /dev/null
printf '%s\n' "$RF_OTHERPW" | rf_listctl user add other --email other@example.test \
    --moderator ops@lists.test --password-stdin > /dev/null
ok "'mod' moderates dev, 'other' moderates ops"
add_mailbox mod@example.test other@example.test ann@example.test

web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
ok "listweb started on 127.0.0.1:$WEBPORT"
BASE=http://127.0.0.1:$WEBPORT
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check_eq "the panel without a session: 303 to the login page, and back after it" \
    "303 /login?next=/m/dev@lists.test/" \
    "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE/m/dev@lists.test/" | sed "s|$BASE||")"
check_eq "a POST without a session: 403" 403 \
    "$(code --data 'action=add&address=x@example.test' "$BASE/m/dev@lists.test/members")"
default_size=$(rf_listctl get dev@lists.test max_message_size)
web_login() {   # web_login USER [LIST [PASSWORD]]: the session cookie
    local token
    token=$(curl -s -D - -o /dev/null "$BASE/login" | tr -d '\r' | sed -n 's/^Set-Cookie: rf_login=\([^;]*\);.*/\1/Ip')
    curl -s -D - -o /dev/null -H "Cookie: rf_login=$token" --data-urlencode "user=$1" \
        --data-urlencode "password=${3:-$RF_OTHERPW}" --data-urlencode "csrf=$token" \
        --data-urlencode "list=${2:-}" "$BASE/login" |
        tr -d '\r' | sed -n 's/^Set-Cookie: rf_session=\([^;]*\);.*/\1/Ip'
    echo "$token" >> "$RF_SECRETS"
}
c_mod_other=$(web_login mod "" "$RF_MODPW")
echo "$c_mod_other" >> "$RF_SECRETS"
check_eq "mod, logged in elsewhere too (curl): the panel answers 200" 200 \
    "$(code -H "Cookie: rf_session=$c_mod_other" "$BASE/m/")"

rf_browser "the browser part" 58 moderator.mjs "$BASE"

check_eq "the password change ended mod's other session too: to the login page" 303 \
    "$(code -H "Cookie: rf_session=$c_mod_other" "$BASE/m/")"
check_eq "listctl get: the setting saved in the panel" "[moderated]" \
    "$(rf_listctl get dev@lists.test subject_prefix)"
check_eq "the refused form changed nothing" "$default_size" \
    "$(rf_listctl get dev@lists.test max_message_size)"
check_eq "listctl members: added, pasted, removed; no CSRF-less or foreign add" \
    "ann@example.test new1@example.test p1@example.test p3@example.test" \
    "$(rf_listctl members dev@lists.test | tr '\n' ' ' | sed 's/ $//')"
check_eq "ops is untouched" "zed@example.test" "$(rf_listctl members ops@lists.test)"

exim_wait_idle 60
ok "queue drained"
check_eq "three reports in the moderator's Maildir" 3 "$(maildir_count mod@example.test)"
subs=$(grep -l '^Subject: Subscribers report of dev@lists.test' $(maildir_files mod@example.test) | head -1)
check "one is the subscribers report" test -n "$subs"
if [ -n "$subs" ]; then
    for a in ann@example.test new1@example.test p1@example.test p3@example.test; do
        check_eq "it names $a" 1 "$(body "$subs" | grep -c "^$a\$")"
    done
    check_eq "and not the removed p2" 0 "$(body "$subs" | grep -c 'p2@example.test')"
    check_match "it counts them" '^4 members\.$' "$(body "$subs" | grep 'members\.$')"
    check_match "it was mailed to the moderator" "^<?mod@example\.test>?\$" "$(hdr "$subs" To)"
fi
act=$(grep -l '^Subject: Activity report of dev@lists.test' $(maildir_files mod@example.test) | head -1)
check "the other is the activity report" test -n "$act"
[ -n "$act" ] && check_match "which has the panel's setting change" 'web:mod +set' "$(body "$act")"
check_eq "and the bounce report" 1 \
    "$(grep -l '^Subject: Bounces report of dev@lists.test' $(maildir_files mod@example.test) | wc -l)"
check_eq "nothing for other or ann" "0 0" \
    "$(maildir_count other@example.test) $(maildir_count ann@example.test)"

# the journal and the activity log: who did what, from the web
journal=$(as_run_user sqlite3 "$STATE/reflector.db" \
    "SELECT actor || '|' || event || '|' || subject FROM journal WHERE actor LIKE 'web:%' ORDER BY id" | tr '\n' ' ')
check_match "the journal: the setting and the members, by web:mod" \
    '^web:mod\|set\|subject_prefix web:mod\|subscribe\|new1@example.test web:mod\|subscribe\|p1@example.test .*web:mod\|unsubscribe\|p2@example.test $' \
    "$journal"
actions=$(as_run_user sqlite3 "$STATE/reflector.db" "SELECT DISTINCT action FROM activity ORDER BY action" | tr '\n' ' ')
for a in report-subscribers report-activity report-bounces csrf-refused user-passwd; do
    check_match "the activity log records '$a'" "(^| )$a( |$)" "$actions"
done

# other kinds of accounts, with curl: an owner (and moderator) of dev, a
# site admin, and the list's web user
printf '%s\n' "$RF_OTHERPW" | rf_listctl user add own --email own@example.test \
    --owner dev@lists.test --moderator dev@lists.test --password-stdin > /dev/null
printf '%s\n' "$RF_OTHERPW" | rf_listctl user add boss --email boss@example.test --admin \
    --password-stdin > /dev/null
printf '%s\n' "$RF_OTHERPW" | rf_listctl web-access dev@lists.test readers --password-stdin > /dev/null
lists_of() { curl -s -H "Cookie: rf_session=$1" "$BASE/m/" | sed -n 's|.*<a class="list" href="/m/\([^/]*\)/">.*<span class="role">(\([^)]*\))</span>.*|\1 \2|p' | tr '\n' ',' ; }
c_own=$(web_login own) c_boss=$(web_login boss) c_web=$(web_login readers dev@lists.test)
printf '%s\n%s\n%s\n' "$c_own" "$c_boss" "$c_web" >> "$RF_SECRETS"
check_eq "an owner who also moderates sees the list once, as owner" "dev@lists.test owner," "$(lists_of "$c_own")"
check_eq "the owner's panel: 200" 200 "$(code -H "Cookie: rf_session=$c_own" "$BASE/m/dev@lists.test/")"
check_eq "the owner, on ops: 403" 403 "$(code -H "Cookie: rf_session=$c_own" "$BASE/m/ops@lists.test/")"
check_eq "a site admin sees every list" "dev@lists.test site admin,ops@lists.test site admin," "$(lists_of "$c_boss")"
check_eq "and manages ops: 200" 200 "$(code -H "Cookie: rf_session=$c_boss" "$BASE/m/ops@lists.test/")"
check_eq "a list that does not exist, to an admin: 404" 404 "$(code -H "Cookie: rf_session=$c_boss" "$BASE/m/nosuch@lists.test/")"
check_eq "to a moderator: 403, as any list not theirs" 403 "$(code -H "Cookie: rf_session=$c_own" "$BASE/m/nosuch@lists.test/")"
check_eq "the list's web user has no panel: 403" 403 "$(code -H "Cookie: rf_session=$c_web" "$BASE/m/")"
check_eq "GET of a form's target: 405" 405 "$(code -H "Cookie: rf_session=$c_boss" "$BASE/m/dev@lists.test/settings")"

web_down
as_run_user sqlite3 "$STATE/reflector.db" .dump > "$T/db.dump"
printf '%s\n%s\n%s\n' "$RF_MODPW" "$RF_NEWPW" "$RF_OTHERPW" >> "$RF_SECRETS"
sort -u "$RF_SECRETS" | grep -v '^$' > "$T/secrets.u"
check_match "secrets to look for: passwords, cookies and CSRF tokens" '^([6-9]|[1-9][0-9]+)$' \
    "$(wc -l < "$T/secrets.u")"
leaks=0
while IFS= read -r s; do
    if cat "$T/db.dump" "$STATE"/reflector.db* "$T"/log/* 2>/dev/null | grep -a -q -F -- "$s"; then
        leaks=$((leaks + 1)); echo "# found in a log or the database: ${s:0:4}…"
    fi
done < "$T/secrets.u"
check_eq "no password, cookie or CSRF token in listweb's log, the activity log or the database" 0 "$leaks"
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/log/listweb.log" | head -5)"
exim_check_clean
rf_done
