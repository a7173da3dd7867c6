#!/bin/bash
# t-disk-full.sh - fault 2 of issue 12: the disk of the state directory
# fills in the middle of a fan-out.  The state directory is a small tmpfs of
# its own (in a private mount namespace: nothing of the machine is
# touched), and the stub sendmail fills it when FILL_AT copies have gone
# out, as the MTA's queue on the same disk would.  Then:
#  - the run ends 75 with one line that says the disk is full;
#  - every member who got a copy has a row that says "sent" or "in
#    flight": no copy left before its mark was on disk;
#  - each MTA retry while the disk is still full ends 75 and sends nothing;
#  - once space is back, the retry ends 0 and every member has the post,
#    nobody more than two copies, and those with two are at most the window
#    listdeliver(8) states (parallel + 256).
# The copies are the stub's files, one per copy, read back: not counters.
# Both transports: sendmail (the stub), and smtp (tests/lib/fault-relay.py
# keeps every copy it accepted).
source "${RF_TESTS:?}/lib/common.sh" || exit 1
[ "$(id -u)" = 0 ] || { echo "not ok - t-disk-full needs root (a tmpfs of its own for the state directory)"; exit 1; }
rf_need unshare mount umount setpriv python3
if [ "${RF_PRIVATE_MOUNTS:-}" != self ]; then
    # (a marker, as tests/mta/mta-postfix.sh: the tmpfs is mounted in a
    # mount namespace of this test's own, and goes away with it)
    exec unshare -m --propagation private env RF_PRIVATE_MOUNTS=self bash "$0" "$@"
fi
rf_tmpdir

