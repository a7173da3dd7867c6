#!/bin/bash
# t-sendmail-faults.sh - fault 3 of issue 12: the sendmail transport
# against a sendmail that misbehaves, the first time only, for some
# members: it hangs before taking the copy, or hangs after it (the copy
# went out, its outcome never came), exits 75, or dies by a signal after
# the copy.  With [delivery] sendmail_timeout = 2 a hung sendmail is killed
# with what it started, its member is left pending, no new copy is started,
# and listdeliver ends 75 with a line that says so; the MTA's retry sends to
# the members not reached, and to nobody else.  Then a sendmail stuck for
# every copy (a stuck MTA): the run ends after one deadline, not one per
# copy.  What is checked is each member's copies (the stub's files, read
# back) and the exit codes and lines, not counters.
source "${RF_TESTS:?}/lib/common.sh" || exit 1
rf_need setpriv python3 timeout
rf_tmpdir

N=40
PARALLEL=4
[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
[ -x "$RF_BIN/listctl" ] || { echo "not ok - $RF_BIN/listctl is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state" "$TD/seen" "$TD/pids" "$TD/mail"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
seq -f 'm%02g@example.test' 1 "$N" > "$TD/members"
# whatever a stub left running is ended at exit, by its recorded pid
trap 'for p in $(cat "$TD"/pids/* 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done; _rf_cleanup' EXIT

# the stub: FAULT_<member> files say what it does the first time it sees
# that member (hang-before, hang-after, exit75, signal-after); "stuck"
# makes every copy hang, deaf to SIGTERM; each copy is a file of its own
# under mail/<member>/
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
echo "\$rcpt" >> "$TD/started"
fault=
mkdir "$TD/seen/\$rcpt" 2>/dev/null && [ -e "$TD/fault-\$rcpt" ] && fault=\$(cat "$TD/fault-\$rcpt")
[ -e "$TD/stuck" ] && { trap '' TERM; fault=hang-before; }   # deaf to SIGTERM too
hang() {   # a child that hangs, as a real sendmail's would: the group's kill takes it
    sleep 600 &
    echo \$! > "$TD/pids/\$\$"
    wait
    exit 0
}
[ "\$fault" = hang-before ] && hang
[ "\$fault" = exit75 ] && { echo "the queue is full, try later" >&2; exit 75; }
mkdir -p "$TD/mail/\$rcpt"
cat > "$TD/mail/\$rcpt/\$\$.\$(date +%s%N)"
[ "\$fault" = hang-after ] && hang
[ "\$fault" = signal-after ] && kill -SEGV \$\$
exit 0
EOF
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = %s\nsendmail_timeout = 2\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/bin/sendmail" "$PARALLEL" > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"

ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
# post SUBJECT: the post to the list as the MTA would (60 s at most: a run
# that hangs for ever is a failure, not a stuck test); stderr in $TD/err,
# the run's seconds in $SECS
post() {
    local t0 rc
    printf 'From: m01@example.test\nTo: s@lists.test\nSubject: %s\nMessage-ID: <%s@example.test>\n\nbody\nthe last line\n' \
        "$1" "${1// /-}" > "$TD/msg"
    [ "$(id -u)" != 0 ] || chown "$RF_TEST_USER:" "$TD/msg"
    t0=$(date +%s%N)
    rf_as_user timeout -s KILL 60 "$TD/bin/listdeliver" --config "$TD/reflector.conf" s@lists.test < "$TD/msg" 2> "$TD/err"
    rc=$?
    SECS=$(( ($(date +%s%N) - t0) / 1000000000 ))
    return $rc
}
# copies SUBJECT: "member n" for every member, n the files that hold that
# post whole (its Subject and its last line); "cut" lines for any other
copies() {
    "$RF_PYTHON" - "$TD/mail" "$TD/members" "$1" <<'PY'
import os, sys
top, members, subject = sys.argv[1], open(sys.argv[2]).read().split(), sys.argv[3].encode()
for m in members:
    n = 0
    d = os.path.join(top, m)
    for f in os.listdir(d) if os.path.isdir(d) else []:
        lines = open(os.path.join(d, f), "rb").read().split(b"\n")
        if b"Subject: " + subject not in lines:
            continue
        if b"the last line" in lines:
            n += 1
        else:
            print("cut", m, f)
    print(m, n)
PY
}
# alive: the pids of the stubs' hanging children still running (a zombie
# waiting for init to reap it is not running)
alive() {
    local p
    for p in $(cat "$TD"/pids/* 2>/dev/null); do
        [ -r "/proc/$p/stat" ] && [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null)" != Z ] && echo "$p"
    done
}
# survivors: alive, after a second for the signals to land
survivors() {
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -z "$(alive)" ] && break; sleep 0.1; done
    alive
}

ctl create s@lists.test > /dev/null && ctl set s@lists.test posting open > /dev/null &&
    ctl subscribe s@lists.test --file "$TD/members" > /dev/null
ok "a list of $N members, parallel = $PARALLEL, sendmail_timeout = 2"

# --- 1. some members: hung before and after the copy, 75, a signal
echo hang-before > "$TD/fault-m05@example.test"
echo hang-after > "$TD/fault-m11@example.test"
echo exit75 > "$TD/fault-m17@example.test"
echo signal-after > "$TD/fault-m23@example.test"
[ "$(id -u)" != 0 ] || chown "$RF_TEST_USER:" "$TD"/fault-*
post "faults one"
check_eq "hung, 75 and a signal: exit 75" 75 "$?"
check_match "... one line: sendmail did not finish within 2 s, killed, the MTA will retry" \
    "^listdeliver: $TD/bin/sendmail did not finish a copy within 2 s and was killed; no more copies were started: the MTA will retry\$" \
    "$(cat "$TD/err")"
check_eq "... one line only" 1 "$(grep -c '' "$TD/err")"
[ "$SECS" -lt 20 ]; ok "... it ended after the deadline and the kill, not later (${SECS} s)"
check_eq "... the hung sendmails were killed with what they started" "" "$(survivors)"
copies "faults one" > "$TD/c1"
check_eq "... m05 (hung before its copy) and m17 (75) have none yet" "m05@example.test 0 m17@example.test 0" \
    "$(grep -E '^m(05|17)@' "$TD/c1" | tr '\n' ' ' | sed 's/ $//')"
check_eq "... m11 (hung after its copy) and m23 (a signal after it) have one" "m11@example.test 1 m23@example.test 1" \
    "$(grep -E '^m(11|23)@' "$TD/c1" | tr '\n' ' ' | sed 's/ $//')"
check_eq "... nobody has two, no copy cut short" "" "$(awk '$1 == "cut" || $2 > 1' "$TD/c1")"

post "faults one"
check_eq "the MTA's retry: exit 0" "0 " "$? $(cat "$TD/err")"
copies "faults one" > "$TD/c2"
check_eq "... every member has the post" "" "$(awk '$2 == 0' "$TD/c2")"
check_eq "... twice only m11 and m23, whose copies left before their sendmail failed" \
    "m11@example.test 2 m23@example.test 2" "$(awk '$2 > 1' "$TD/c2" | tr '\n' ' ' | sed 's/ $//')"
check_eq "... no copy cut short" "" "$(grep '^cut' "$TD/c2")"
: > "$TD/started"
post "faults one"
check_eq "a third run after success: exit 0, no sendmail started" "0 0" "$? $(grep -c '' "$TD/started")"

# --- 2. no hang: one 75 with a reason, one signal: the others all go out
rm -rf "$TD"/seen/* "$TD"/fault-*
echo exit75 > "$TD/fault-m30@example.test"
echo signal-after > "$TD/fault-m31@example.test"
[ "$(id -u)" != 0 ] || chown "$RF_TEST_USER:" "$TD"/fault-*
post "faults two"
check_eq "a 75 and a signal: exit 75" 75 "$?"
check_match "... the line: 2 members not reached, why, the MTA will retry" \
    "^listdeliver: 2 of $N members not reached yet \(.*sendmail (exited with 75: the queue is full, try later|was killed by signal 11)\); the MTA will retry" \
    "$(cat "$TD/err")"
copies "faults two" > "$TD/c1"
check_eq "... everyone else has it once" "$((N - 1))" "$(awk '$2 == 1' "$TD/c1" | grep -c '')"
post "faults two"
check_eq "the retry: exit 0" "0 " "$? $(cat "$TD/err")"
copies "faults two" > "$TD/c2"
check_eq "... every member has the post; twice only m31 (its copy left before the signal)" \
    "0 m31@example.test 2" "$(awk '$2 == 0' "$TD/c2" | grep -c '') $(awk '$2 > 1' "$TD/c2" | tr '\n' ' ' | sed 's/ $//')"

# --- 3. a stuck MTA: every sendmail hangs and ignores SIGTERM (SIGKILL 5 s
# later)
rm -rf "$TD"/seen/* "$TD"/fault-*
touch "$TD/stuck"; : > "$TD/started"
[ "$(id -u)" != 0 ] || chown "$RF_TEST_USER:" "$TD/stuck"
post "stuck"
check_eq "every sendmail hangs: exit 75" 75 "$?"
check_match "... the line says the copy was killed" 'did not finish a copy within 2 s and was killed' "$(cat "$TD/err")"
check_eq "... only the first $PARALLEL copies were started" "$PARALLEL" "$(grep -c '' "$TD/started")"
[ "$SECS" -ge 7 ] && [ "$SECS" -lt 20 ]
ok "... one deadline and the SIGKILL 5 s later, not one deadline per copy (${SECS} s; $((N / PARALLEL * 2)) s if each waited)"
check_eq "... nothing left running" "" "$(survivors)"
rm "$TD/stuck"
post "stuck"
check_eq "the MTA unstuck, the retry: exit 0" "0 " "$? $(cat "$TD/err")"
copies "stuck" > "$TD/c2"
check_eq "... every member has the post once" "$N" "$(awk '$2 == 1' "$TD/c2" | grep -c '')"
check_eq "... no copy cut short" "" "$(grep '^cut' "$TD/c2")"
rf_done
