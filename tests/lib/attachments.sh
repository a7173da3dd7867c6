#!/bin/bash
# attachments.sh - the end-to-end test of issue 3 for one blob store (bash
# library for tests/e2e/t-attachments-*.sh): a post with attachments goes
# through the real Exim to a list with attachments=link; each member's copy
# has links and no attachment; each link fetched from the real listweb
# (curl) gives the original bytes (sha256); after the retention (an
# injected clock) the link answers 410 and 'listctl cleanup' deletes the blob.
#
#   source common.sh; source mta-exim.sh; source attachments.sh
#   attachments_e2e local|s3 [path|virtual]
#
# For s3, s3rver (installed by contrib/install-deps.sh in
# /opt/reflector-test) is started on loopback by s3_up, behind
# s3-sigv4-check.py, which refuses any request whose AWS SigV4 signature is
# wrong (s3rver does not check V4 signatures itself).
S3RVER=${S3RVER:-/opt/reflector-test/node_modules/.bin/s3rver}
source "$RF_TESTS/lib/web.sh"

# s3rver on S3_BACKEND, and in front of it on S3PORT the proxy that checks
# every request's SigV4 signature (s3rver itself accepts any V4 signature)
s3_up() {
    [ -x "$S3RVER" ] || { echo "not ok - no s3rver at $S3RVER (run contrib/install-deps.sh)"; exit 1; }
    S3_BACKEND=$(_rf_free_port)
    S3PORT=$(_rf_free_port)
    mkdir -p "$T/s3"
    "$S3RVER" -d "$T/s3" -a 127.0.0.1 -p "$S3_BACKEND" --service-endpoint localhost \
        --configure-bucket attachments > "$T/log/s3rver.log" 2>&1 &
    S3_PID=$!
    "$RF_PYTHON" "$RF_TESTS/lib/s3-sigv4-check.py" "$S3PORT" "$S3_BACKEND" S3RVER S3RVER \
        "$T/log/sigv4.log" > "$T/log/sigv4-proxy.log" 2>&1 &
    S3_PROXY_PID=$!
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$S3_BACKEND/" &&
            curl -s -o /dev/null "http://127.0.0.1:$S3PORT/" && return 0
        sleep 0.1
    done
    echo "# s3rver or the SigV4 proxy did not start:"
    sed 's/^/#   /' "$T/log/s3rver.log" "$T/log/sigv4-proxy.log"
    return 1
}
s3_down() {
    local p
    for p in ${S3_PROXY_PID:-} ${S3_PID:-}; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    S3_PID= S3_PROXY_PID=
}

# the blobs the store holds, by id (one per line)
blob_ids() {
    if [ "$STORE" = s3 ]; then
        find "$T/s3/attachments" -name '*._S3rver_object' 2>/dev/null |
            sed 's|.*/||; s|\._S3rver_object$||' | sort
    else
        find "$STATE/blobs" -path '*/tmp' -prune -o -type f -print 2>/dev/null | sed 's|.*/||' | sort
    fi
}

