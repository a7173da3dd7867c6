#!/bin/bash
# ink.sh - the end-to-end test of issue 16, Disappearing Ink, for one blob
# store (bash library for tests/e2e/t-web-ink*.sh).
#
#   source common.sh; source mta-exim.sh; source ink.sh
#   ink_e2e local|s3
#
# A post with a unique phrase and an attachment goes through the real Exim
# to a list with disappearing_ink = 1d (archive on, attachments = link,
# Bounce Redelivery on, a footer): every member gets the notice and nothing
# of the post; every place reflector keeps data (tests/lib/places.sh) holds
# neither the phrase, the HTML's phrase, the attachment's bytes or name,
# nor the link's token; a link scanner's fetches (no session) leave the
# page readable; the real headless Chromium asks for the password, refuses
# a wrong one, shows the post and downloads the attachment after the right
# one; the member whose provider refused the copy reads, on the Bounce
# Redelivery page, the notice without its link; past the expiry (an
# injected clock) the page is 410 Gone; 'listctl cleanup' deletes every
# blob of the post (the local directory or the S3 bucket) and its rows.
source "$RF_TESTS/lib/attachments.sh"   # s3_up, s3_down, blob_ids; web.sh
source "$RF_TESTS/lib/places.sh"

# the syslog lines of every program, collected into $T/log/syslog.log
# (REFLECTOR_SYSLOG_SOCKET: test builds only; see t-syslog.sh)
_ink_syslog_up() {
    local sock=$TD/syslog.sock
    mkdir -p "$TD/log"
    python3 - "$sock" "$TD/log/syslog.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
PY
    INK_SYSLOG_PID=$!
    for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
    export REFLECTOR_SYSLOG_SOCKET=$sock
}

