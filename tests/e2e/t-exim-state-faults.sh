#!/bin/bash
# t-exim-state-faults.sh - real faults of the state directory under a real
# Exim (issue 12): the state directory on its own tmpfs remounted
# read-only; the state directory chowned to root (permission denied); the
# database truncated, emptied (zero length) and overwritten with garbage.
# For each, a post through Exim: listdeliver answers 75 with one line that
# names the file and the problem, Exim keeps the post and retries, a
# damaged database is left as it was (nothing builds an empty schema in its
# place), and once the sysadmin's fix-up is done (remount, chown, restore
# the backup) the retry brings every member the post exactly once.
# ctest-labels: mta
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
[ "$(id -u)" = 0 ] || { echo "not ok - t-exim-state-faults needs root (a tmpfs to remount read-only)"; exit 1; }
rf_need mount umount
rf_tmpdir
# the state directory is a file system of its own, so that it can be made
# read-only for real (EROFS), not by a mode
mkdir -p "$TD/state"
mount -t tmpfs -o size=64m,mode=0755 tmpfs "$TD/state" ||
    { echo "not ok - cannot mount a tmpfs on $TD/state"; exit 1; }
exim_up
trap 'exim_down; umount "$STATE" 2>/dev/null; _rf_cleanup' EXIT
DB=$STATE/reflector.db
MEMBERS="ann@example.test bob@example.test cy@example.test"

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl set dev@lists.test posting open > /dev/null &&
rf_listctl subscribe dev@lists.test $MEMBERS > /dev/null
ok "list dev, three members"
# shellcheck disable=SC2086
add_mailbox $MEMBERS poster@other.test

# copies SUBJECT: how many copies of the post with SUBJECT each member has
copies() {
    local m n out=
    for m in $MEMBERS; do
        n=0
        for f in $(maildir_files "$m"); do
            grep -q "^Subject: $1\$" "$f" && n=$((n + 1))
        done
        out="$out$n "
    done
    echo "${out% }"
}
# send SUBJECT: posts it over SMTP; sets ID, Exim's id of the message
# (from its "<=" line in the main log, which names the subject)
send() {
    mkmsg "$T/msg" poster@other.test dev@lists.test "$1" "The body of $1."
    post poster@other.test dev@lists.test "$T/msg" || return 1
    ID=$(grep -F "<= poster@other.test " "$T/log/mainlog" | grep -F "T=\"$1\"" | awk '{ print $3 }' | tail -1)
    [ -n "$ID" ]
}
# deferred_75: waits (30 s at most) until Exim has deferred $ID with
# listdeliver's exit 75; prints the defer lines
deferred_75() {
    for _ in $(seq 1 300); do
        if grep -q "$ID == dev@lists.test .*returned 75" "$T/log/mainlog" 2>/dev/null; then
            grep "$ID" "$T/log/mainlog"
            return 0
        fi
        sleep 0.1
    done
    return 1
}
# delivered: waits (60 s at most) until Exim completed $ID
delivered() {
    for _ in $(seq 1 600); do
        grep -q "$ID Completed" "$T/log/mainlog" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# the good database of this moment, as a backup is made (WAL checkpointed)
backup() {
    as_run_user "$RF_PYTHON" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$DB" &&
    cp -p "$DB" "$T/good.db"
}
# restore: the sysadmin puts the backup back (same owner and mode)
restore() { rm -f "$DB-wal" "$DB-shm"; cat "$T/good.db" > "$DB"; }

# fault NAME REGEX: the post $ID was deferred with 75 and listdeliver's line
# matching REGEX
fault() {
    local log
    log=$(deferred_75)
    check_eq "$1: Exim deferred the post on listdeliver's 75" 0 "$?"
    check_match "$1: the defer carries listdeliver's line" "$2" "$log"
    check_eq "$1: nobody got it yet" "0 0 0" "$(copies "$SUBJ")"
}
# fixed NAME: after the fix-up, the retry delivers: everyone once (the
# members' copies are messages of their own in Exim's queue: counted once
# the queue is empty)
fixed() {
    delivered
    check_eq "$1: after the fix-up, Exim's retry delivered it" 0 "$?"
    exim_wait_idle 60 > /dev/null
    check_eq "$1: every member has it exactly once" "1 1 1" "$(copies "$SUBJ")"
    check_eq "$1: the poster got no bounce" 0 "$(maildir_count poster@other.test)"
}

# 0. all well
SUBJ="Before any fault"
send "$SUBJ"; ok "SMTP accepted the first post"
delivered && exim_wait_idle 60 > /dev/null
check_eq "the first post went out" "1 1 1" "$(copies "$SUBJ")"

# 1. the state directory's file system read-only
mount -o remount,ro "$STATE"
SUBJ="State read-only"
send "$SUBJ"; ok "read-only: SMTP accepted the post"
fault "read-only" "listdeliver: cannot (create|write|open the lock) .*$STATE/spool.*Read-only file system"
mount -o remount,rw "$STATE"
fixed "read-only"

# 2. permission denied: a sysadmin's chown -R root of the state directory
# (the routing map stays readable, so that Exim still routes the list)
chown -R root:root "$STATE"
chmod 755 "$STATE" "$STATE/mta" "$STATE"/mta/*
SUBJ="State not ours"
send "$SUBJ"; ok "permission denied: SMTP accepted the post"
fault "permission denied" "listdeliver: cannot .*$STATE/spool.*Permission denied"
chown -R "$RUN_USER:$RUN_GROUP" "$STATE"
chmod 750 "$STATE/mta" "$STATE"/mta/*
fixed "permission denied"

# 3. the database truncated to half its size
backup; ok "a backup of the database"
head -c $(( $(stat -c %s "$T/good.db") / 2 )) "$T/good.db" > "$T/half.db"
rm -f "$DB-wal" "$DB-shm"; cat "$T/half.db" > "$DB"
SUBJ="Database truncated"
send "$SUBJ"; ok "truncated: SMTP accepted the post"
fault "truncated" "listdeliver: $DB: the database is damaged \(database disk image is malformed\)"
check "truncated: the file is left as it was" cmp -s "$DB" "$T/half.db"
restore
fixed "truncated"

# 4. the database of zero length (issue 12, fault 1)
backup
rm -f "$DB-wal" "$DB-shm"; : > "$DB"
SUBJ="Database empty"
send "$SUBJ"; ok "zero length: SMTP accepted the post"
fault "zero length" "listdeliver: $DB: empty file \(0 bytes\), not a reflector database"
check_eq "zero length: no schema was built in its place" 0 "$(stat -c %s "$DB")"
restore
fixed "zero length"

# 5. garbage where the database was
backup
head -c "$(stat -c %s "$T/good.db")" /dev/urandom > "$T/garbage.db"
rm -f "$DB-wal" "$DB-shm"; cat "$T/garbage.db" > "$DB"
SUBJ="Database garbage"
send "$SUBJ"; ok "garbage: SMTP accepted the post"
fault "garbage" "listdeliver: $DB: not an SQLite database"
check "garbage: the file is left as it was" cmp -s "$DB" "$T/garbage.db"
restore
fixed "garbage"

exim_check_clean
rf_done
