#!/bin/bash
# ctest-labels: mta browser
# t-web-archive.sh - listweb's login, sessions and archive pages end to end:
# posts delivered through the real Exim into a list's archive are read in
# the real headless Chromium (tests/browser/archive.mjs): wrong password,
# log in, cookie flags, months, a month, a post, a thread, an HTML-only post
# shown as text, search with highlighting and paging, the mbox export, CSRF
# refusals, logout, roles; the session's idle and absolute expiry with an
# injected clock (listweb restarted with another REFLECTOR_TEST_NOW); the
# account lockout and the IP blocklist; and no password, cookie or CSRF
# token in listweb's log, the activity log or the database.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/web.sh"
rf_need curl node sqlite3
rf_tmpdir
exim_up
trap 'web_down; exim_down; _rf_cleanup' EXIT

export RF_WEBPW='readers Pass-phrase 4' RF_MODPW='moderator secret 77' RF_OTHERPW='other secret 99'
export RF_SECRETS=$T/secrets.txt RF_ACCOUNT_ATTEMPTS=3
: > "$RF_SECRETS"
cp -r "$RF_SRC/cmd/listweb/templates" "$T/templates"
chmod -R a+rX "$T/templates"
printf '[web]\ntemplates = %s\n[security]\nlogin_attempts = %s\nip_login_attempts = 8\nsession_idle_minutes = 30\nsession_max_hours = 1\n' \
    "$T/templates" "$RF_ACCOUNT_ATTEMPTS" >> "$T/reflector.conf"

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl set dev@lists.test posting open > /dev/null &&
rf_listctl set dev@lists.test subject_prefix '[dev]' > /dev/null &&
rf_listctl set dev@lists.test archive on > /dev/null &&
rf_listctl subscribe dev@lists.test ann@example.test > /dev/null
ok "list dev with archive = on (archive_access = password by default)"
printf '%s\n' "$RF_WEBPW" | rf_listctl web-access dev@lists.test readers --password-stdin > /dev/null
ok "the list's web user 'readers'"
printf '%s\n' "$RF_MODPW" | rf_listctl user add mod --email mod@example.test \
    --moderator dev@lists.test --password-stdin > /dev/null
ok "a moderator 'mod'"
printf '%s\n' "$RF_OTHERPW" | rf_listctl user add other --email other@example.test \
    --password-stdin > /dev/null
ok "a site user 'other' without a role on dev"
add_mailbox ann@example.test poster@other.test

mkmsg "$T/m1" 'Poster <poster@other.test>' dev@lists.test 'Airship schedule' \
    'The airship leaves at noon.'
first_id=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$T/m1")
mkmsg "$T/m2" 'Poster <poster@other.test>' dev@lists.test 'Re: Airship schedule' \
    'And comes back at six.' "In-Reply-To: <$first_id>" "References: <$first_id>"
{
    printf 'From: Poster <poster@other.test>\nTo: dev@lists.test\nSubject: Balloon colours\n'
    printf 'Date: %s\nMessage-ID: <balloon.%s@client.test>\nMIME-Version: 1.0\n' "$(date -R)" "$RANDOM"
    printf 'Content-Type: text/html; charset=utf-8\n\n'
    printf '<html><body><p><b>Red balloons</b> and <i>blue ones</i>.</p>'
    printf '<table><tr><td>cell</td></tr></table></body></html>\n'
} > "$T/m3"
post poster@other.test dev@lists.test "$T/m1"; ok "SMTP accepted the first post"
exim_wait_idle 60
post poster@other.test dev@lists.test "$T/m2" && post poster@other.test dev@lists.test "$T/m3"
ok "SMTP accepted the reply and an HTML-only post"
export RF_NZEP=22
for i in $(seq 1 $RF_NZEP); do
    mkmsg "$T/z$i" 'Poster <poster@other.test>' dev@lists.test "Flight $i" \
        "Post $i about the zeppelin hangar."
    post poster@other.test dev@lists.test "$T/z$i" || break
done
ok "SMTP accepted $RF_NZEP posts about zeppelins"
exim_wait_idle 120; ok "queue drained"
export RF_NPOSTS=$((RF_NZEP + 3))
check_eq "ann got them all" "$RF_NPOSTS" "$(maildir_count ann@example.test)"