attachments_e2e() {
    STORE=$1
    local addressing=${2:-path}
    rf_need curl python3 sha256sum
    exim_up
    trap 'web_down; s3_down; exim_down; _rf_cleanup' EXIT
    BASE="http://127.0.0.1:$(_rf_free_port)"
    printf '[web]\nbase_url = %s/\n' "$BASE" >> "$T/reflector.conf"
    if [ "$STORE" = s3 ]; then
        s3_up; ok "s3rver started on 127.0.0.1:$S3PORT"
        printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' > "$T/s3.credentials"
        chmod 600 "$T/s3.credentials"
        [ "$(id -u)" != 0 ] || chown "$RUN_USER:$RUN_GROUP" "$T/s3.credentials"
        if [ "$addressing" = virtual ]; then
            endpoint="http://s3.localhost:$S3PORT"
        else
            endpoint="http://127.0.0.1:$S3PORT"
        fi
        printf '[blobs]\nstore = s3\nendpoint = %s\nbucket = attachments\naddressing = %s\ncredentials_file = %s\n' \
            "$endpoint" "$addressing" "$T/s3.credentials" >> "$T/reflector.conf"
    fi

    if [ "$STORE" = s3 ]; then
        # a wrong secret: the signature check refuses, listdeliver exits 75
        # (the MTA retries; nothing is sent without its files)
        printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = WRONG\n' > "$T/bad.credentials"
        chmod 600 "$T/bad.credentials"
        [ "$(id -u)" != 0 ] || chown "$RUN_USER:$RUN_GROUP" "$T/bad.credentials"
        sed "s|^credentials_file = .*|credentials_file = $T/bad.credentials|" "$T/reflector.conf" > "$T/bad.conf"
        chmod 644 "$T/bad.conf"
        rf_listctl create bad@lists.test > /dev/null && rf_listctl set bad@lists.test posting open &&
        rf_listctl set bad@lists.test attachments link && rf_listctl subscribe bad@lists.test carol@example.test > /dev/null
        printf 'From: p@other.test\nTo: bad@lists.test\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n' > "$T/bad.msg"
        chmod 644 "$T/bad.msg"
        as_run_user env RECIPIENT=bad@lists.test "$T/bin/listdeliver" --config "$T/bad.conf" < "$T/bad.msg" > "$T/bad.out" 2>&1
        check_eq "wrong S3 secret: listdeliver exits 75" 75 "$?"
        check_match "wrong S3 secret: the reason is the store's 403" 'blob store: PUT answered HTTP 403' "$(cat "$T/bad.out")"
        check_match "wrong S3 secret: the proxy refused the signature" '^refused PUT: SignatureDoesNotMatch' "$(cat "$T/log/sigv4.log")"
        : > "$T/log/sigv4.log"
        rf_listctl delete bad@lists.test > /dev/null
    fi

    rf_listctl create dev@lists.test > /dev/null &&
    rf_listctl set dev@lists.test posting open &&
    rf_listctl set dev@lists.test attachments link &&
    rf_listctl set dev@lists.test footer 'dev list footer' &&
    # the blob counts below are the attachments' alone (the redelivery
    # copies, blobs too, are t-redelivery.sh's)
    rf_listctl set dev@lists.test bounce_redelivery off &&
    rf_listctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null
    ok "list with attachments=link and two members"
    add_mailbox alice@example.test bob@example.test poster@other.test

    # the post: text + HTML, a 700 kB binary whose name tries a path and
    # quotes, a PDF, and a forwarded message
    mkdir -p "$T/orig"
    "$RF_PYTHON" - "$T" <<'PY'
import sys, os, email.message, email.policy
t = sys.argv[1]
big = os.urandom(700 * 1024)
pdf = b"%PDF-1.4\n" + os.urandom(5000) + b"\n%%EOF\n"
open(f"{t}/orig/1", "wb").write(big)
open(f"{t}/orig/2", "wb").write(pdf)
fwd = email.message.EmailMessage()
fwd["From"] = "x@example.test"; fwd["Subject"] = "the forwarded one"
fwd["Message-ID"] = "<fwd.1@example.test>"
fwd.set_content("Forwarded text.\n")
m = email.message.EmailMessage()
m["From"] = "Poster <poster@other.test>"; m["To"] = "dev@lists.test"
m["Subject"] = "files for the list"; m["Message-ID"] = "<att.1@other.test>"
m["Date"] = "Sun, 29 Nov 2026 10:00:00 +0000"
m.set_content("Hello list,\nthe files are attached.\n")
m.add_alternative("<html><body><p>Hello list, the files are attached.</p></body></html>\n", subtype="html")
m.add_attachment(big, maintype="application", subtype="octet-stream", filename='../../etc/"data" file.bin')
m.add_attachment(pdf, maintype="application", subtype="pdf", filename="report.pdf")
m.attach(email.message.EmailMessage())
m.get_payload()[-1].set_content(fwd)
m.get_payload()[-1]["Content-Disposition"] = "attachment"
open(f"{t}/post", "wb").write(m.as_bytes(policy=email.policy.SMTP))
PY
    ok "post with three attachments written"
    post poster@other.test dev@lists.test "$T/post"
    ok "SMTP accepted the post"
    exim_wait_idle 60
    ok "queue drained"
    check_eq "alice has one copy" 1 "$(maildir_count alice@example.test)"
    check_eq "bob has one copy" 1 "$(maildir_count bob@example.test)"
    check_eq "nothing in the catch-all" 0 "$(catchall_count)"
    check_eq "three blobs stored" 3 "$(blob_ids | wc -l)"

    # each copy: valid MIME, no attachment left, the text kept, the links
    local who c
    for who in alice bob; do
        c=$(maildir_files $who@example.test | head -1)
        "$RF_PYTHON" - "${c:-/dev/null}" > "$T/$who.urls" 2> "$T/$who.err" <<'PY'
import sys, re, email, email.policy
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
defects = [d for p in m.walk() for d in p.defects]
if defects:
    sys.exit("MIME defects: %r" % defects)
left = [p.get_content_type() for p in m.walk()
        if not p.is_multipart() and (p.get_content_disposition() == "attachment"
                                     or p.get_content_maintype() not in ("text",))]
if left:
    sys.exit("attachments left: %r" % left)
plain = [p for p in m.walk() if p.get_content_type() == "text/plain"]
html = [p for p in m.walk() if p.get_content_type() == "text/html"]
text = plain[0].get_content()
if not text.startswith("Hello list,\nthe files are attached.\n"):
    sys.exit("text changed: %r" % text[:80])
# the footer policy runs after: it comes after the links
if raw.find(b"dev list footer") < raw.find(b"/a/"):
    sys.exit("footer missing or before the links")
urls = re.findall(r"(http://\S+/a/\S+)", text)
if len(html) != 1 or html[0].get_content().count("/a/") != 3:
    sys.exit("HTML list missing")
print("\n".join(urls))
PY
        check "$who: the copy parses, has no attachment, text kept, links in text and HTML" \
            test ! -s "$T/$who.err"
        [ -s "$T/$who.err" ] && sed 's/^/#   /' "$T/$who.err"
        check_eq "$who: three links" 3 "$(wc -l < "$T/$who.urls")"
    done
    check "alice's and bob's links are the same links" cmp -s "$T/alice.urls" "$T/bob.urls"
    check_match "links are unguessable: a 43-character token" \
        "^$BASE/a/[A-Za-z0-9_-]{43}/data%20file\\.bin$" "$(head -1 "$T/alice.urls")"
    check_match "the forwarded message is an .eml" '/the%20forwarded%20one\.eml$' "$(sed -n 3p "$T/alice.urls")"

    # the real listweb: started as root, it serves as the state dir's owner
    web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
    ok "listweb started"
    if [ "$(id -u)" = 0 ]; then
        check_eq "listweb dropped root" "$RUN_USER" "$(ps -o user= -p "$WEB_PID" | tr -d ' ')"
    fi
    local i=0 url
    while read -r url; do
        i=$((i + 1))
        url=${url/$BASE/http://127.0.0.1:$WEBPORT}
        curl -s -D "$T/h$i" -o "$T/got$i" "$url"
        check_eq "link $i: HTTP 200" 200 "$(head -1 "$T/h$i" | cut -d' ' -f2)"
        if [ $i -le 2 ]; then
            check_eq "link $i: the original bytes (sha256)" \
                "$(sha256sum < "$T/orig/$i")" "$(sha256sum < "$T/got$i")"
            check_eq "link $i: Content-Length" "$(stat -c %s "$T/orig/$i")" \
                "$(grep -i '^Content-Length:' "$T/h$i" | tr -d '\r' | cut -d' ' -f2)"
        else
            check_match "link 3: the forwarded message" 'Forwarded text\.' "$(cat "$T/got3")"
        fi
        check_match "link $i: nosniff" '^X-Content-Type-Options: nosniff' "$(tr -d '\r' < "$T/h$i")"
        check_match "link $i: CSP default-src 'none'" "^Content-Security-Policy: default-src 'none';" "$(tr -d '\r' < "$T/h$i")"
        check_match "link $i: CSP frame-ancestors 'none'" "^Content-Security-Policy: .*frame-ancestors 'none'" "$(tr -d '\r' < "$T/h$i")"
        check_match "link $i: Referrer-Policy" '^Referrer-Policy: no-referrer' "$(tr -d '\r' < "$T/h$i")"
    done < "$T/alice.urls"
    check_match "download is an attachment with a safe name" \
        "^Content-Disposition: attachment; filename=\"data file.bin\"; filename\\*=UTF-8''data%20file\\.bin$" \
        "$(grep -i '^Content-Disposition' "$T/h1" | tr -d '\r')"
    check_match "Content-Type of the PDF" '^Content-Type: application/pdf' "$(tr -d '\r' < "$T/h2")"
    local w="http://127.0.0.1:$WEBPORT" tok
    tok=$(head -1 "$T/alice.urls" | sed 's|.*/a/||; s|/.*||')
    check_eq "unknown token: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$w/a/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/x.bin")"
    local last=A; [ "${tok: -1}" != A ] || last=B
    check_eq "a token one character off: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$w/a/${tok%?}$last/x.bin")"
    check_eq "/a/ is no listing: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$w/a/")"
    check_eq "/ is no listing: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$w/")"
    check_eq "no path outside the store: 404" 404 \
        "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$w/a/../../../../etc/passwd")"
    check_eq "no path outside the store (encoded): 404" 404 \
        "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$w/a/..%2f..%2f..%2fetc%2fpasswd/x")"
    check_eq "readable URL of an unguessable file: 404" 404 \
        "$(curl -s -o /dev/null -w '%{http_code}' "$w/a/dev@lists.test/1/1/x.bin")"
    check_eq "POST: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$w/a/$tok/x")"
    local found_tokens=
    while read -r url; do
        tok=$(printf '%s' "$url" | sed 's|.*/a/||; s|/.*||')
        found_tokens="$found_tokens$(grep -laF -e "$tok" "$STATE"/reflector.db* "$T/log/"* 2>/dev/null)"
    done < "$T/alice.urls"
    check_eq "no token in the database files (and WAL) nor in any log" "" "$found_tokens"
    tok=$(head -1 "$T/alice.urls" | sed 's|.*/a/||; s|/.*||')
    url=$(head -1 "$T/alice.urls"); url=${url/$BASE/$w}
    check_match "HEAD: 200 with the length, no body" "^HTTP/1.1 200 .*Content-Length: $(stat -c %s "$T/orig/1")" \
        "$(curl -s -I "$url" | tr -d '\r' | tr '\n' ' ')"

    if [ "$STORE" = local ]; then
        # readable links: /a/<list>/<post>/<n>/<name>, sealed with the site key
        rf_listctl set dev@lists.test attachment_unguessable off
        sed 's/^Message-ID: .*/Message-ID: <att.2@other.test>/' "$T/post" > "$T/post2"
        chmod 644 "$T/post2"
        post poster@other.test dev@lists.test "$T/post2"
        ok "SMTP accepted the second post"
        exim_wait_idle 60
        ok "queue drained"
        c=$(maildir_files alice@example.test | xargs grep -l 'att.2@other.test' | head -1)
        "$RF_PYTHON" - "${c:-/dev/null}" > "$T/readable.urls" <<'PY'
