#!/bin/bash
# t-listdeliver-limits.sh - parts and attachments per post (issue 11,
# finding 5), with listdeliver and a sendmail stub: a post with more MIME
# parts than the list's max_parts, or more attachments than its
# max_attachments, is refused with exit 77 and a reason naming the setting,
# before any attachment is stored (no blob, no row) and before any copy
# goes out; one at the limits goes out; 0 lifts a limit.  The post of the
# report, 20,000 small attachments in 2.7 MB, is refused the same way
# (it took 94 s and wrote 20,000 blobs with attachments=link).
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv
rf_tmpdir
mkdir -p "$TD/bin" "$TD/state" "$TD/out"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
printf '#!/bin/sh\nfor a; do rcpt=$a; done\ncat > "%s/out/$rcpt.$$"\n' "$TD" > "$TD/bin/sendmail"
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n' "$TD/state" "$TD/bin/sendmail" \
    > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ld() {   # ld < message; sets RC, ERR
    rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" dev@lists.test \
        > /dev/null 2> "$TD/ld.err"
    RC=$?; ERR=$(cat "$TD/ld.err")
}
blobs() { find "$TD/state/blobs" -type f 2>/dev/null | wc -l; }
copies() { find "$TD/out" -type f | wc -l; }
# mkpost FILE N_ATTACHMENTS N_INLINE_TEXT_PARTS: one text body, then the
# attachments (4 bytes each, base64), then more inline text parts
mkpost() {
    python3 - "$@" <<'PY'
import sys, random
f, n_att, n_text = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = ['From: poster@other.test', 'To: dev@lists.test', 'Subject: parts %d %d' % (n_att, n_text),
       'Message-ID: <parts.%d.%d.%d@other.test>' % (n_att, n_text, random.randrange(10**9)),
       'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=B', '',
       '--B', 'Content-Type: text/plain', '', 'hello']
for i in range(n_att):
    out += ['--B', 'Content-Type: application/octet-stream',
            'Content-Disposition: attachment; filename=f%d.bin' % i,
            'Content-Transfer-Encoding: base64', '', 'QUJDRA==']
for i in range(n_text):
    out += ['--B', 'Content-Type: text/plain', '', 'more text %d' % i]
out += ['--B--', '']
open(f, 'w').write('\n'.join(out))
PY
    chmod 644 "$1"
}
ctl create dev@lists.test > /dev/null &&
ctl set dev@lists.test posting open > /dev/null &&
ctl set dev@lists.test attachments link > /dev/null &&
ctl set dev@lists.test bounce_redelivery off > /dev/null &&
ctl subscribe dev@lists.test ann@example.test bob@example.test > /dev/null
ok "list dev: attachments=link, bounce_redelivery off (the blobs are the attachments'), two members"
check_eq "max_parts defaults to 200" 200 "$(ctl get dev@lists.test max_parts)"
check_eq "max_attachments defaults to 50" 50 "$(ctl get dev@lists.test max_attachments)"

mkpost "$TD/p51" 51 0
ld < "$TD/p51"
check_eq "51 attachments: refused with 77" 77 "$RC"
check_match "the reason names the count and the setting" \
    '51 attachments, more than the 50 that dev@lists.test accepts \(max_attachments\)' "$ERR"
check_eq "no attachment was stored" 0 "$(blobs)"
check_eq "no copy went out" 0 "$(copies)"
check_eq "no attachment row" 0 "$(rf_as_user "$RF_PYTHON" -c 'import sqlite3,sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from attachments").fetchone()[0])' "$TD/state/reflector.db")"

mkpost "$TD/p201" 0 200
ld < "$TD/p201"
check_eq "202 parts (a multipart of a body and 200 text parts, no attachment): refused with 77" 77 "$RC"
check_match "the reason names the limit and the setting" \
    'more than 200 MIME parts, the most that dev@lists.test accepts \(max_parts\)' "$ERR"
check_eq "no copy went out" 0 "$(copies)"

mkpost "$TD/p50" 50 148
ld < "$TD/p50"
check_eq "50 attachments in 200 parts (the multipart, a body, 50 files, 148 text parts): delivered" \
    0 "$RC"
check_eq "two copies" 2 "$(copies)"
check_eq "50 files stored" 50 "$(blobs)"

mkpost "$TD/huge" 20000 0
s0=$(date +%s.%N)
ld < "$TD/huge"
s1=$(date +%s.%N)
check_eq "the report's post, 20,000 attachments in $(stat -c %s "$TD/huge") bytes: refused with 77" 77 "$RC"
check_match "naming max_parts" 'max_parts' "$ERR"
check_eq "and no more file stored" 50 "$(blobs)"
echo "# refused in $(python3 -c "print('%.2f' % ($s1 - $s0))") s"

ctl set dev@lists.test max_attachments 0 > /dev/null && ctl set dev@lists.test max_parts 0 > /dev/null
mkpost "$TD/p60" 60 0
ld < "$TD/p60"
check_eq "with both limits at 0: 60 attachments go out" 0 "$RC"
check_eq "and are stored" 110 "$(blobs)"
rf_done