: > "$T/listweb-all.log"
NOW0=$(date +%s)
# web_at MIN: (re)start listweb with its clock MIN minutes after NOW0
web_at() {
    web_down
    [ -s "$T/log/listweb.log" ] && cat "$T/log/listweb.log" >> "$T/listweb-all.log"
    web_up REFLECTOR_TEST_NOW=$((NOW0 + $1 * 60)) ||
        { _rf_record 1 "listweb started"; rf_done; exit 1; }
    BASE=http://127.0.0.1:$WEBPORT
}
browser() {   # browser PHASE COUNT: archive.mjs against the running listweb
    rf_browser "browser, $1" "$2" archive.mjs "$BASE" "$1" "$T/state.json"
}

web_at 0
ok "listweb started"
check_eq "the archive without a session: 303 to the login page" \
    "303 /login?list=dev%40lists.test&next=/l/dev@lists.test/" \
    "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE/l/dev@lists.test/" | sed "s|$BASE||")"
check_eq "an unknown list: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/l/nosuch@lists.test/")"
csp=$(curl -s -D - -o /dev/null "$BASE/login" | tr -d '\r' | sed -n 's/^Content-Security-Policy: //Ip')
check_match "a strict CSP: no inline script or style" \
    "^default-src 'none'; style-src 'self';.*frame-ancestors 'none'$" "$csp"
check_eq "the style sheet is served" "200 text/css; charset=utf-8" \
    "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$BASE/static/style.css")"
check_eq "nothing else of the templates directory" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/static/login.html")"
check_eq "a login POST from curl without the form cookie: 403" 403 \
    "$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode user=readers \
        --data-urlencode "password=$RF_WEBPW" --data-urlencode csrf=guess "$BASE/login")"

browser main 58
# the session of the last login of "main" (minute 0): idle 30 min, at most 1 h
web_at 25
browser alive 1
web_at 50
browser alive 1      # touched at 25: idle only 25 minutes
web_at 65
browser expired 2    # idle only 15 minutes, but 65 after login: the absolute limit
browser login 2      # a new session at minute 65
web_at 96
browser expired 2    # 31 minutes without a request: the idle limit
web_at 200
browser throttle 6   # past every earlier failure's window

# behind TLS (base_url https://): the session cookie is also Secure
printf '[web]\nbase_url = https://lists.test\n' >> "$T/reflector.conf"
web_at 400
curl -s -D "$T/h1" -o "$T/login.html" "$BASE/login"
login_token=$(tr -d '\r' < "$T/h1" | sed -n 's/^Set-Cookie: rf_login=\([^;]*\);.*/\1/Ip')
check_match "the login form's cookie is Secure too" '^Set-Cookie: rf_login=.*; HttpOnly; SameSite=Strict; Path=/; Secure$' \
    "$(tr -d '\r' < "$T/h1" | grep -i '^Set-Cookie: rf_login=')"
check_match "and the form holds the same token" "name=\"csrf\" value=\"$login_token\"" "$(cat "$T/login.html")"
curl -s -D "$T/h2" -o /dev/null -H "Cookie: rf_login=$login_token" --data-urlencode user=readers \
    --data-urlencode "password=$RF_WEBPW" --data-urlencode "csrf=$login_token" \
    --data-urlencode list=dev@lists.test "$BASE/login"
session_line=$(tr -d '\r' < "$T/h2" | grep -i '^Set-Cookie: rf_session=')
check_match "login with base_url https: the session cookie is Secure" \
    '^Set-Cookie: rf_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/; Secure$' "$session_line"
check_eq "and back to the archive" "Location: /l/dev@lists.test/" "$(tr -d '\r' < "$T/h2" | grep -i '^Location:')"
web_cookie=$(echo "$session_line" | sed 's/^[^=]*=\([^;]*\);.*/\1/')
printf '%s\n%s\n' "$login_token" "$web_cookie" >> "$RF_SECRETS"

# archive_access decides who reads; archive = off hides the archive
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check_eq "password: the web user reads" 200 "$(code -H "Cookie: rf_session=$web_cookie" "$BASE/l/dev@lists.test/m/1")"
rf_listctl set dev@lists.test archive_access moderators > /dev/null
check_eq "moderators: the list's web user may not" 403 \
    "$(code -H "Cookie: rf_session=$web_cookie" "$BASE/l/dev@lists.test/m/1")"
