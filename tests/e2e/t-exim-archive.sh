#!/bin/bash
# t-exim-archive.sh - with archive = on, posts that come in over SMTP through
# the real Exim are archived by listdeliver as the members received them
# (subject prefix, footer), a reply in its parent's thread; a list without
# the setting archives nothing.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
rf_need sqlite3 swaks
rf_tmpdir
exim_up

sql() { as_run_user sqlite3 "$STATE/reflector.db" "$1"; }

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl create quiet@lists.test > /dev/null &&
rf_listctl set dev@lists.test posting open > /dev/null &&
rf_listctl set quiet@lists.test posting open > /dev/null &&
rf_listctl set dev@lists.test subject_prefix '[dev]' > /dev/null &&
rf_listctl set dev@lists.test footer 'Archive: on' > /dev/null &&
rf_listctl set dev@lists.test archive on > /dev/null
ok "lists dev (archive on) and quiet (archive off)"
rf_listctl subscribe dev@lists.test ann@example.test bob@example.test > /dev/null &&
rf_listctl subscribe quiet@lists.test ann@example.test > /dev/null
ok "members"
add_mailbox ann@example.test bob@example.test poster@other.test

mkmsg "$T/m1" 'Poster <poster@other.test>' dev@lists.test 'Airship schedule' \
    'The airship leaves at noon.'
first_id=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$T/m1")
mkmsg "$T/m2" 'Poster <poster@other.test>' dev@lists.test 'Re: Airship schedule' \
    'And comes back at six.' "In-Reply-To: <$first_id>" "References: <$first_id>"
mkmsg "$T/m3" 'Poster <poster@other.test>' quiet@lists.test 'Not for the archive' 'Quiet.'
post poster@other.test dev@lists.test "$T/m1"; ok "SMTP accepted the first post"
exim_wait_idle 60; ok "delivered"
post poster@other.test dev@lists.test "$T/m2"; ok "SMTP accepted the reply"
post poster@other.test quiet@lists.test "$T/m3"; ok "SMTP accepted the post to quiet"
exim_wait_idle 60; ok "queue drained"

check_eq "ann has three posts" 3 "$(maildir_count ann@example.test)"
check_eq "bob has two" 2 "$(maildir_count bob@example.test)"
check_eq "dev's archive holds two posts" "2" \
    "$(sql "SELECT count(*) FROM archive_posts p JOIN lists l ON l.id = p.list_id WHERE l.address = 'dev@lists.test'")"
check_eq "quiet's archive is empty" "0" \
    "$(sql "SELECT count(*) FROM archive_posts p JOIN lists l ON l.id = p.list_id WHERE l.address = 'quiet@lists.test'")"
check_eq "archived as the members got it" "1|[dev] Airship schedule|Poster|poster@other.test" \
    "$(sql 'SELECT number, subject, from_name, from_addr FROM archive_posts WHERE number = 1 ORDER BY id LIMIT 1')"
check_match "with the footer" "Archive: on" "$(sql 'SELECT body FROM archive_posts WHERE number = 1 ORDER BY id LIMIT 1')"
check_eq "the reply is in the first post's thread" "2|1|1" \
    "$(sql 'SELECT p.number, t.number, q.number FROM archive_posts p JOIN archive_posts t ON t.id = p.thread_id JOIN archive_posts q ON q.id = p.parent_id WHERE p.subject = '"'"'[dev] Re: Airship schedule'"'"'')"
# the archived bytes are ann's copy without what Exim added on delivery
copy=$(grep -l 'Subject: \[dev\] Airship schedule' $(maildir_files ann@example.test))
as_run_user sqlite3 "$STATE/reflector.db" \
    "SELECT writefile('$T/archived.eml', r.raw) FROM archive_raw r JOIN archive_posts p ON p.id = r.post_id WHERE p.subject = '[dev] Airship schedule'" > /dev/null
# Exim's own fields come first: Return-path, Envelope-to, Delivery-date,
# Received (with its continuation lines); then the member's own
# List-Unsubscribe lines (the one-click link), which the archive must not keep
awk 'top && /^(Return-path|Envelope-to|Delivery-date|Received|List-Unsubscribe|List-Unsubscribe-Post):/ { skip = 1; next }
     top && skip && /^[ \t]/ { next }
     { top = 0; print }' top=1 "$copy" > "$T/copy.eml"
[ "$(wc -l < "$T/copy.eml")" -gt 10 ]; ok "ann's copy read"
diff -u "$T/archived.eml" "$T/copy.eml" > "$T/diff"; ok "the archived post is the member's copy, byte for byte"
[ -s "$T/diff" ] && cat "$T/diff"
check_eq "no member's unsubscribe link in the archive" 0 "$(grep -c '/u/' "$T/archived.eml")"
check_eq "FTS5 finds the reply by a word of its text" "1" \
    "$(sql "SELECT count(*) FROM archive_fts WHERE archive_fts MATCH 'six'")"

exim_check_clean
rf_done
