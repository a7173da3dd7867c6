#!/bin/bash
# t-exim-person.sh - one person's data through the real Exim (issue 15):
# carol is a member of two lists (in two cases of her address), posts to
# one (delivered, archived, kept for Bounce Redelivery and for
# troubleshooting), refuses the lists' posts (a bounce record, a
# redelivery link and notice), has a web account, and is in the journal
# and the activity log.  'listctl person export' shows all of it;
# 'listctl person erase' then leaves no trace of her in the state
# directory (the database, its write-ahead log, the blob store, the spool,
# every file), in what reflector logs (the activity log, the journal) nor
# in any list's export; the journal keeps its events with her hash, the
# receipt says so, and the list still restores: as of a moment before
# (from the journal) and from a backup taken before, both without her.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
exim_up

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl create ops@lists.test > /dev/null &&
rf_listctl set dev@lists.test posting open &&
rf_listctl set dev@lists.test archive on &&
# (Exim matches local parts in lower case: the address that refuses the
# posts is written so; the other list has her in another case)
rf_listctl subscribe dev@lists.test carol.doe@example.test alice@example.test > /dev/null &&
rf_listctl subscribe ops@lists.test Carol.Doe@EXAMPLE.test alice@example.test > /dev/null
ok "two lists; carol on both, in two cases"
add_mailbox alice@example.test
add_refusing_lists carol.doe@example.test
printf 'a long pass phrase\n' | rf_listctl user add carold --email Carol.Doe@example.test \
    --moderator dev@lists.test --password-stdin > /dev/null
ok "carol has a web account"

mkmsg "$T/m1" 'Carol Doe <Carol.Doe@example.test>' dev@lists.test 'Carol writes' 'Words by Carol.'
post carol.doe@example.test dev@lists.test "$T/m1"
ok "SMTP accepted carol's post"
exim_wait_idle 60
ok "queue drained"
check_eq "alice got carol's post" 1 "$(maildir_count alice@example.test)"
check_match "carol's mailbox refused the copy: a bounce came back to her VERP address" \
    '=> dev <dev-bounces\+[a-z2-7]{8}\+carol.doe=example.test@lists.test> P=<>' "$(cat "$T/log/mainlog")"
check_match "... a policy refusal, counted for her domain" '^  example\.test +1$' "$(rf_listctl bounces dev@lists.test)"
check_eq "... and the redelivery notice went to her (no list post: delivered)" 1 \
    "$(maildir_count carol.doe@example.test)"

BEFORE=$(date -u '+%Y-%m-%d %H:%M:%S')
sleep 1
rf_listctl backup > "$T/backup.out"
NAME=$(sed -n 's/^backup \([^ ]*\) .*/\1/p' "$T/backup.out")
check_match "a backup taken before the erasure" . "$NAME"

rf_listctl person export carol.doe@example.test > "$T/export.json"
ok "listctl person export"
count() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$T/export.json" "$1"; }
check_eq "export: both memberships" 2 "$(count memberships)"
check_eq "export: her archived post" 1 "$(count archive_posts)"
check_eq "export: her web account" 1 "$(count accounts)"
check_match "export: the troubleshooting copies of her post and its bounce" '^[2-9]$' "$(count messages)"
check_match "export: the redelivery copy of her post" '^[1-9]$' "$(count redelivery_copies)"
check_match "export: bounce records" '^[1-9]$' "$(count bounces)"
check_match "export: journal events" '^[2-9]$' "$(count journal)"
check_match "export: activity rows" '^[1-9]' "$(count activity)"
check_match "export: the subject of her post" '"subject" *: *"Carol writes"' "$(cat "$T/export.json")"