check_eq "moderators: no session, to the login page" 303 "$(code "$BASE/l/dev@lists.test/m/1")"
# the moderator logs in (form cookie, then the session) and reads
curl -s -D "$T/h3" -o "$T/login3.html" "$BASE/login"
mod_token=$(tr -d '\r' < "$T/h3" | sed -n 's/^Set-Cookie: rf_login=\([^;]*\);.*/\1/Ip')
curl -s -D "$T/h4" -o /dev/null -H "Cookie: rf_login=$mod_token" --data-urlencode user=mod \
    --data-urlencode "password=$RF_MODPW" --data-urlencode "csrf=$mod_token" "$BASE/login"
mod_cookie=$(tr -d '\r' < "$T/h4" | grep -i '^Set-Cookie: rf_session=' | sed 's/^[^=]*=\([^;]*\);.*/\1/')
printf '%s\n%s\n' "$mod_token" "$mod_cookie" >> "$RF_SECRETS"
check_match "the moderator has a session" '^[A-Za-z0-9_-]{43}$' "$mod_cookie"
check_eq "moderators: a moderator of the list reads" 200 \
    "$(code -H "Cookie: rf_session=$mod_cookie" "$BASE/l/dev@lists.test/m/1")"
rf_listctl set dev@lists.test archive_access public > /dev/null
check_eq "public: anyone reads" 200 "$(code "$BASE/l/dev@lists.test/m/1")"
check_eq "public: the search too" 200 "$(code "$BASE/l/dev@lists.test/search?q=airship")"
long_q=a$(printf 'é%.0s' $(seq 1 400))
check_eq "a very long query (cut on a character boundary): 200" 200 \
    "$(curl -s -o "$T/long.html" -w '%{http_code}' --get --data-urlencode "q=$long_q" "$BASE/l/dev@lists.test/search")"
check "and the page is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$T/long.html" -o /dev/null
check_eq "a post that does not exist: 404" 404 "$(code "$BASE/l/dev@lists.test/m/999")"
check_eq "a malformed month: 404" 404 "$(code "$BASE/l/dev@lists.test/2026-13x/")"
check_eq "the archive takes no POST: 405" 405 "$(code -X POST --data x=y "$BASE/l/dev@lists.test/")"
rf_listctl set dev@lists.test archive off > /dev/null
check_eq "archive = off: 404, even public" 404 "$(code "$BASE/l/dev@lists.test/")"
check_eq "archive = off: no mbox either" 404 "$(code "$BASE/l/dev@lists.test/$(date -u +%Y-%m).mbox")"

# the activity log: what happened, without secrets
as_run_user sqlite3 "$STATE/reflector.db" .dump > "$T/db.dump"
actions=$(as_run_user sqlite3 "$STATE/reflector.db" "SELECT DISTINCT action FROM activity ORDER BY action" | tr '\n' ' ')
for a in login login-failed lockout ip-blocked logout csrf-refused; do
    check_match "the activity log records '$a'" "(^| )$a( |$)" "$actions"
done
check_eq "the activity log has the client address of the logins" 1 \
    "$(as_run_user sqlite3 "$STATE/reflector.db" "SELECT count(*) > 0 FROM activity WHERE action = 'login' AND origin = '127.0.0.1'")"

web_down
cat "$T/log/listweb.log" >> "$T/listweb-all.log"
printf '%s\n%s\n%s\n' "$RF_WEBPW" "$RF_MODPW" "$RF_OTHERPW" >> "$RF_SECRETS"
sort -u "$RF_SECRETS" | grep -v '^$' > "$T/secrets.u"
check_match "secrets to look for: passwords, cookies and CSRF tokens" '^([6-9]|[1-9][0-9]+)$' \
    "$(wc -l < "$T/secrets.u")"
leaks=0
while IFS= read -r s; do
    if cat "$T/listweb-all.log" "$T/db.dump" "$STATE"/reflector.db* "$T"/log/* 2>/dev/null |
        grep -a -q -F -- "$s"; then
        leaks=$((leaks + 1)); echo "# found in a log or the database: ${s:0:4}…"
    fi
done < "$T/secrets.u"
check_eq "no password, cookie or CSRF token in listweb's log, the activity log or the database" 0 "$leaks"
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/listweb-all.log" | head -5)"
exim_check_clean
rf_done
