#!/bin/bash
# t-listctl-rotate-key.sh - listctl rotate-key site|blob (issue 11: the
# keys' documented rotation), with listdeliver, a sendmail stub and the
# real listweb: the key in use becomes NAME.previous and a new one is
# made; what the previous key made still works (a bounce to a VERP address
# of before, a readable attachment: a kept post is opened the same way),
# the unsubscribe links are made anew (the old one is 404, the next post's
# works); a wrong key name is a usage error.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"   # _rf_free_port, for web.sh
source "$RF_TESTS/lib/web.sh"
rf_need python3 setpriv curl
rf_tmpdir
T=$TD
mkdir -p "$TD/bin" "$TD/out" "$TD/log" "$TD/etc"
mkdir -m 0750 "$TD/state"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
printf '#!/bin/sh\nfor a; do rcpt=$a; done\nprintf "%%s\\n" "$*" >> "%s/out/argv"\ncat > "%s/out/$rcpt.$$"\n' \
    "$TD" "$TD" > "$TD/bin/sendmail"
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\nkey_dir = %s\n[delivery]\nsendmail = %s\n[web]\nbase_url = https://lists.test\n' \
    "$TD/state" "$TD/etc" "$TD/bin/sendmail" > "$TD/reflector.conf"
chmod 644 "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD/state" "$TD/out" "$TD/bin" "$TD/etc"
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ld() { rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" "$1" > /dev/null 2>&1; }
trap 'web_down; _rf_cleanup' EXIT
post() {   # post ID
    { printf 'From: poster@other.test\nTo: dev@lists.test\nSubject: %s\nMessage-ID: <%s@other.test>\n' "$1" "$1"
      printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nText.\n'
      printf -- '--B\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=f.bin\n'
      printf 'Content-Transfer-Encoding: base64\n\nQUJDRA==\n--B--\n'; } > "$TD/post"
    ld dev@lists.test < "$TD/post"
}
last_copy() { ls -t "$TD"/out/bob@example.test.* | head -1; }
unsub_of() { grep -o 'https://lists.test/u/[A-Za-z0-9_-]*' "$(last_copy)" | head -1 | sed 's|https://lists.test||'; }
att_of() { grep -o 'https://lists.test/a/dev@lists.test/[0-9]*/1/f.bin' "$(last_copy)" | head -1 | sed 's|https://lists.test||'; }
verp_of() { grep -- "-- $1\$" "$TD/out/argv" | sed 's/.*-f \([^ ]*\) .*/\1/' | tail -1; }
score() { ctl bounces dev@lists.test --json | python3 -c 'import json,sys
print(sum(m["score"] for m in json.load(sys.stdin)["members"] if m["address"] == sys.argv[1]))' "$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$BASE$1"; }

ctl create dev@lists.test > /dev/null 2>&1 && ctl set dev@lists.test posting open > /dev/null &&
ctl set dev@lists.test attachments link > /dev/null &&
ctl set dev@lists.test attachment_unguessable off > /dev/null &&
ctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null
ok "list dev: readable attachment links, alice and bob"
post p1
U1=$(unsub_of); A1=$(att_of); V1=$(verp_of bob@example.test)
check "post 1 carries an unsubscribe link and a readable attachment link" test -n "$U1" -a -n "$A1"
web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT
check_eq "before: the unsubscribe link answers" 200 "$(code "$U1")"
check_eq "before: the attachment downloads" 200 "$(code "$A1")"
web_down

old_site=$(sha256sum < "$TD/etc/site.key")
ctl rotate-key site > "$TD/rot.out" 2>&1
check_eq "rotate-key site: exit 0" 0 "$?"
check_match "says which file and the previous one" \
    "rotated $TD/etc/site.key: the key it replaced is $TD/etc/site.key.previous" "$(cat "$TD/rot.out")"
check_eq "the previous key is the old one" "$old_site" "$(sha256sum < "$TD/etc/site.key.previous")"
check "the new one is another" test "$old_site" != "$(sha256sum < "$TD/etc/site.key")"
ctl rotate-key blob > /dev/null 2>&1
check_eq "rotate-key blob: exit 0" 0 "$?"
check "blob.key.previous" test -s "$TD/etc/blob.key.previous"

post p2
U2=$(unsub_of); A2=$(att_of)
check "post 2 has another unsubscribe link" test "$U1" != "$U2"
web_up || { _rf_record 1 "listweb restarted"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT
check_eq "after: the old unsubscribe link is unknown (made anew)" 404 "$(code "$U1")"
check_eq "after: the new one answers" 200 "$(code "$U2")"
check_eq "after: the attachment of before still downloads (the previous blob key)" 200 "$(code "$A1")"
check_eq "after: the new one downloads" 200 "$(code "$A2")"
web_down
printf 'From: MAILER-DAEMON@mx.test\nTo: %s\nSubject: failed\n\n<bob@example.test>: 550 5.1.1 user unknown\n' "$V1" > "$TD/b"
ld "$V1" < "$TD/b"
check_eq "a bounce to a VERP address made before the rotation still counts" 1 "$(score bob@example.test)"

ctl rotate-key moon > /dev/null 2> "$TD/err"
check_eq "an unknown key: exit 64" 64 "$?"
check_match "saying so" "'moon' is no key" "$(cat "$TD/err")"
rf_done