out=$(rf_listctl person erase carol.doe@example.test < /dev/null 2>&1); rc=$?
check_eq "erase without a terminal and without --yes: refused (64)" 64 "$rc"
check_match "... saying to give --yes" 'give --yes' "$out"
rf_listctl person erase Carol.Doe@Example.test --yes > "$T/receipt"
check_eq "listctl person erase --yes: exit 0" 0 "$?"
check_match "the receipt: erased, when" '^receipt: erased Carol.Doe@example.test at [0-9T:-]+Z$' "$(cat "$T/receipt")"
check_match "... memberships: 2" '^  memberships: 2 ' "$(cat "$T/receipt")"
check_match "... the journal keeps the hash" 'keep their entries with erased:[0-9a-f]{32} in its place' "$(cat "$T/receipt")"
check_match "... written nowhere else" 'the address is written nowhere else in the database' "$(cat "$T/receipt")"
check_match "... what it cannot reach" 'out of reach: the backups taken before now' "$(cat "$T/receipt")"
HASH=$(grep -oE 'erased:[0-9a-f]{32}' "$T/receipt" | head -1)

# no trace: every file of the state directory, what reflector logs, the lists
check_eq "no file of the state directory holds her address (any case)" "" \
    "$(grep -rlai 'carol\.doe' "$STATE" 2>/dev/null)"
check_eq "... nor her VERP form" "" "$(grep -rlai 'Carol\.Doe=example' "$STATE" 2>/dev/null)"
check_eq "... nor her post's words" "" "$(grep -rlai 'Words by Carol' "$STATE" 2>/dev/null)"
for l in dev ops; do
    check_eq "$l: not a member" "" "$(rf_listctl members $l@lists.test | grep -i 'carol\.doe')"
    check_eq "$l: not in the activity log" "" "$(rf_listctl log $l@lists.test | grep -i 'carol\.doe')"
    check_eq "$l: not in the journal" "" "$(rf_listctl journal $l@lists.test | grep -i 'carol\.doe')"
    check_match "$l: the journal has her events, with the hash" "subscribe .* $HASH" \
        "$(rf_listctl journal $l@lists.test)"
done
check_eq "not in the bounces" "" "$(rf_listctl bounces dev@lists.test | grep -i 'carol\.doe')"
check_eq "not in the accounts" "" "$(rf_listctl user list | grep -i 'carol\.doe')"
check_eq "not in the troubleshooting store's list" "" "$(rf_listctl message dev@lists.test | grep -i 'carol\.doe')"
check_eq "not in the activity log's rows of every target" "" \
    "$(rf_as_user sqlite3 "$STATE/reflector.db" 'SELECT * FROM activity' | grep -i 'carol\.doe')"
# the twelve kinds of lib/person/person.c (issue 10 added held_posts and
# requests), each empty
check_eq "export after: every kind empty" "0 0 0 0 0 0 0 0 0 0 0 0" "$(rf_listctl person export carol.doe@example.test |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(str(len(v)) for k, v in d.items() if isinstance(v, list)))')"
check_eq "alice is still on both lists" "alice@example.test alice@example.test" \
    "$(rf_listctl members dev@lists.test) $(rf_listctl members ops@lists.test)"

# the list still restores: from the journal, and from the backup taken before
out=$(rf_listctl restore dev@lists.test --at "$BEFORE")
check_match "restore --at a moment she was a member: she is left out" '1 erased address left out' "$out"
check_eq "... not added back" "" "$(printf '%s' "$out" | grep -i carol)"
rf_listctl unsubscribe dev@lists.test alice@example.test > /dev/null
out=$(rf_listctl restore dev@lists.test --at "$BEFORE" --yes)
check_match "restore --at --yes works" '^restored dev@lists.test as of .*: 1 added, 0 removed' "$out"
check_eq "... alice back, carol not" "alice@example.test" "$(rf_listctl members dev@lists.test)"
out=$(rf_listctl restore --from "$NAME" --yes)
check_match "restore --from the backup taken before: she is left out" '1 erased address left out' "$out"
check_eq "... not added back" "" "$(rf_listctl members ops@lists.test | grep -i carol)"
check_eq "... and still no trace of her in the state directory" "" \
    "$(grep -rlai 'carol\.doe' "$STATE" --exclude='*.backup' 2>/dev/null)"

exim_check_clean
rf_done
