#!/bin/bash
# t-archive-deliver.sh - listdeliver archives what it delivered when the
# list has archive = on: the post as the members got it (subject prefix and
# footer in place), threaded by In-Reply-To; nothing with archive = off; a
# retry archives once; a failure to archive is exit 75 and the MTA's retry
# archives without sending anyone a second copy.  The archive is read the way
# listweb will read it: its tables (sqlite3), since listweb is not written yet.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv sqlite3
rf_tmpdir
shopt -s lastpipe   # "post ... | ld" sets RC and ERR in this shell

[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state" "$TD/out"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
cat > "$TD/out/\$rcpt.\$(date +%s%N)\$(printf %07d \$\$)"
EOF
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n[dmarc]\nresolver = none\n' "$TD/state" "$TD/bin/sendmail" \
    > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
DB=$TD/state/reflector.db

ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ld() {
    rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" "$@" > "$TD/ld.out" 2> "$TD/ld.err"
    RC=$?
    ERR=$(cat "$TD/ld.err")
}
sql() { rf_as_user sqlite3 "$DB" "$1"; }
copies() { ls "$TD/out" | grep -c '@'; }
post() {   # post MESSAGE-ID SUBJECT [IN-REPLY-TO]
    printf 'From: Ann Example <ann@example.test>\nTo: dev@lists.test\nSubject: %s\n' "$2"
    printf 'Date: Sun, 29 Nov 2026 10:00:00 +0000\nMessage-ID: <%s>\n' "$1"
    [ -z "${3:-}" ] || printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$3" "$3"
    printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n'
    printf 'Hello list,\nthe zeppelin %s is ready.\n' "$1"
}

ctl create dev@lists.test > /dev/null; ok "list created"
ctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null; ok "two members"
ctl set dev@lists.test posting open; ok "anyone may post"
ctl set dev@lists.test subject_prefix '[dev]' && ctl set dev@lists.test footer 'To leave: dev-leave@lists.test'
ok "prefix and footer"
check_eq "archive is off by default" "off" "$(ctl get dev@lists.test archive)"
check_eq "archive_access is password by default" "password" "$(ctl get dev@lists.test archive_access)"

post one@example.test "not archived" | ld dev@lists.test
check_eq "archive off: delivered" 0 "$RC"
check_eq "archive off: two copies" 2 "$(copies)"
check_eq "archive off: nothing archived" 0 "$(sql 'SELECT count(*) FROM archive_posts')"

ctl set dev@lists.test archive on; ok "archive on"
ctl set dev@lists.test archive_access public; ok "archive_access public"
ctl set dev@lists.test archive_access everyone 2>/dev/null
check_eq "archive_access refuses other values" 65 "$?"
rm -f "$TD/out"/*
post first@example.test "zeppelin launch" > "$TD/first.eml"
ld dev@lists.test < "$TD/first.eml"
check_eq "archive on: delivered" 0 "$RC"
check_eq "archive on: two copies" 2 "$(copies)"
check_eq "archive on: one post archived" 1 "$(sql 'SELECT count(*) FROM archive_posts')"
check_eq "the archived subject is the one members got" "[dev] zeppelin launch" \
    "$(sql 'SELECT subject FROM archive_posts WHERE number = 1')"
check_match "the archived text has the footer" "To leave: dev-leave@lists.test" \
    "$(sql 'SELECT body FROM archive_posts WHERE number = 1')"
member_copy=$(ls "$TD/out"/alice@example.test.* | head -1)
sql "SELECT writefile('$TD/raw1', raw) FROM archive_raw" > /dev/null
# a copy is the shared rendering behind its member's own List-Unsubscribe
# lines (the one-click link); the archive keeps the shared rendering only
awk 'top && /^List-Unsubscribe(-Post)?:/ { skip = 1; next }
     top && skip && /^[ \t]/ { next }
     { top = 0; print }' top=1 "$member_copy" > "$TD/copy1"
cmp -s "$TD/raw1" "$TD/copy1"; ok "the archived bytes are a member's copy without its own unsubscribe lines"
check_eq "no member's unsubscribe link in the archive" 0 "$(grep -c '/u/' "$TD/raw1")"
check_eq "FTS finds it" "1" "$(sql "SELECT count(*) FROM archive_fts WHERE archive_fts MATCH 'zeppelin'")"

# the MTA delivers the same message again: nothing resent, archived once
rm -f "$TD/out"/*
ld dev@lists.test < "$TD/first.eml"
check_eq "same message again: exit 0" 0 "$RC"
check_eq "same message again: no copy" 0 "$(copies)"
check_eq "same message again: still one post" 1 "$(sql 'SELECT count(*) FROM archive_posts')"

# a reply joins the thread
post second@example.test "Re: zeppelin launch" first@example.test | ld dev@lists.test
check_eq "reply: delivered" 0 "$RC"
check_eq "reply: in the first post's thread" "2 1 1" \
    "$(sql 'SELECT number, (SELECT number FROM archive_posts t WHERE t.id = p.thread_id), (SELECT number FROM archive_posts q WHERE q.id = p.parent_id) FROM archive_posts p WHERE number = 2' | tr '|' ' ')"

# archiving fails after the fan-out (a trigger refuses the row): 75, the
# members have their copy; the retry archives and sends nobody anything
sql "CREATE TRIGGER refuse BEFORE INSERT ON archive_posts BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
rm -f "$TD/out"/*
post third@example.test "zeppelin landing" > "$TD/third.eml"
ld dev@lists.test < "$TD/third.eml"
check_eq "archive fault: exit 75" 75 "$RC"
check_match "archive fault: one line saying so" "^listdeliver: .*not archived yet" "$ERR"
check_eq "archive fault: the members have it" 2 "$(copies)"
check_eq "archive fault: not archived" 2 "$(sql 'SELECT count(*) FROM archive_posts')"
sql "DROP TRIGGER refuse"
rm -f "$TD/out"/*
ld dev@lists.test < "$TD/third.eml"
check_eq "retry: exit 0" 0 "$RC"
check_eq "retry: nobody gets a second copy" 0 "$(copies)"
check_eq "retry: archived" "3 [dev] zeppelin landing" \
    "$(sql 'SELECT number, subject FROM archive_posts WHERE number = 3' | tr '|' ' ')"
check_eq "spool is empty after the retry" "" "$(ls "$TD/state/spool" 2>/dev/null)"

rf_done
