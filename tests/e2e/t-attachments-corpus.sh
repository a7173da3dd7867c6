#!/bin/bash
# t-attachments-corpus.sh - the attachments policy (attachments=link) on
# every message of tests/data/corpus that has an attachment or is signed or
# encrypted as a whole, through listdeliver (stub sendmail) and the real
# listweb.  Asserts for each: listdeliver exits 0 (or 65 for the
# unparseable); the copy parses as MIME with no defect the original did not
# have; no attachment is left in it; every link of its text block answers
# 200 from listweb with the bytes of one of the original's parts (sha256 of
# the decoded part; an attached message comes back as a message); a signed
# or encrypted post's parts are unchanged.  Posts that listdeliver passes
# through unparsed (malformed header lines, logged "pass-through") must
# come out with their body unchanged; they are counted.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv timeout curl sqlite3
rf_tmpdir

CORPUS=$RF_TESTS/data/corpus
[ -x "$RF_BIN/listdeliver" ] && [ -x "$RF_BIN/listweb" ] ||
    { echo "not ok - listdeliver and listweb must be built in $RF_BIN"; exit 1; }
mkdir -p "$TD/bin" "$TD/res" "$TD/state" "$TD/cur"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
cp -r "$CORPUS" "$TD/corpus"
WEBPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
BASE=http://127.0.0.1:$WEBPORT

