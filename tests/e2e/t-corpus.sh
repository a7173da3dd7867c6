#!/bin/bash
# t-corpus.sh - listdeliver on every message of tests/data/corpus (1,518 real
# messages from ten mail projects' test suites, see its README and LICENSES):
# a list with posting=open and 3 members, a stub sendmail that saves each copy.
# Asserts: no crash (no signal, no sanitizer report), no hang (20 s each),
# every exit code one listdeliver may give for a post from a stranger (0
# delivered, or held for the moderators (too big, sent by a program, a
# command) or dropped (an automatic reply), 65 unparseable, 77 refused),
# and for 0 when it was delivered: one copy per member, each parseable,
# each holding the original's text.  Refusals are held to
# tests/data/corpus-refused.tsv (issue 12), the table of the messages
# expected to be refused, with the exit code and the reason listdeliver
# must give: any other refusal fails, and so does a message of the table
# that is delivered or refused for another reason (a listdeliver that
# refused everything passed before).
# RF_CORPUS_JOBS (default 2) workers; RF_CORPUS_FILTER limits to paths matching
# a regex (debugging); RF_CORPUS_TABLE_OUT=FILE writes the refusals of the
# run as a table (to review, then to replace tests/data/corpus-refused.tsv).
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv timeout sqlite3
rf_tmpdir