ink_e2e() {
    STORE=$1
    rf_need curl node python3 sha256sum sqlite3
    rf_tmpdir
    _ink_syslog_up
    exim_up
    trap 'web_down; s3_down; exim_down; kill ${INK_SYSLOG_PID:-} 2>/dev/null; _rf_cleanup' EXIT
    BASE="http://127.0.0.1:$(_rf_free_port)"
    cp -r "$RF_SRC/cmd/listweb/templates" "$T/templates"
    chmod -R a+rX "$T/templates"
    printf '[web]\nbase_url = %s/\ntemplates = %s\n' "$BASE" "$T/templates" >> "$T/reflector.conf"
    if [ "$STORE" = s3 ]; then
        s3_up; ok "s3rver started on 127.0.0.1:$S3PORT"
        : > "$T/log/sigv4.log"   # s3_up's unsigned probe of the proxy
        printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' > "$T/s3.credentials"
        chmod 600 "$T/s3.credentials"
        [ "$(id -u)" != 0 ] || chown "$RUN_USER:$RUN_GROUP" "$T/s3.credentials"
        printf '[blobs]\nstore = s3\nendpoint = http://127.0.0.1:%s\nbucket = attachments\ncredentials_file = %s\n' \
            "$S3PORT" "$T/s3.credentials" >> "$T/reflector.conf"
    fi
    export RF_WEBPW="readers pass-phrase $RANDOM"
    export RF_SECRETS=$T/secrets.txt
    printf '%s\n' "$RF_WEBPW" > "$RF_SECRETS"

    rf_listctl create dev@lists.test > /dev/null &&
    rf_listctl set dev@lists.test posting open > /dev/null &&
    rf_listctl set dev@lists.test disappearing_ink 1d > /dev/null &&
    rf_listctl set dev@lists.test archive on > /dev/null &&
    rf_listctl set dev@lists.test attachments link > /dev/null &&
    rf_listctl set dev@lists.test footer 'dev list footer' > /dev/null &&
    rf_listctl subscribe dev@lists.test alice@example.test bob@example.test carol@example.test > /dev/null
    ok "list dev: disappearing_ink 1d, archive on, attachments link, a footer; three members"
    check_eq "the setting reads back" 1d "$(rf_listctl get dev@lists.test disappearing_ink)"
    check_match "a setting it does not know is refused" "is not one of: off, 1d, 3d, 7d" \
        "$(rf_listctl set dev@lists.test disappearing_ink 2d 2>&1)"
    printf '%s\n' "$RF_WEBPW" | rf_listctl web-access dev@lists.test readers --password-stdin > /dev/null
    ok "the list's web user 'readers'"
    add_mailbox alice@example.test bob@example.test poster@other.test
    # carol's provider refuses the list's posts: her copy bounces, and her
    # Bounce Redelivery page shows what was kept of the post
    add_refusing_lists carol@example.test

    # the post: a unique phrase in its text (with markup), another in its
    # HTML, an attachment with a unique mark inside
    export RF_PHRASE="the walrus $RANDOM$RANDOM sings at dawn"
    export RF_SUBJECT="Plans for the harbour $RANDOM"
    export RF_FILE_NAME="harbour plan $RANDOM.pdf"
    local html_phrase="crimson heron $RANDOM$RANDOM"
    local mark="INKFILE-$RANDOM$RANDOM$RANDOM"
    "$RF_PYTHON" - "$T" "$RF_PHRASE" "$html_phrase" "$mark" "$RF_SUBJECT" "$RF_FILE_NAME" <<'PY'
import sys, os, base64, email.message, email.policy
t, phrase, html_phrase, mark, subject, name = sys.argv[1:]
pdf = b"%PDF-1.4\n" + os.urandom(20000) + mark.encode() + os.urandom(3000) + b"\n%%EOF\n"
open(f"{t}/orig.pdf", "wb").write(pdf)
m = email.message.EmailMessage()
m["From"] = "Poster <poster@other.test>"; m["To"] = "dev@lists.test"
m["Subject"] = subject; m["Message-ID"] = "<ink.1@other.test>"
m["Date"] = "Sun, 29 Nov 2026 10:00:00 +0000"
m.set_content(f"Hello list,\n{phrase}.\n<b>not bold</b>\n")
m.add_alternative(f"<html><body><p>Hello list, {html_phrase}.</p></body></html>\n", subtype="html")
m.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
raw = m.as_bytes(policy=email.policy.SMTP)
open(f"{t}/post", "wb").write(raw)
# the needles: phrases, the name, the mark, the file's bytes (a piece of
# them raw, and the first base64 line as it travels in the post)
b64 = base64.encodebytes(pdf).decode().splitlines()
with open(f"{t}/needles", "w") as f:
    for n in (phrase, html_phrase, name, mark, "hex:" + pdf[100:164].hex(), b64[3]):
        f.write(n + "\n")
PY
    ok "the post written"
    chmod 644 "$T/post"
    export RF_FILE_SHA256=$(sha256sum < "$T/orig.pdf" | cut -d' ' -f1)
    post poster@other.test dev@lists.test "$T/post"
    ok "SMTP accepted the post"
    exim_wait_idle 60
    ok "queue drained"

    # ---- what each member gets: the notice
    check_eq "alice got one copy" 1 "$(maildir_count alice@example.test)"
    check_eq "bob got one copy" 1 "$(maildir_count bob@example.test)"
    local c who
    c=$(maildir_files alice@example.test | head -1)
    check_eq "the copy keeps the Subject" "$RF_SUBJECT" "$(hdr "$c" Subject)"
    check_eq "the copy keeps From" "Poster <poster@other.test>" "$(hdr "$c" From)"
    check_eq "the copy keeps Date" "Sun, 29 Nov 2026 10:00:00 +0000" "$(hdr "$c" Date)"
    check_eq "the copy keeps Message-ID" "<ink.1@other.test>" "$(hdr "$c" Message-ID)"
    check_eq "the copy has the list headers" "<dev.lists.test>" "$(hdr "$c" List-Id)"
    for who in alice bob; do
        c=$(maildir_files $who@example.test | head -1)
        "$RF_PYTHON" - "${c:-/dev/null}" > "$T/$who.link" 2> "$T/$who.err" <<'PY'
import sys, re, email, email.policy
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
defects = [d for p in m.walk() for d in p.defects]
if defects:
    sys.exit("MIME defects: %r" % defects)
leaves = [p for p in m.walk() if not p.is_multipart()]
other = [p.get_content_type() for p in leaves if p.get_content_type() not in ("text/plain", "text/html")
         or p.get_content_disposition() == "attachment"]
if other:
    sys.exit("parts besides the notice: %r" % other)
plain = [p.get_content() for p in leaves if p.get_content_type() == "text/plain"]
html = [p.get_content() for p in leaves if p.get_content_type() == "text/html"]
if not html or not plain:
    sys.exit("no text and HTML alternatives")
text = " ".join(plain[0].split())   # the notice's lines are wrapped
for need in ("is on a protected page until", "list's web user name and password",
             "ask the list's owners: dev-owner@lists.test", "Its attachment is on the page too"):
    if need not in text:
        sys.exit("the notice lacks %r: %r" % (need, text))
if not re.search(r"until \d{4}-\d\d-\d\d \d\d:\d\d UTC", text):
    sys.exit("no expiry date in the notice")
links = re.findall(r"http://\S+/ink/[A-Za-z0-9_-]+", text)
if len(set(links)) != 1 or links[0] not in html[0]:
    sys.exit("not one link, in text and HTML: %r" % links)
if "dev list footer" not in raw.decode("utf-8", "replace"):
    sys.exit("no footer")
print(links[0])
PY
        check "$who: the copy is the notice (text and HTML), one link, the footer, nothing else" \
            test ! -s "$T/$who.err"
        [ -s "$T/$who.err" ] && sed 's/^/#   /' "$T/$who.err"
    done
    local link tok
    link=$(cat "$T/alice.link")
    tok=${link##*/}
    check_match "the link: base_url/ink/ and a 256-bit token" "^$BASE/ink/[A-Za-z0-9_-]{43}\$" "$link"
    check "alice and bob have the same link" cmp -s "$T/alice.link" "$T/bob.link"
    printf '%s\n' "$tok" >> "$RF_SECRETS"
    local copies=0 f
    for f in $(maildir_files alice@example.test) $(maildir_files bob@example.test); do
        "$RF_PYTHON" -c 'import sys
data = open(sys.argv[1], "rb").read()
needles = [l for l in open(sys.argv[2]).read().splitlines() if l]
sys.exit(1 if any((bytes.fromhex(n[4:]) if n.startswith("hex:") else n.encode()) in data
                  for n in needles) else 0)' "$f" "$T/needles" || copies=$((copies + 1))
    done
    check_eq "no copy holds the phrases, the file's name or bytes" 0 "$copies"

    # ---- Bounce Redelivery: carol's copy was refused; her page shows the
    # kept copy, which is the notice without its link
    check_match "mainlog: carol's copy was refused" '\*\* carol@example.test .*550 5\.7\.1' \
        "$(cat "$T/log/mainlog")"
    check_eq "carol got the Bounce Redelivery notice" 1 "$(maildir_count carol@example.test)"
    local rlink
    rlink=$(body "$(maildir_files carol@example.test | head -1)" | grep -oE "$BASE/r/[A-Za-z0-9_-]+" | head -1)
    printf '%s\n' "${rlink##*/}" >> "$RF_SECRETS"

    # ---- every place reflector keeps data: none holds the post or the token
    cp "$T/needles" "$T/needles+token"
    printf '%s\n' "$tok" >> "$T/needles+token"
    rf_places_holding "$T/needles+token" > "$T/found" 2> "$T/searched"
    check_eq "no place holds the phrases, the file's name or bytes, or the token" "" "$(head -5 "$T/found")"
    check_match "the places were searched" '^searched [1-9][0-9]* files$' "$(cat "$T/searched")"
    check_eq "the places: the state directory (database, blobs, spool), the logs, the MTA's queue" \
        "$STATE $( [ "$STORE" = s3 ] && echo "$T/s3 ")$T/log $T/spool" "$(rf_data_places | tr '\n' ' ' | sed 's/ $//')"
    check_match "the syslog lines were collected" 'listdeliver' "$(cat "$T/log/syslog.log")"
    local archived
    archived=$(as_run_user sqlite3 "$STATE/reflector.db" "SELECT body FROM archive_posts" | tr -s ' \n' '  ')
    check_match "the archive keeps the notice" 'is on a protected page until' "$archived"
    check_match "without its link" 'the link is only in the copies sent to the members' "$archived"
    check_eq "the spool is empty" "" "$(ls "$STATE/spool" 2>/dev/null)"
    local ink_blobs
    ink_blobs=$(as_run_user sqlite3 "$STATE/reflector.db" \
        "SELECT blob_id FROM ink_posts UNION ALL SELECT blob_id FROM ink_files" | sort)
    check_eq "two blobs: the post and its file" 2 "$(printf '%s\n' "$ink_blobs" | grep -c .)"
    check_eq "both are in the blob store ($STORE)" "$ink_blobs" \
        "$(blob_ids | grep -xF "$ink_blobs" | sort)"
    check_eq "the attachments policy found nothing left to store" 0 \
        "$(as_run_user sqlite3 "$STATE/reflector.db" "SELECT count(*) FROM attachments")"

    # ---- listweb
    : > "$T/listweb-all.log"
    NOW0=$(date +%s)
    _ink_web_at() {   # (re)start listweb with its clock $1 seconds after NOW0
        web_down
        [ -s "$T/log/listweb.log" ] && cat "$T/log/listweb.log" >> "$T/listweb-all.log"
        web_up REFLECTOR_TEST_NOW=$((NOW0 + $1)) || { _rf_record 1 "listweb started"; rf_done; exit 1; }
        W=http://127.0.0.1:$WEBPORT
        LOCAL=${link/$BASE/$W}
    }
    _ink_web_at 0
    ok "listweb started"
    local code
    # a link scanner: GET, HEAD and the file's link, twice, without a session
    for _ in 1 2; do
        code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$LOCAL")
        curl -s -I -o /dev/null "$LOCAL"
        curl -s -o /dev/null "$LOCAL/1/x.pdf"
    done
    check_eq "a fetch without a session: 303 to the login page, back to the link after" \
        "303 $W/login?list=dev%40lists.test&next=/ink/$tok" "$code"
    check_eq "the file's link without a session: 303 to the login page, then to the post's page" \
        "303 $W/login?list=dev%40lists.test&next=/ink/$tok" \
        "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$LOCAL/1/x.pdf")"
    check_eq "the login page shows nothing of the post" 0 \
        "$(curl -s "$W/login?list=dev%40lists.test&next=/ink/$tok" | grep -c -F "$RF_PHRASE")"
    check_eq "an unknown token: 404" 404 \
        "$(curl -s -o /dev/null -w '%{http_code}' "$W/ink/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")"
    local last=A; [ "${tok: -1}" != A ] || last=B
    check_eq "a token one character off: 404" 404 \
        "$(curl -s -o /dev/null -w '%{http_code}' "$W/ink/${tok%?}$last")"
    check_eq "no POST: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$LOCAL")"
    check_eq "/ink/ is no listing: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$W/ink/")"

    # the member, in the real Chromium, after the scanner
    rf_browser "browser: the password asked, a wrong one refused, the post and its attachment shown" \
        26 ink.mjs "$LOCAL" read

    # carol's Bounce Redelivery page: the notice, no link, nothing of the post
    curl -s "${rlink/$BASE/$W}" | tr -s ' \n' '  ' > "$T/r.html"
    check_match "carol's redelivery page shows the kept copy: the notice" \
        'is on a protected page until' "$(cat "$T/r.html")"
    check_match "without the link" 'the link is only in the copies sent to the members' "$(cat "$T/r.html")"
    check_eq "nor the token" 0 "$(grep -c -F -e "$tok" "$T/r.html")"
    check_eq "nor the phrase" 0 "$(grep -c -F "$RF_PHRASE" "$T/r.html")"

    # ---- past the expiry
    _ink_web_at $((86400 + 60))
    rf_browser "browser, past the expiry: 410 Gone, said plainly" 5 ink.mjs "$LOCAL" gone
    check_eq "the file's link too: 410" 410 "$(curl -s -o /dev/null -w '%{http_code}' "$LOCAL/1/x.pdf")"
    local later=$((NOW0 + 86400 + 60))
    check_match "cleanup --dry-run counts the ink post" '^ink: 1 .*would be deleted' \
        "$(as_run_user env REFLECTOR_TEST_NOW=$later "$T/bin/listctl" --config "$T/reflector.conf" cleanup --dry-run | grep '^ink:')"
    check_eq "a dry run deletes no blob" "$ink_blobs" "$(blob_ids | grep -xF "$ink_blobs" | sort)"
    check_match "cleanup deletes it" '^ink: 1 .*deleted' \
        "$(as_run_user env REFLECTOR_TEST_NOW=$later "$T/bin/listctl" --config "$T/reflector.conf" cleanup | grep '^ink:')"
    check_eq "its ciphertext is gone from the blob store ($STORE)" "" "$(blob_ids | grep -xF "$ink_blobs")"
    check_eq "and its rows" "0 0" "$(as_run_user sqlite3 "$STATE/reflector.db" \
        "SELECT (SELECT count(*) FROM ink_posts), (SELECT count(*) FROM ink_files)" | tr '|' ' ')"
    check_eq "after cleanup the link is unknown: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$LOCAL")"
    web_down
    cat "$T/log/listweb.log" >> "$T/listweb-all.log"

    # ---- secrets: no password, cookie or token in any place
    rf_places_holding "$RF_SECRETS" > "$T/found2" 2> /dev/null
    check_eq "no password, session cookie or token in any place" "" "$(head -5 "$T/found2")"
    check_eq "no sanitizer report from listweb" "" \
        "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/listweb-all.log" | head -5)"
    if [ "$STORE" = s3 ]; then
        check_eq "every S3 request had a good SigV4 signature" "" "$(grep -v '^ok ' "$T/log/sigv4.log" | head -3)"
        check_match "S3: PUT, GET and DELETE went through the signature check" \
            'ok PUT.*ok GET.*ok DELETE' "$(tr '\n' ' ' < "$T/log/sigv4.log")"
    fi
    exim_check_clean
}