# which messages: those with an attachment (as a mail reader shows one) or
# signed/encrypted as a whole
"$RF_PYTHON" - "$TD/corpus" > "$TD/files" <<'PY'
import sys, os, email, email.policy
SIG = {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
def attachments(p, top=True, related_resource=False):
    t = p.get_content_type()
    if t in ("multipart/signed", "multipart/encrypted"):
        return 0
    if t == "message/rfc822":
        return 0 if top and p.get_content_disposition() != "attachment" else 1
    if t.startswith("multipart/") and not p.is_multipart():
        return 0   # no boundary: a multipart only in name
    if p.is_multipart():
        parts = p.get_payload()
        rel = t == "multipart/related"
        return sum(attachments(c, False, rel and i > 0) for i, c in enumerate(parts))
    if t in SIG:
        return 0
    if p.get_content_disposition() != "attachment" and (p.get_content_maintype() == "text" or related_resource):
        return 0
    return 1
root = sys.argv[1]
for d, _, fs in sorted(os.walk(root)):
    if "/licences" in d:
        continue
    for f in sorted(fs):
        path = os.path.join(d, f)
        if d == root or f in ("README", "README.md", "LICENSES", "MANIFEST.tsv"):
            continue
        try:
            m = email.message_from_binary_file(open(path, "rb"), policy=email.policy.compat32)
            sealed = m.get_content_type() in ("multipart/signed", "multipart/encrypted")
            n = attachments(m)
        except Exception:
            continue
        if sealed:
            print("sealed\t" + path)
        elif n:
            print("attach\t" + path)
PY
total=$(wc -l < "$TD/files")
echo "# $total messages with attachments or signed/encrypted ($(grep -c '^sealed' "$TD/files") of them sealed)"
[ "$total" -gt 50 ]; ok "corpus has messages with attachments ($total)"

printf '#!/bin/sh\nexec cat > "%s/cur/copy"\n' "$TD" > "$TD/sendmail"
chmod 755 "$TD/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n[web]\nbase_url = %s\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/sendmail" "$BASE" > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ctl create corpus@lists.test > /dev/null && ctl set corpus@lists.test posting open &&
ctl set corpus@lists.test attachments link && ctl set corpus@lists.test max_message_size 0 &&
ctl subscribe corpus@lists.test a@example.test > /dev/null
ok "list with attachments=link and one member"

cat > "$TD/worker.sh" <<'SH'
TD=$1
i=0
passes() { sqlite3 "file:$TD/state/reflector.db?mode=ro" "SELECT count(*) FROM activity WHERE action = 'pass-through'" 2>/dev/null || echo 0; }
# held for the moderators (sent by a program, a command) or dropped (an
# automatic reply): no copy, and that is right
kept() { sqlite3 "file:$TD/state/reflector.db?mode=ro" "SELECT (SELECT count(*) FROM held_posts) + (SELECT count(*) FROM activity WHERE action = 'auto-drop')" 2>/dev/null || echo 0; }
before=$(passes) kept_before=$(kept)
while IFS=$'\t' read -r kind f; do
    i=$((i+1))
    r=$TD/res/$i
    mkdir -p "$r"
    timeout -k 5 30 "$TD/bin/listdeliver" --config "$TD/reflector.conf" \
        -f poster@example.test corpus@lists.test < "$f" > /dev/null 2> "$r/err"
    echo $? > "$r/rc"
    printf '%s\t%s\n' "$kind" "$f" > "$r/file"
    after=$(passes)
    [ "$after" = "$before" ] || touch "$r/pass-through"
    before=$after
    kept_after=$(kept)
    [ "$kept_after" = "$kept_before" ] || touch "$r/held"
    kept_before=$kept_after
    mv "$TD/cur/copy" "$r/copy" 2>/dev/null
done < "$TD/files"
SH
[ "$(id -u)" != 0 ] || chown "$RF_TEST_USER:" "$TD/worker.sh"
start=$(date +%s)
rf_as_user bash "$TD/worker.sh" "$TD"
echo "# listdeliver ran in $(( $(date +%s) - start )) s"

"$RF_BIN/listweb" --foreground --config "$TD/reflector.conf" --listen "127.0.0.1:$WEBPORT" > "$TD/listweb.log" 2>&1 &
WEB_PID=$!
trap 'kill $WEB_PID 2>/dev/null; wait $WEB_PID 2>/dev/null; _rf_cleanup' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "$BASE/" && break; sleep 0.1; done

"$RF_PYTHON" - "$TD/res" "$BASE" > "$TD/report" <<'PY'
import sys, os, re, base64, hashlib, email, email.policy, urllib.request, collections
res, base = sys.argv[1], sys.argv[2]
URL = re.compile(re.escape(base) + r"/a/[A-Za-z0-9_-]{43}/[^\s\"<>]+")
SIG = {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}

def body(raw):
    raw = raw.replace(b"\r\n", b"\n")
    i = raw.find(b"\n\n")
    return raw[i + 2:].rstrip(b"\n") if i >= 0 else b""

def leaves(p, out):
    if p.get_content_type() == "message/rfc822" or not p.is_multipart():
        out.append(p)
    elif isinstance(p.get_payload(), list):
        for c in p.get_payload():
            leaves(c, out)
    return out

def remaining(p, top=True, related_resource=False):
    t = p.get_content_type()
    if t in ("multipart/signed", "multipart/encrypted"):
        return []
    if t == "message/rfc822":
        return [] if top and p.get_content_disposition() != "attachment" else [t]
    if t.startswith("multipart/") and not p.is_multipart():
        return []
    if p.is_multipart():
        rel = t == "multipart/related"
        return [x for i, c in enumerate(p.get_payload()) for x in remaining(c, False, rel and i > 0)]
    if t in SIG or (p.get_content_disposition() != "attachment" and (p.get_content_maintype() == "text" or related_resource)):
        return []
    return [t]

def norm(b):
    return b" ".join(b.split())

def defects(m):
    return collections.Counter(type(d).__name__ for p in m.walk() for d in p.defects)

counts = collections.Counter()
fails = []
links = 0
for n in sorted(os.listdir(res), key=int):
    d = os.path.join(res, n)
    kind, f = open(os.path.join(d, "file")).read().rstrip("\n").split("\t")
    name = os.path.relpath(f, os.path.dirname(os.path.dirname(f)))
    rc = int(open(os.path.join(d, "rc")).read())
    err = open(os.path.join(d, "err"), "rb").read().decode("utf-8", "replace").strip()
    if rc == 65:
        counts["unparseable (65)"] += 1; continue
    if rc != 0:
        fails.append((name, "exit %d: %s" % (rc, err[:200]))); continue
    if os.path.exists(os.path.join(d, "held")) and not os.path.exists(os.path.join(d, "copy")):
        counts["held for the moderators or dropped"] += 1; continue
    orig_raw = open(f, "rb").read()
    if b"\r" in orig_raw[:1000] and b"\n" not in orig_raw[:1000]:
        orig_raw = orig_raw.replace(b"\r", b"\n")   # old Mac mail: listdeliver reads CR as LF
    copy_raw = open(os.path.join(d, "copy"), "rb").read()
    try:
        orig = email.message_from_bytes(orig_raw, policy=email.policy.compat32)
        copy = email.message_from_bytes(copy_raw, policy=email.policy.compat32)
    except Exception as e:
        fails.append((name, "copy does not parse: %s" % e)); continue
    if os.path.exists(os.path.join(d, "pass-through")):
        counts["passed through unparsed"] += 1
        if body(copy_raw) != body(orig_raw):
            fails.append((name, "pass-through changed the body"))
        continue
    if kind == "sealed":
        counts["signed/encrypted"] += 1
        if copy.get_content_type() != orig.get_content_type():
            fails.append((name, "signed/encrypted post changed type")); continue
        ob, cb = orig.get_payload(), copy.get_payload()
        if not isinstance(ob, list) or [p.as_bytes() for p in ob] != [p.as_bytes() for p in cb]:
            fails.append((name, "signed/encrypted post changed"))
        if URL.search(copy_raw.decode("latin-1")):
            fails.append((name, "signed/encrypted post got links"))
        continue
    counts["with attachments"] += 1
    new = defects(copy) - defects(orig)
    if defects(orig)["MissingHeaderBodySeparatorDefect"]:
        # a part with no blank line after its header: GMime reads the rest
        # of the post as that header, so it (and the closing boundary) is
        # not in the copy, with or without this policy; counted, not failed
        counts["part without header/body separator (known GMime loss)"] += 1
        continue
    if new:
        fails.append((name, "new MIME defects in the copy: %s" % dict(new))); continue
    left = remaining(copy)
    if left:
        fails.append((name, "attachments left in the copy: %s" % left)); continue
    # the block is in the text/plain part, or in the HTML one when the post
    # has no plain text
    text = ""
    for p in copy.walk():
        if p.get_content_type() in ("text/plain", "text/html") and not p.is_multipart():
            raw = p.get_payload(decode=True) or b""
            try:
                text += raw.decode(p.get_content_charset() or "latin-1", "replace")
            except LookupError:
                text += raw.decode("latin-1")
    urls = list(dict.fromkeys(URL.findall(text)))
    if not urls:
        fails.append((name, "no link in the copy")); continue
    hashes = set()
    decoded = []
    empty_message = False
    for p in leaves(orig, []):
        if p.get_content_type() != "message/rfc822":
            raw = p.get_payload(decode=True) or b""
            variants = [raw]
            if str(p.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
                # Python leaves "base64 " (a trailing space) undecoded
                b64 = re.sub(rb"[^A-Za-z0-9+/=]", b"", p.get_payload().encode("latin-1", "replace"))
                b64 = b64.split(b"=")[0]
                variants.append(base64.b64decode(b64 + b"=" * (-len(b64) % 4)) if len(b64) % 4 != 1
                                else base64.b64decode(b64[:-1]))
            for v in variants:
                decoded.append(v)
                hashes.add(hashlib.sha256(v).hexdigest())
        elif not norm(p.as_bytes().split(b"\n\n", 1)[-1]):
            empty_message = True
    for u in urls:
        links += 1
        try:
            with urllib.request.urlopen(u, timeout=20) as r:
                got = r.read()
                ctype = r.headers.get("Content-Type", "")
        except Exception as e:
            fails.append((name, "%s: %s" % (u[len(base):][:60], e))); break
        if u.endswith(".eml"):
            inner = email.message_from_bytes(got, policy=email.policy.compat32)
            if not inner.keys() and not inner.get_payload() and not empty_message:
                fails.append((name, "attached message came back empty")); break
        elif ctype.startswith("message/"):
            # message/delivery-status and kin: Python parses them into header
            # blocks, so compare text: the file is in the original, as is
            if norm(got) not in norm(orig_raw):
                fails.append((name, "%s: %s not found in the original" % (u[len(base):][:60], ctype))); break
        elif hashlib.sha256(got).hexdigest() in hashes:
            pass
        elif any(len(d) - len(got) in (1, 2, 3) and d.startswith(got) for d in decoded):
            # base64 cut off in the middle of a quantum: decoders differ on
            # the last 1-3 bytes (Python makes them up, GMime drops them)
            counts["truncated base64 (last quantum differs)"] += 1
        else:
            fails.append((name, "%s: bytes match no part of the original (%d bytes, %s)"
                          % (u[len(base):][:60], len(got), ctype))); break

print("# " + ", ".join("%s: %d" % kv for kv in sorted(counts.items())) + ", links fetched: %d" % links)
for name, why in fails:
    print("# FAIL %s: %s" % (name, why))
print("FAILURES %d" % len(fails))
PY
head -1 "$TD/report"
grep '^# FAIL' "$TD/report" | head -40
check_eq "every message ran" "$total" "$(ls "$TD/res" | wc -l)"
check_eq "each copy valid MIME, no attachment left, every link gives the original bytes, signed/encrypted unchanged" \
    0 "$(sed -n 's/^FAILURES //p' "$TD/report")"
check_eq "no sanitizer report from listweb" "" "$(grep -E 'Sanitizer|runtime error' "$TD/listweb.log" | head -3)"
rf_done
