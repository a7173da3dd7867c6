#!/bin/bash
# t-state-thief.sh - what a copy of the state directory opens (issue 11,
# acceptance): a site that used every feature (archive on, attachments
# unguessable, Bounce Redelivery with a notice and its page, a web account
# and the list's web user, a login) runs as in production, with its keys in
# its own key directory (root:GROUP 0640 when the test runs as root).  Then
# its state directory is copied, and with the copy alone:
#   - no attachment: its link's token is nowhere in the copy, nor its bytes,
#     nor its name but in the archive's text of the post, and the archive's
#     page shows the link sealed;
#   - no kept post: its blob is sealed with a key the copy lacks; the
#     member's page, even with its real link, does not show it;
#   - no page: /r/ and login cookies are only hashes in the copy;
#   - no valid unsubscribe link: the real ones are not in the copy, and the
#     links the copy's thief makes (with keys of their own) are refused by
#     the real site.
# What the copy does hold, as reflector(7) says: the addresses, the
# settings, the logs, and the archive's text.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"   # _rf_free_port, for web.sh
source "$RF_TESTS/lib/web.sh"
rf_need python3 setpriv curl
rf_tmpdir
T=$TD
mkdir -p "$TD/bin" "$TD/out" "$TD/log" "$TD/etc" "$TD/thief/etc" "$TD/thief/out" "$TD/thief/log"
mkdir -m 0750 "$TD/state"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
cp -r "$RF_SRC/cmd/listweb/templates" "$TD/templates"; chmod -R a+rX "$TD/templates"
for who in "" thief/; do
    printf '#!/bin/sh\nfor a; do rcpt=$a; done\nprintf "%%s\\n" "$*" >> "%s/out/argv"\ncat > "%s/out/$rcpt.$$"\n' \
        "$TD/$who" "$TD/$who" > "$TD/bin/sendmail${who:+-thief}"
done
chmod 755 "$TD"/bin/sendmail*
conf() {   # conf FILE STATE KEYS SENDMAIL
    printf '[paths]\nstate_dir = %s\nkey_dir = %s\n[delivery]\nsendmail = %s\n[web]\nbase_url = https://lists.test\ntemplates = %s\n' \
        "$2" "$3" "$4" "$TD/templates" > "$1"
    chmod 644 "$1"
}
conf "$TD/reflector.conf" "$TD/state" "$TD/etc" "$TD/bin/sendmail"
conf "$TD/thief/reflector.conf" "$TD/stolen" "$TD/thief/etc" "$TD/bin/sendmail-thief"
if [ "$(id -u)" = 0 ]; then
    chown -R "$RF_TEST_USER:" "$TD/state" "$TD/out" "$TD/thief/out" "$TD/thief/etc"
    chmod 0755 "$TD/etc"   # root's, as /etc/reflector
else
    echo "# not root: the keys are the test user's, 0600"