import sys, re, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
t = next(p for p in m.walk() if p.get_content_type() == "text/plain").get_content()
print("\n".join(re.findall(r"http://\S+/a/\S+", t)))
PY
        check_match "readable link: /a/<list>/<post>/<n>/<name>" \
            "^$BASE/a/dev@lists.test/1/1/data%20file\\.bin$" "$(head -1 "$T/readable.urls")"
        url=$(head -1 "$T/readable.urls"); url=${url/$BASE/$w}
        curl -s -o "$T/readable1" "$url"
        check_eq "readable link: the original bytes" "$(sha256sum < "$T/orig/1")" "$(sha256sum < "$T/readable1")"
        check_eq "readable link: another post number: 404" 404 \
            "$(curl -s -o /dev/null -w '%{http_code}' "${url/\/1\/1\//\/2\/1\/}")"
        check_eq "site key file created 0600" 600 "$(stat -c %a "$T/blob.key")"
        check "beside reflector.conf, not in the state directory (issue 11)" \
            test ! -e "$STATE/blob.key" -a ! -e "$STATE/site.key"
        if [ "$(id -u)" = 0 ]; then
            # never serving as root: a root-owned state dir and no --user is refused
            mkdir -p "$T/rootstate"
            printf '[paths]\nstate_dir = %s\n[dmarc]\nresolver = none\n' "$T/rootstate" > "$T/root.conf"
            "$RF_BIN/listweb" --config "$T/root.conf" --listen "127.0.0.1:$(_rf_free_port)" \
                > "$T/root.out" 2>&1
            check_eq "listweb refuses to serve as root: exit 78" 78 "$?"
            check_match "listweb says why" 'refusing to serve as root' "$(cat "$T/root.out")"
        fi
        rf_listctl set dev@lists.test attachment_unguessable on
    fi
    web_down

    # retention: 30 days by default; 31 days on, 410, then cleanup
    local later=$(( $(date +%s) + 31 * 86400 ))
    web_up REFLECTOR_TEST_NOW=$later || _rf_record 1 "listweb restarted"
    url=$(head -1 "$T/alice.urls"); url=${url/$BASE/http://127.0.0.1:$WEBPORT}
    check_eq "after expiry: 410 Gone" 410 "$(curl -s -o /dev/null -w '%{http_code}' "$url")"
    local n=3; [ "$STORE" != local ] || n=6
    check_match "cleanup --dry-run counts $n" "^attachments: $n .*would be deleted" \
        "$(as_run_user env REFLECTOR_TEST_NOW=$later "$T/bin/listctl" --config "$T/reflector.conf" cleanup --dry-run)"
    check_eq "dry run deleted nothing" $n "$(blob_ids | wc -l)"
    check_match "cleanup deletes $n" "^attachments: $n .* deleted" \
        "$(as_run_user env REFLECTOR_TEST_NOW=$later "$T/bin/listctl" --config "$T/reflector.conf" cleanup)"
    check_eq "the blobs are gone" 0 "$(blob_ids | wc -l)"
    check_eq "cleanup again: nothing deleted, nothing said (idempotent, quiet for cron)" "" \
        "$(as_run_user env REFLECTOR_TEST_NOW=$later "$T/bin/listctl" --config "$T/reflector.conf" cleanup)"
    check_match "cleanup -v again: attachments: 0" '^attachments: 0 ' \
        "$(as_run_user env REFLECTOR_TEST_NOW=$later "$T/bin/listctl" --config "$T/reflector.conf" cleanup -v)"
    check_eq "after cleanup the link is unknown: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$url")"
    check_eq "listweb logged no token" "" "$(grep -F -e "${tok:-no token}" "$T/log/listweb.log")"
    web_down
    if [ "$STORE" = s3 ]; then
        check_eq "every S3 request had a good SigV4 signature" "" "$(grep -v '^ok ' "$T/log/sigv4.log" | head -3)"
        check_match "S3: PUT, GET and DELETE went through the signature check" \
            'ok PUT.*ok GET.*ok DELETE' "$(tr '\n' ' ' < "$T/log/sigv4.log")"
    fi
    check_eq "no sanitizer report from listweb" "" "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/log/listweb.log" | head -5)"
    exim_check_clean
}
