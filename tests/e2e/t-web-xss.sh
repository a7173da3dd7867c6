#!/bin/bash
# ctest-labels: mta browser
# t-web-xss.sh - the XSS corpus: posts with script, event-handler,
# javascript: and remote-image payloads in the subject (plain and
# RFC 2047-encoded), the sender's display name, the Date and threading
# headers, a text body, an HTML-only body and an attachment's file name
# (attachments = link: the archived text names the file), delivered through the real Exim into a public archive; every page that
# shows them (months, month, each post, each thread, searches) is opened
# in the real headless Chromium (tests/browser/xss.mjs): no dialog opens,
# no request leaves for a foreign host, and the payloads read as text.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/web.sh"
rf_need curl node
rf_tmpdir
exim_up
trap 'web_down; exim_down; _rf_cleanup' EXIT

cp -r "$RF_SRC/cmd/listweb/templates" "$T/templates"
chmod -R a+rX "$T/templates"
printf '[web]\ntemplates = %s\n' "$T/templates" >> "$T/reflector.conf"

rf_listctl create xss@lists.test > /dev/null &&
rf_listctl set xss@lists.test posting open > /dev/null &&
rf_listctl set xss@lists.test archive on > /dev/null &&
rf_listctl set xss@lists.test archive_access public > /dev/null &&
rf_listctl set xss@lists.test attachments link > /dev/null &&
rf_listctl subscribe xss@lists.test ann@example.test > /dev/null
ok "list xss with a public archive and attachments = link"
add_mailbox ann@example.test poster@other.test

# the corpus, and what each post's page must show as text
python3 - "$T" <<'PY'
import base64, json, sys
T = sys.argv[1]
def b(s): return '=?utf-8?B?' + base64.b64encode(s.encode()).decode() + '?='
posts = [
  dict(subject='<script>alert(1)</script>',
       headers=['From: "<img src=x onerror=alert(1)>" <xss1@other.test>'],
       ctype='text/plain; charset=utf-8',
       body='"><svg onload=alert(1)>\n<a href="javascript:alert(1)">click</a>\n'
            '<img src=http://foreign.invalid/x>\n<img src=x onerror=alert(1)>\n',
       texts=['<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>',
              '<a href="javascript:alert(1)">click</a>', '<img src=http://foreign.invalid/x>']),
  dict(subject='"><svg onload=alert(2)>',
       headers=['From: Html Poster <xss2@other.test>', 'Date: <script>alert(2)</script>'],
       ctype='text/html; charset=utf-8',
       body='<html><head><script>alert(2)</script><style>body{background:url(http://foreign.invalid/s)}</style>'
            '</head><body><p>Look <img src=http://foreign.invalid/y onerror=alert(2)> '
            '<a href="javascript:alert(2)">here</a></p><iframe src="http://foreign.invalid/z"></iframe>'
            '<form action="http://foreign.invalid/f"><input name=q></form>'
            '<p>Entity &lt;b&gt;bold&lt;/b&gt; as text</p></body></html>\n',
       texts=['Look', 'here', '<b>bold</b> as text', '<script>alert(2)</script>']),
  dict(subject='<img src=x onerror=alert(3)> encoded é',
       encoded=True,
       headers=['From: ' + b('<svg onload=alert(3)>') + ' <xss3@other.test>'],
       ctype='text/plain; charset=utf-8',
       body='An encoded subject and name.\n',
       texts=['<svg onload=alert(3)>', 'An encoded subject and name.']),
  dict(subject='An attachment',
       headers=['From: Attacher <xss4@other.test>'],
       multipart=True,
       # attachments = link: the post's text lists the file by its (cleaned) name
       texts=['See attached.', 'alert(4).bin (']),
  dict(subject='javascript:alert(5)',
       headers=['From: Header Poster <xss5@other.test>',
                'In-Reply-To: <"><script>alert(5)</script>@x>',
                'References: <<img src=x onerror=alert(5)>@y>',
                'X-Payload: <script>alert(5)</script>'],
       ctype='text/plain; charset=utf-8',
       body='<img src=http://foreign.invalid/w> and [link](javascript:alert(5))\n',
       texts=['<img src=http://foreign.invalid/w> and [link](javascript:alert(5))']),
]
expect = []
for i, p in enumerate(posts, 1):
    subj = b(p['subject']) if p.get('encoded') else p['subject']
    lines = p['headers'] + ['To: xss@lists.test', 'Subject: ' + subj,
                            'Message-ID: <xss%d.corpus@client.test>' % i, 'MIME-Version: 1.0']
    if not any(h.startswith('Date:') for h in p['headers']):
        lines.append('Date: Sun, 29 Nov 2026 12:00:00 +0000')
    if p.get('multipart'):
        lines += ['Content-Type: multipart/mixed; boundary="BOUNDARY"', '',
                  '--BOUNDARY', 'Content-Type: text/plain; charset=utf-8', '', 'See attached.',
                  '--BOUNDARY',
                  'Content-Type: application/octet-stream; name="<img src=x onerror=alert(4)>.bin"',
                  'Content-Disposition: attachment; filename="<img src=x onerror=alert(4)>.bin"',
                  'Content-Transfer-Encoding: base64', '',
                  base64.b64encode(b'\x00\x01binary<script>alert(4)</script>').decode(),
                  '--BOUNDARY--', '']
    else:
        lines += ['Content-Type: ' + p['ctype'], '', p['body']]
    with open('%s/x%d' % (T, i), 'w') as f:
        f.write('\n'.join(lines))
    expect.append(dict(subject=p['subject'], texts=p['texts']))
with open(T + '/expect.json', 'w') as f:
    json.dump(expect, f)
PY
ok "the corpus written"
n=0
for f in "$T"/x[0-9]; do
    post poster@other.test xss@lists.test "$f" && n=$((n + 1))
done
check_eq "SMTP accepted the five posts" 5 "$n"
exim_wait_idle 60; ok "queue drained"
check_eq "ann got them" 5 "$(maildir_count ann@example.test)"

web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
ok "listweb started"
BASE=http://127.0.0.1:$WEBPORT
rf_browser "the browser part" 83 xss.mjs "$BASE" xss@lists.test "$T/expect.json"
pages=$(printf '%s\n' "$BROWSER_OUT" | LC_ALL=C sed -n 's/.*no dialog opened on any of \([0-9]*\) pages.*/\1/p')
check "on every page that shows the corpus (${pages:-0} opened)" test "${pages:-0}" -ge 18
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/log/listweb.log" | head -5)"
web_down
exim_check_clean
rf_done
