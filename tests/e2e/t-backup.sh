#!/bin/bash
# t-backup.sh - listctl backup, backups and restore end to end (issue 15):
#   - a backup taken while 5 listdeliver runs fan posts out and two listctl
#     writers subscribe and unsubscribe: the file holds no address in
#     clear; restored on a server without a database ('restore --from
#     FILE --yes') it passes PRAGMA integrity_check, holds every member
#     subscribed when the snapshot began, and its journal agrees with its
#     members (a restore --at now changes nothing);
#   - restore LIST --from NAME and --at show what changes and act only
#     with --yes; a deleted list comes back; the restore is journalled and
#     undone by another;
#   - --to s3 through the real S3-compatible server (s3rver, behind the
#     SigV4 check of tests/lib/attachments.sh), read back as s3:NAME on a
#     server that has only the name and the key; cleanup rotates it away;
#   - a file that is not sealed with the key, and a missing key, are
#     refused with a line that says so.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"   # _rf_free_port
source "$RF_TESTS/lib/attachments.sh" # s3_up, s3_down
rf_need python3 setpriv sqlite3 curl
rf_tmpdir
T=$TD
trap 's3_down; _rf_cleanup' EXIT
RUN_USER=$RF_TEST_USER
[ "$(id -u)" = 0 ] || RUN_USER=$(id -un)
RUN_GROUP=$(id -gn "$RUN_USER")

mkdir -p "$TD/bin" "$TD/state" "$TD/log" "$TD/out"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
# a sendmail that takes each copy and a little time, as a real one does
printf '#!/bin/sh\ncat > /dev/null\n' > "$TD/bin/sendmail"
chmod 755 "$TD/bin/sendmail"
conf() {   # conf FILE STATE_DIR [extra lines]
    printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = 4\n[dmarc]\nresolver = none\n%s' \
        "$2" "$TD/bin/sendmail" "${3:-}" > "$1"
}
conf "$TD/reflector.conf" "$TD/state"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ctl2() { rf_as_user "$TD/bin/listctl" --config "$TD/restored.conf" "$@"; }

# --- a list of 300, then the load --------------------------------------------
ctl create dev@lists.test > /dev/null && ctl set dev@lists.test posting open
for i in $(seq -w 1 300); do echo "Member$i@Example.test"; done > "$TD/initial"
ctl subscribe dev@lists.test - < "$TD/initial" > /dev/null
ok "dev@lists.test with 300 members"

# five deliveries at once, again and again: each post fans out to 300
deliverer() {   # deliverer N
    local k=0
    while [ ! -e "$TD/stop" ]; do
        k=$((k + 1))
        printf 'From: poster@other.test\nTo: dev@lists.test\nSubject: load %s.%s\nMessage-ID: <load.%s.%s@other.test>\n\nbody\n' \
            "$1" "$k" "$1" "$k" |
            rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" dev@lists.test \
                >> "$TD/log/deliver.$1" 2>&1
        echo "exit $?" >> "$TD/log/deliver.$1"
    done
}
# two listctl writers: new addresses in and out, never the first 300
writer() {   # writer N
    local k=0
    while [ ! -e "$TD/stop" ]; do
        k=$((k + 1))
        echo "w$1.$k@writers.test" >> "$TD/out/ever.$1"
        rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" subscribe dev@lists.test "w$1.$k@writers.test" \
            > /dev/null 2>> "$TD/log/writer.$1" || echo "subscribe failed $k" >> "$TD/log/writer.$1"
        if [ $((k % 3)) = 0 ]; then
            echo "w$1.$((k - 1))@writers.test" >> "$TD/out/gone.$1"
            rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" unsubscribe dev@lists.test "w$1.$((k - 1))@writers.test" \
                > /dev/null 2>> "$TD/log/writer.$1" || echo "unsubscribe failed $k" >> "$TD/log/writer.$1"
        fi
    done
}
pids=()
for n in 1 2 3 4 5; do deliverer $n & pids+=($!); done
for n in 1 2; do writer $n & pids+=($!); done
sleep 2
ctl members dev@lists.test | sort > "$TD/before"
ctl backup > "$TD/backup.out" 2>&1
check_eq "listctl backup while 5 deliveries and 2 writers run: exit 0" 0 "$?"
sleep 1
touch "$TD/stop"
for p in "${pids[@]}"; do wait "$p"; done
check_eq "the deliveries went on: none deferred or refused" "" \
    "$(cat "$TD"/log/deliver.* | grep -v '^exit 0$' | head -3)"
check_eq "the writers went on: none failed" "" "$(cat "$TD"/log/writer.* | head -3)"
check_match "backup names itself, weekly (the week's first), and its file" \
    '^backup [0-9]{8}T[0-9]{6}Z \(weekly, [0-9]+ bytes\) written to /' "$(cat "$TD/backup.out")"
NAME=$(sed -n 's/^backup \([^ ]*\) .*/\1/p' "$TD/backup.out")
FILE=$(sed -n 's/.* written to //p' "$TD/backup.out")
check "the backup file is there" test -s "$FILE"
check_eq "the backup file is 0600" 600 "$(stat -c %a "$FILE")"
check_match "listctl backups lists it" "^$NAME .* weekly .*$FILE\$" "$(ctl backups)"
check_eq "no address in clear in the backup file (initial members)" 0 \
    "$(grep -a -c -i -e 'example\.test' -e 'member[0-9]' "$FILE")"