CORPUS=$RF_TESTS/data/corpus
JOBS=${RF_CORPUS_JOBS:-2}
[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
[ -x "$RF_BIN/listctl" ] || { echo "not ok - $RF_BIN/listctl is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/res"
# copies: the run user may not be able to reach the build tree
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"

# a copy: the workers run as the test user, who may not reach the tree
cp -r "$CORPUS" "$TD/corpus"
find "$TD/corpus" -mindepth 2 -type f ! -name README ! -path '*/licences/*' | sort |
    grep -E -- "${RF_CORPUS_FILTER:-.}" > "$TD/files"
total=$(wc -l < "$TD/files")
echo "# $total messages, $JOBS workers"
[ "$total" -gt 1000 ] || [ -n "${RF_CORPUS_FILTER:-}" ]; ok "corpus present ($total messages)"

# one state dir, list and stub per worker: copies land in W/cur, and the
# runner moves them next to the result of the message
for w in $(seq 1 "$JOBS"); do
    W=$TD/w$w
    mkdir -p "$W/state" "$W/cur"
    cat > "$W/sendmail" <<EOF
#!/bin/sh
# stub sendmail: argv is [-oi -f VERP -- member]; save the copy per member
for a; do rcpt=\$a; done
printf '%s\n' "\$*" > "$W/cur/\$rcpt.argv"
exec cat > "$W/cur/\$rcpt"
EOF
    chmod 755 "$W/sendmail"
    printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = 3\n[dmarc]\nresolver = none\n' \
        "$W/state" "$W/sendmail" > "$W/reflector.conf"
    [ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$W"
    rf_as_user "$TD/bin/listctl" --config "$W/reflector.conf" create corpus@lists.test > /dev/null &&
    rf_as_user "$TD/bin/listctl" --config "$W/reflector.conf" set corpus@lists.test posting open &&
    rf_as_user "$TD/bin/listctl" --config "$W/reflector.conf" subscribe corpus@lists.test \
        a@example.test b@example.test c@other.test > /dev/null
    ok "worker $w: list with posting=open and 3 members"
done

# each worker runs as the test user (listdeliver refuses root) over every
# JOBS-th message, 20 s at most each; the copies move next to the result
cat > "$TD/worker.sh" <<'EOF'
w=$1 JOBS=$2 TD=$3
W=$TD/w$w
i=0
while IFS= read -r f; do
    i=$((i+1))
    [ $(( (i - 1) % JOBS + 1 )) = "$w" ] || continue
    r=$TD/res/$i
    mkdir -p "$r"
    timeout -k 5 20 "$TD/bin/listdeliver" --config "$W/reflector.conf" \
        -f poster@example.test corpus@lists.test < "$f" > "$r/out" 2> "$r/err"
    echo $? > "$r/rc"
    # held posts and dropped ones so far: a 0 without copies must be one
    sqlite3 "$W/state/reflector.db" "SELECT (SELECT count(*) FROM held_posts) +
        (SELECT count(*) FROM activity WHERE action = 'auto-drop')" > "$r/kept" 2>&1
    printf '%s\n' "$f" > "$r/file"
    mv "$W"/cur/* "$r/" 2>/dev/null
done < "$TD/files"
EOF
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD/res" "$TD/worker.sh"
start=$(date +%s)
for w in $(seq 1 "$JOBS"); do rf_as_user bash "$TD/worker.sh" "$w" "$JOBS" "$TD" & done
wait
echo "# ran in $(( $(date +%s) - start )) s"

python3 - "$TD/res" "$total" "$JOBS" "$TD/corpus" "$RF_TESTS/data/corpus-refused.tsv" \
        "${RF_CORPUS_TABLE_OUT:-}" > "$TD/report" <<'EOF'
import sys, os, re, email, email.policy, collections
res, total, JOBS, root, table_path, table_out = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                                                 sys.argv[4], sys.argv[5], sys.argv[6])
# path <TAB> exit code <TAB> the reason: a piece of listdeliver's line
expected = {}
for line in open(table_path, encoding='utf-8'):
    if not line.strip() or line.startswith('#'):
        continue
    path, code, reason = line.rstrip('\n').split('\t')
    expected[path] = (int(code), reason)
refused = []
members = ['a@example.test', 'b@example.test', 'c@other.test']
SAN = re.compile(rb'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:')

def texts(msg):
    out = []
    for p in msg.walk():
        if p.get_content_type() != 'text/plain' or p.is_multipart():
            continue
        if p.get_content_disposition() == 'attachment':
            continue
        raw = p.get_payload(decode=True) or b''
        cs = p.get_content_charset() or 'us-ascii'
        try:
            t = raw.decode(cs, 'replace')
        except LookupError:
            t = raw.decode('latin-1')
        # listdeliver makes each NUL byte a space (issue 11, finding 2)
        out.append(' '.join(t.replace('\0', ' ').split()))
    return out

counts = collections.Counter()
fails = []
kept_before = {}
for n in sorted(os.listdir(res), key=int):
    d = os.path.join(res, n)
    # per worker, in order: the count of held and dropped posts after each
    kept_before[n] = open(os.path.join(d, 'kept')).read().strip()
held = 0
last_kept = {}
for n in sorted(os.listdir(res), key=int):
    d = os.path.join(res, n)
    rc = int(open(os.path.join(d, 'rc')).read())
    f = open(os.path.join(d, 'file')).read().strip()
    name = os.path.relpath(f, root)
    err = open(os.path.join(d, 'err'), 'rb').read()
    counts[rc] += 1
    if SAN.search(err):
        fails.append((name, rc, 'sanitizer report: ' + err.decode('utf-8', 'replace')[:300]))
        continue
    if rc in (124, 137):
        fails.append((name, rc, 'hang: killed after 20 s')); continue
    if rc > 128:
        fails.append((name, rc, 'crash: signal %d' % (rc - 128))); continue
    if rc not in (0, 65, 77):
        fails.append((name, rc, 'unexpected exit: ' + err.decode('utf-8', 'replace').strip()[:200])); continue
    if rc != 0:
        line = err.decode('utf-8', 'replace').strip()
        if not line.startswith('listdeliver: ') or '\n' in line:
            fails.append((name, rc, 'exit %d without one "listdeliver: " line: %r' % (rc, line[:200])))
            continue
        refused.append((name, rc, line[len('listdeliver: '):]))
        if name not in expected:
            fails.append((name, rc, 'refused, and not in corpus-refused.tsv: %r' % line[:200]))
        elif expected[name][0] != rc or expected[name][1] not in line:
            fails.append((name, rc, 'refused for another reason than corpus-refused.tsv says '
                          '(%d, %r): %r' % (expected[name][0], expected[name][1], line[:200])))
        continue
    if name in expected:
        fails.append((name, rc, 'delivered, but corpus-refused.tsv expects a refusal (%d, %r)'
                      % expected[name]))
        continue
    got = sorted(x for x in os.listdir(d) if '@' in x and not x.endswith('.argv'))
    worker = (int(n) - 1) % JOBS
    kept = int(kept_before[n]) if kept_before[n].isdigit() else -1
    before = last_kept.get(worker, 0)
    last_kept[worker] = kept
    if not got and kept == before + 1:
        held += 1
        continue
    if got != sorted(members):
        fails.append((name, rc, 'copies for %s, want one for each of %s' % (got, members))); continue
    with open(f, 'rb') as fh:
        orig = email.message_from_binary_file(fh, policy=email.policy.compat32)
    otexts = [t for t in texts(orig) if t]
    for m in members:
        with open(os.path.join(d, m), 'rb') as fh:
            data = fh.read()
        try:
            copy = email.message_from_bytes(data, policy=email.policy.compat32)
        except Exception as e:
            fails.append((name, rc, '%s: copy not parseable: %s' % (m, e))); break
        if not copy.keys():
            fails.append((name, rc, '%s: copy has no header' % m)); break
        ctext = ' '.join(texts(copy))
        missing = [t for t in otexts if t[:2000] not in ctext]
        if missing:
            fails.append((name, rc, '%s: original text part missing from the copy: %r' % (m, missing[0][:120]))); break

if table_out:
    with open(table_out, 'w', encoding='utf-8') as out:
        for name, rc, why in sorted(refused):
            out.write('%s\t%d\t%s\n' % (name, rc, why))
print('# exit codes: ' + ', '.join('%d: %d' % kv for kv in sorted(counts.items())) +
      '; of the 0s, %d held for the moderators or dropped' % held)
print('# refused %d, as corpus-refused.tsv expects: %d of its %d rows'
      % (len(refused), sum(1 for n, rc, w in refused if n in expected and expected[n][0] == rc
                           and expected[n][1] in w), len(expected)))
print('# checked %d of %d messages' % (sum(counts.values()), total))
for name, rc, why in fails:
    print('# FAIL %s (exit %d): %s' % (name, rc, why))
print('FAILURES %d' % len(fails))
EOF
sed -n '/^# exit codes/,/^# checked/p' "$TD/report"
grep '^# FAIL' "$TD/report" | head -40
nfail=$(sed -n 's/^FAILURES //p' "$TD/report")
check_eq "every message ran" "$total" "$(ls "$TD/res" | wc -l)"
check_eq "no crash, no hang, no sanitizer report, only exit 0/65/77, one good copy per member for 0, refusals as the table says" \
    0 "${nfail:-missing}"
rf_done