N=2000
PARALLEL=8
WINDOW=$((PARALLEL + 256))   # listdeliver(8), RETRIES
FILL_AT=500
[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
[ -x "$RF_BIN/listctl" ] || { echo "not ok - $RF_BIN/listctl is not built"; exit 1; }
mkdir -p "$TD/bin"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$RF_TESTS/lib/fault-relay.py" "$TD/bin/"
seq -f 'm%04g@example.test' 1 "$N" > "$TD/members"
relay=
trap '[ -z "$relay" ] || kill "$relay" 2>/dev/null; umount "$TD"/state-* 2>/dev/null; _rf_cleanup' EXIT

# the stub: each copy is a file of its own under mail/<member>/, written
# before it exits 0; the FILL_AT-th copy fills the state directory's disk
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
mkdir -p "$TD/mail/\$rcpt"
cat > "$TD/mail/\$rcpt/\$\$.\$(date +%s%N)"
sleep 0.01
echo "\$rcpt" >> "$TD/log"
if [ ! -e "$TD/fill" ] && [ -e "$TD/fill-at" ] && [ "\$(grep -c '' "$TD/log")" -ge \$(cat "$TD/fill-at") ] &&
   mkdir "$TD/fill" 2>/dev/null; then
    dd if=/dev/zero of="\$(cat "$TD/fill-at.dir")/filler" bs=64k 2>/dev/null
    echo "\$(grep -c '' "$TD/log")" > "$TD/fill/at"
fi
exit 0
EOF
chmod 755 "$TD/bin/sendmail"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"

ctl() { rf_as_user "$TD/bin/listctl" --config "$CONF" "$@"; }
deliver() {   # deliver: the post to the list as the MTA would; stderr in $TD/err
    rf_as_user "$TD/bin/listdeliver" --config "$CONF" full@lists.test < "$TD/msg" 2> "$TD/err"
}
# copies: one line per member who has a file: "member copies others", the
# copies being the files that hold the post whole (its Subject and its
# last line), the others any other file (a copy cut short)
copies() {
    "$RF_PYTHON" - "$TD/mail" <<'PY'
import os, sys
top = sys.argv[1]
for member in sorted(os.listdir(top)) if os.path.isdir(top) else []:
    n = bad = 0
    for f in os.listdir(os.path.join(top, member)):
        with open(os.path.join(top, member, f), "rb") as fh:
            lines = fh.read().split(b"\n")
        if b"Subject: the disk fills" in lines and b"the last line" in lines:
            n += 1
        else:
            bad += 1
    print(member, n, bad)
PY
}
# rows: "member state" of the delivery's rows (0 pending, 1 sent, 3 in flight)
rows() {
    rf_as_user "$RF_PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for r in db.execute("SELECT address, state FROM delivery_recipients"):
    print("%s %d" % r)' "$STATE/reflector.db" | sort
}

# scenario sendmail|smtp: the whole story on a fresh tmpfs
scenario() {
    local name=$1 transport="transport = sendmail" n1 t1 n2 dups port
    STATE=$TD/state-$name
    mkdir -p "$STATE"
    mount -t tmpfs -o size=8m,mode=0750 tmpfs "$STATE" || { echo "not ok - cannot mount a tmpfs on $STATE"; exit 1; }
    chown "$RF_TEST_USER:" "$STATE"
    rm -rf "$TD/mail" "$TD/fill" "$TD/fill-at"
    : > "$TD/log"
    [ "$(id -u)" != 0 ] || chown "$RF_TEST_USER:" "$TD/log"
    if [ "$name" = smtp ]; then
        # the relay keeps each copy it accepted in mail/<member>/, and fills
        # the disk with the FILL_AT-th
        port=$(_rf_free_port)
        "${RF_AS_USER[@]}" "$RF_PYTHON" "$TD/bin/fault-relay.py" "$port" "$TD/log" --keep "$TD/mail" \
            --fill-after "$FILL_AT" --fill-file "$STATE/filler" &
        relay=$!
        for _ in $(seq 1 100); do
            python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
            sleep 0.05
        done
        transport=$(printf 'transport = smtp\nrelays = 127.0.0.1:%s' "$port")
    fi
    printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = %s\n%s\n[dmarc]\nresolver = none\n' \
        "$STATE" "$TD/bin/sendmail" "$PARALLEL" "$transport" > "$TD/reflector.conf"
    CONF=$TD/reflector.conf
    printf 'From: m0001@example.test\nTo: full@lists.test\nSubject: the disk fills\nMessage-ID: <full-%s@example.test>\n\nbody\nthe last line\n' \
        "$name" > "$TD/msg"
    [ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD/log" "$TD/msg" "$TD/reflector.conf"
    ctl create full@lists.test > /dev/null && ctl subscribe full@lists.test --file "$TD/members" > /dev/null
    ok "$name: a list of $N members on a tmpfs of 8 MB"
    echo "$FILL_AT" > "$TD/fill-at"; echo "$STATE" > "$TD/fill-at.dir"

    deliver
    check_eq "$name: the disk fills mid-fan-out: exit 75" 75 "$?"
    echo "# $(cat "$TD/err")"
    check_match "$name: ... one line that says which disk is full and that nothing more is sent" \
        "^listdeliver: the disk of the state directory $STATE is full .*: the progress of the delivery cannot be written, so nothing more is sent; the MTA will retry\$" \
        "$(cat "$TD/err")"
    check_eq "$name: ... one line" 1 "$(grep -c '' "$TD/err")"
    [ "$name" = smtp ] || { [ -e "$TD/fill/at" ]; ok "$name: ... the disk was filled at copy $(cat "$TD/fill/at" 2>/dev/null)"; }
    [ -s "$STATE/filler" ]; ok "$name: ... the disk was filled ($(du -k "$STATE/filler" | cut -f1) kB)"
    n1=$(copies | awk '$2 > 0' | grep -c '')
    t1=$(copies | awk '{ s += $2 } END { print s + 0 }')
    echo "# $name: $n1 of $N members reached before the fault stopped the run"
    [ "$n1" -ge "$FILL_AT" ] && [ "$n1" -lt "$N" ]; ok "$name: ... stopped in the middle ($n1 of $N reached)"
    check_eq "$name: ... every member reached is recorded as sent or in flight, none as pending" "" \
        "$(copies | awk '$2 > 0 { print $1 }' | join - <(rows) | awk '$2 != 1 && $2 != 3')"

    for retry in 1 2; do
        deliver
        check_eq "$name: retry $retry while the disk is full: exit 75" 75 "$?"
        echo "# $(cat "$TD/err")"
        check_match "$name: ... the line says so" "^listdeliver: the disk of the state directory $STATE is full" "$(cat "$TD/err")"
        check_eq "$name: ... and nothing was sent" "$t1" "$(copies | awk '{ s += $2 } END { print s + 0 }')"
    done

    rm -f "$STATE/filler"
    deliver
    check_eq "$name: space is back: the retry ends 0" "0 " "$? $(cat "$TD/err")"
    n2=$(copies | awk '$2 > 0' | grep -c '')
    check_eq "$name: ... every member has the post" "$N" "$n2"
    check_eq "$name: ... only members" "" "$(copies | awk '{ print $1 }' | comm -13 "$TD/members" -)"
    dups=$(copies | awk '$2 == 2' | grep -c '')
    echo "# $name: $dups members got two copies"
    [ "$dups" -le "$WINDOW" ]; ok "$name: ... at most $WINDOW members with two copies: $dups"
    check_eq "$name: ... nobody more than two" "" "$(copies | awk '$2 > 2')"
    check_eq "$name: ... and no copy cut short" "" "$(copies | awk '$3 > 0')"
    check_eq "$name: ... the spool is empty" "" "$(ls "$STATE/spool")"
    [ -z "$relay" ] || { kill "$relay"; wait "$relay" 2>/dev/null; relay=; }
    umount "$STATE"
}

scenario sendmail
scenario smtp

rf_done