check_eq "no address in clear in the backup file (writers)" 0 "$(grep -a -c -i 'writers\.test' "$FILE")"
check_eq "no list address in clear in the backup file" 0 "$(grep -a -c 'lists\.test' "$FILE")"
check_eq "no temporary copy left in the state directory" "" "$(ls "$TD/state" | grep backup-tmp)"

# --- restored on a server without a database ----------------------------------
mkdir -p "$TD/state2"
# the keys go where this build keeps them (beside site.key); a sysadmin
# restores them first, from the copy kept apart
for k in "$TD"/state/*.key; do cp -p "$k" "$TD/state2/"; done
conf "$TD/restored.conf" "$TD/state2"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD/state2" "$TD/restored.conf"
out=$(ctl2 restore --from "$FILE" 2>&1); rc=$?
check_eq "restore --from FILE without a database, without --yes: exit 0" 0 "$rc"
check_match "... it says what it would do, and does nothing" 'dry run: nothing changed' "$out"
check "... no database made" test ! -e "$TD/state2/reflector.db"
out=$(ctl2 restore --from "$FILE" --yes 2>&1)
check_eq "restore --from FILE --yes: the whole snapshot in place" \
    "restored the whole database from $FILE: 1 list" "$out"
check_eq "PRAGMA integrity_check of the restored database" ok \
    "$(rf_as_user sqlite3 "$TD/state2/reflector.db" 'PRAGMA integrity_check')"
ctl2 members dev@lists.test | sort > "$TD/after"
# (the writers' own addresses may leave between the listing and the start)
cat "$TD"/out/gone.* | sort > "$TD/gone"
check_eq "every member subscribed when the snapshot began is in it" "" \
    "$(comm -23 "$TD/before" "$TD/after" | comm -23 - "$TD/gone" | head -3)"
check_eq "all 300 first members are in it" 300 "$(grep -ci 'example\.test' "$TD/after")"
# (the domain as normalisation writes it)
cat "$TD"/out/ever.* "$TD/initial" | sed 's/@Example\.test$/@example.test/' | sort > "$TD/ever"
check_eq "every member in it was subscribed at some time" "" \
    "$(comm -23 "$TD/after" "$TD/ever" | head -3)"
check_match "its journal agrees with its members: a restore --at now changes nothing" \
    'nothing to change' "$(ctl2 restore dev@lists.test --at "$(date -u '+%Y-%m-%d %H:%M:%S')")"
check_eq "the snapshot holds no message, delivery or activity" "0|0|0|0" \
    "$(rf_as_user sqlite3 "$TD/state2/reflector.db" 'SELECT (SELECT count(*) FROM deliveries), (SELECT count(*) FROM delivery_recipients), (SELECT count(*) FROM kept_messages), (SELECT count(*) FROM activity WHERE action <> '"'restore'"')')"
check_match "the MTA routing map is back" . "$(ls "$TD/state2/mta/lists.test/" 2>/dev/null)"
out=$(ctl2 restore --from "$FILE" --yes 2>&1); rc=$?
check_eq "a whole snapshot never goes over a database: a list restore says nothing to change" 0 "$rc"
check_match "... it restores lists instead" 'nothing to change' "$out"

# --- restore LIST --from NAME and --at, on the server that has the backups ---------
ctl unsubscribe dev@lists.test Member001@Example.test Member002@example.test > /dev/null
ctl set dev@lists.test subject_prefix '[dev]'
out=$(ctl restore dev@lists.test --from "$NAME")
check_match "restore --from NAME shows the members it adds back" '\+ Member001@example\.test' "$out"
check_match "... and the setting it changes back" 'set subject_prefix: \[dev\] -> $' "$out"
check_match "... and acts only with --yes" 'dry run: nothing changed' "$out"
check_eq "... Member001 is still out" "" "$(ctl members dev@lists.test | grep -i member001)"
out=$(ctl restore dev@lists.test --from "$NAME" --yes)
check_match "restore --from NAME --yes" '^restored dev@lists.test as of snapshot .*: [0-9]+ added, [0-9]+ removed, 1 setting changed' "$out"
check_eq "Member001 is back, with the case it had" "Member001@example.test" "$(ctl members dev@lists.test | grep -i member001)"
check_match "the journal records the restore" 'restore listctl:.* = snapshot ' "$(ctl journal dev@lists.test | tail -1)"
# the list deleted, then back as of a moment before
ctl set dev@lists.test subject_prefix '[after]'
sleep 1
AT=$(date -u '+%Y-%m-%d %H:%M:%S')
sleep 1
N_BEFORE=$(ctl members dev@lists.test | wc -l)
ctl delete dev@lists.test --yes
check_eq "dev@lists.test deleted" "" "$(ctl lists)"
out=$(ctl restore dev@lists.test --at "$AT")
check_match "restore --at of a deleted list: it would create it" 'create the list' "$out"
ctl restore dev@lists.test --at "$AT" --yes > "$TD/restore.out"
check_match "restore --at TIME --yes brings the deleted list back" 'list created' "$(cat "$TD/restore.out")"
check_eq "... with every member" "$N_BEFORE" "$(ctl members dev@lists.test | wc -l)"
check_eq "... and its settings" '[after]' "$(ctl get dev@lists.test subject_prefix)"
check "... and its routing map entry" test -e "$TD/state/mta/lists.test/dev"
check_eq "restore --at: a bad time is a usage error (64)" 64 \
    "$(ctl restore dev@lists.test --at 'last tuesday' > /dev/null 2>&1; echo $?)"
check_eq "restore of a list that never was: exit 67" 67 \
    "$(ctl restore never@lists.test --at "$AT" > /dev/null 2>&1; echo $?)"

# --- what does not open -----------------------------------------------------------
printf 'not a backup\n' > "$TD/junk"; chmod 644 "$TD/junk"
out=$(ctl restore dev@lists.test --from "$TD/junk" 2>&1); rc=$?
check_eq "a file that is no backup: exit 65" 65 "$rc"
check_match "... saying so" 'not a sealed file' "$out"
mkdir -p "$TD/state3"; conf "$TD/nokey.conf" "$TD/state3"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD/state3" "$TD/nokey.conf"
out=$(rf_as_user "$TD/bin/listctl" --config "$TD/nokey.conf" restore --from "$FILE" --yes 2>&1); rc=$?
check_eq "no backup key: exit 78" 78 "$rc"
check_match "... saying where the key goes" 'no backup key .*backup\.key: put back the copy' "$out"

# --- the S3 blob store --------------------------------------------------------------
s3_up; ok "s3rver started on 127.0.0.1:$S3PORT"
: > "$TD/log/sigv4.log"   # s3_up's own probe is unsigned
printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' > "$TD/s3.credentials"
chmod 600 "$TD/s3.credentials"
S3CONF=$(printf '[blobs]\nstore = s3\nendpoint = http://127.0.0.1:%s\nbucket = attachments\ncredentials_file = %s\n' "$S3PORT" "$TD/s3.credentials")
conf "$TD/reflector.conf" "$TD/state" "$S3CONF"
[ "$(id -u)" != 0 ] || chown "$RF_TEST_USER:" "$TD/s3.credentials" "$TD/reflector.conf"
s3_objects() { find "$TD/s3/attachments" -name '*._S3rver_object' 2>/dev/null; }
out=$(ctl backup --to s3 2>&1)
check_match "backup --to s3: a daily one (the week has its weekly)" '^backup [0-9T]+Z-?[0-9]* \(daily, [0-9]+ bytes\) copied to the S3 blob store \(s3:' "$out"
S3NAME=$(printf '%s' "$out" | sed -n 's/^backup \([^ ]*\) .*/\1/p')
check_eq "one object in the bucket" 1 "$(s3_objects | wc -l)"
check_eq "its key is no name nor time" "" "$(s3_objects | grep -e "$S3NAME" -e backup)"
check_eq "the object holds no address in clear" 0 "$(cat $(s3_objects) | grep -a -c -i -e 'example\.test' -e 'writers\.test' -e 'lists\.test')"
check_match "listctl backups lists it on s3" "^$S3NAME .* daily .* s3\$" "$(ctl backups)"
check_eq "every S3 request had a good SigV4 signature" "" "$(grep -v '^ok ' "$TD/log/sigv4.log" | head -3)"
# a server that has only the name and the key (a new database, the same bucket)
mkdir -p "$TD/state4"
for k in "$TD"/state/*.key; do cp -p "$k" "$TD/state4/"; done
conf "$TD/s3only.conf" "$TD/state4" "$S3CONF"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD/state4" "$TD/s3only.conf"
out=$(rf_as_user "$TD/bin/listctl" --config "$TD/s3only.conf" restore --from "s3:$S3NAME" --yes 2>&1)
check_eq "restore --from s3:NAME on a server with no database" \
    "restored the whole database from s3:$S3NAME: 1 list" "$out"
check_eq "... the same members" "$(ctl members dev@lists.test)" \
    "$(rf_as_user "$TD/bin/listctl" --config "$TD/s3only.conf" members dev@lists.test)"
# rotation: 8 days on, cleanup deletes the daily ones, S3 copy included
LATER=$(( $(date +%s) + 8 * 86400 ))
out=$(rf_as_user env REFLECTOR_TEST_NOW=$LATER "$TD/bin/listctl" --config "$TD/reflector.conf" cleanup)
check_match "cleanup 8 days on: the daily S3 backup is deleted" '^backups: 1 backups past their rotation' "$out"
check_eq "... its object is gone from the bucket" 0 "$(s3_objects | wc -l)"
check_match "... the weekly one stays" "^$NAME .* weekly " "$(ctl backups)"
check "... and its file" test -s "$FILE"
check_match "S3: PUT, GET and DELETE went through the signature check" \
    'ok PUT.*ok GET.*ok DELETE' "$(tr '\n' ' ' < "$TD/log/sigv4.log")"
rf_done