fi
ROOT_CTL=("$TD/bin/listctl" --config "$TD/reflector.conf")
ctl() { "${ROOT_CTL[@]}" "$@"; }   # as root when we are: it makes the keys, then drops
ld() { rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" "$1" > /dev/null 2> "$TD/ld.err"; }
sql() { "$RF_PYTHON" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
print("\n".join("|".join(map(str, r)) for r in c.execute(sys.argv[2])))' "$@"; }
trap 'web_down; _rf_cleanup' EXIT

ctl create dev@lists.test > /dev/null 2> "$TD/create.err" &&
ctl set dev@lists.test posting open > /dev/null &&
ctl set dev@lists.test archive on > /dev/null &&
ctl set dev@lists.test attachments link > /dev/null &&
ctl subscribe dev@lists.test ann@example.test bob@example.test > /dev/null &&
printf 'moderator pass 1\n' | ctl user add mod --email mod@example.test --moderator dev@lists.test \
    --password-stdin > /dev/null &&
printf 'readers pass 2\n' | ctl web-access dev@lists.test readers --password-stdin > /dev/null
ok "a site: list dev, archive on, attachments=link (unguessable), redelivery on, two accounts"
if [ "$(id -u)" = 0 ]; then
    check_eq "listctl as root made the keys root:GROUP 0640 in the key directory" \
        "root $(id -gn "$RF_TEST_USER") 640
root $(id -gn "$RF_TEST_USER") 640" "$(stat -c '%U %G %a' "$TD/etc/site.key" "$TD/etc/blob.key")"
fi
PAYLOAD='TOP-SECRET-PAYLOAD-4711'
{
    printf 'From: Poster <poster@other.test>\nTo: dev@lists.test\nSubject: the plan\nMessage-ID: <plan@other.test>\n'
    printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\n'
    printf 'The body of the plan, kept for redelivery.\n--B\nContent-Type: application/pdf\n'
    printf 'Content-Disposition: attachment; filename=secret-plan.pdf\nContent-Transfer-Encoding: base64\n\n'
    printf '%s\n--B--\n' "$(printf '%s' "$PAYLOAD" | base64)"
} > "$TD/post"
ld dev@lists.test < "$TD/post"
check_eq "the post went out" 0 "$?"
copy=$(ls "$TD"/out/ann@example.test.* | head -1)
ATT=$(grep -o 'https://lists.test/a/[A-Za-z0-9_-]\{43\}/secret-plan.pdf' "$copy" | head -1 | sed 's|https://lists.test||')
UNSUB=$(grep -o 'https://lists.test/u/[A-Za-z0-9_-]*' "$copy" | head -1 | sed 's|https://lists.test||')
ATT_TOKEN=$(cut -d/ -f3 <<< "$ATT"); UNSUB_TOKEN=${UNSUB#/u/}
check "ann's copy has an attachment link and an unsubscribe link" test -n "$ATT_TOKEN" -a -n "$UNSUB_TOKEN"
VERP=$(grep -- '-- bob@example.test$' "$TD/out/argv" | sed 's/.*-f \([^ ]*\) .*/\1/' | tail -1)
printf 'From: MAILER-DAEMON@mx.test\nTo: %s\nSubject: refused\nIn-Reply-To: <plan@other.test>\n\n<bob@example.test>: 550 5.7.1 content rejected\n' \
    "$VERP" > "$TD/bounce"
ld "$VERP" < "$TD/bounce"
R=$(grep -ho 'https://lists.test/r/[A-Za-z0-9_-]*' "$TD"/out/bob@example.test.* | head -1 | sed 's|https://lists.test||')
check "bob's bounce brought him a notice with his page's link" test -n "$R"

# --- the site itself: everything opens -------------------------------------------
web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT
check_eq "the attachment downloads" "$PAYLOAD" "$(curl -s "$BASE$ATT")"
check_eq "the unsubscribe page answers" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE$UNSUB")"
check_match "bob's page shows the kept post" 'The body of the plan' "$(curl -s "$BASE$R")"
curl -s -c "$TD/jar" -o "$TD/form" "$BASE/login?list=dev@lists.test"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TD/form")
curl -s -b "$TD/jar" -c "$TD/jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode list=dev@lists.test \
    --data-urlencode user=readers --data-urlencode 'password=readers pass 2' "$BASE/login"
COOKIE=$(awk '$6 == "rf_session" {print $7}' "$TD/jar")
check "the list's web user logged in" test -n "$COOKIE"
check_match "the archive's page of the post shows the working link" "$ATT" \
    "$(curl -s -b "$TD/jar" "$BASE/l/dev@lists.test/m/1")"
web_down

# --- the copy ------------------------------------------------------------------------------
cp -a "$TD/state" "$TD/stolen"
ok "the state directory copied"
found() {   # found TEXT: the files of the copy that hold TEXT (as bytes, or base64 of it)
    grep -rlaF -e "$1" "$TD/stolen" 2>/dev/null
}
check_eq "the attachment's token is nowhere in the copy" "" "$(found "$ATT_TOKEN")"
check_eq "the unsubscribe token is nowhere in the copy" "" "$(found "$UNSUB_TOKEN")"
check_eq "the page token of /r/ is nowhere in the copy" "" "$(found "${R#/r/}")"
check_eq "the session cookie is nowhere in the copy" "" "$(found "$COOKIE")"
check_eq "the attachment's bytes are nowhere in the copy" "" \
    "$(found "$PAYLOAD"; found "$(printf '%s' "$PAYLOAD" | base64)")"
check_eq "its name and type are in no row of the attachments (sealed with its bytes)" "|" \
    "$(sql "$TD/stolen/reflector.db" 'SELECT group_concat(filename), group_concat(content_type) FROM attachments')"
check_eq "(the name is in the archive's text of the post, as the members got it)" \
    "$TD/stolen/reflector.db" "$(found secret-plan.pdf)"
check_eq "no key in the copy" "" "$(find "$TD/stolen" -name '*.key*')"
check_eq "the kept post's text is in no blob (sealed)" "" \
    "$(grep -rlaF 'The body of the plan' "$TD/stolen/blobs")"
check_match "(the archive's text is in the database: reflector(7) says so)" 'reflector.db' \
    "$(found 'The body of the plan')"

# the thief's own site on the copy, with keys of their own
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD/stolen" "$TD/thief"
sql "$TD/stolen/reflector.db" "INSERT OR REPLACE INTO list_settings (list_id, name, value) SELECT id, 'archive_access', 'public' FROM lists" > /dev/null
T=$TD/thief
web_up || { _rf_record 1 "the thief's listweb started"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT
page=$(curl -s "$BASE/l/dev@lists.test/m/1")
check_match "the copy's archive page shows the post ..." 'The body of the plan' "$page"
check_match "... with the attachment's link sealed" '/a/~[A-Za-z0-9_-]{96}/secret-plan\.pdf' "$page"
check_eq "... and no token in it" 0 "$(grep -c "$ATT_TOKEN" <<< "$page")"
check_eq "the sealed link opens nothing" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE$(grep -o '/a/~[A-Za-z0-9_-]*/secret-plan.pdf' <<< "$page" | head -1)")"
rpage=$(curl -s -w '\n%{http_code}' "$BASE$R")
check_eq "bob's page, even with its real link, does not show the kept post" "" \
    "$(grep 'The body of the plan' <<< "$rpage")"
web_down
T=$TD
# the thief delivers a post on the copy: its unsubscribe links are made
# with the thief's keys
printf 'From: x@other.test\nTo: dev@lists.test\nSubject: hi\nMessage-ID: <thief@other.test>\n\nhi\n' |
    rf_as_user "$TD/bin/listdeliver" --config "$TD/thief/reflector.conf" dev@lists.test > /dev/null 2>&1
FORGED=$(grep -ho 'https://lists.test/u/[A-Za-z0-9_-]*' "$TD"/thief/out/ann@example.test.* | head -1 | sed 's|https://lists.test||')
check "the copy made an unsubscribe link for ann" test -n "$FORGED"
web_up || { _rf_record 1 "listweb restarted"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT
check_eq "the real site refuses the link the copy made" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE$FORGED")"
check_eq "and a POST of it unsubscribes nobody" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' -d List-Unsubscribe=One-Click "$BASE$FORGED")"
web_down
check_eq "ann is still a member" "ann@example.test" "$(rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" members dev@lists.test | grep ann)"
rf_done
