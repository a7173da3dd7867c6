#!/bin/bash
# t-exim-refuse.sh - what a sender gets back through a real Exim when
# listdeliver refuses: a non-member's post to a list with nonmember_action
# reject (77), and the same from one of our own addresses (no bounce: no
# backscatter); an oversize post (held for the moderators, not bounced); a
# list that the routing map names but the store does not know (67); the
# -owner address of a list without owners (67).  Each sender has its own
# Maildir, so each bounce is found by its sender; each bounce must carry
# listdeliver's one line of reason.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
exim_up

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl subscribe dev@lists.test alice@example.test > /dev/null
ok "list dev (posting=members by default) with one member"
check_eq "posting defaults to members" members "$(rf_listctl get dev@lists.test posting)"
check_eq "nonmember_action defaults to hold" hold "$(rf_listctl get dev@lists.test nonmember_action)"
rf_listctl set dev@lists.test nonmember_action reject
ok "dev: nonmember_action reject"
rf_listctl create big@lists.test > /dev/null &&
rf_listctl set big@lists.test posting open &&
rf_listctl set big@lists.test max_message_size 4096 &&
rf_listctl subscribe big@lists.test alice@example.test > /dev/null
ok "list big: posting=open, max_message_size 4096"
add_mailbox alice@example.test stranger@other.test fat@other.test ghostly@other.test asker@other.test

# bounce_check NAME SENDER CODE REGEX: SENDER's Maildir holds one bounce,
# from <>, naming the list address, with listdeliver's reason matching REGEX
bounce_check() {
    local name=$1 sender=$2 code=$3 re=$4 f
    check_eq "$name: one bounce to the sender" 1 "$(maildir_count "$sender")"
    f=$(maildir_files "$sender" | head -1)
    [ -n "$f" ] || f=/dev/null
    check_eq "$name: bounce has the null envelope sender" '<>' "$(hdr "$f" Return-path)"
    check_match "$name: bounce is Exim's delivery failure" '^Mail delivery failed' "$(hdr "$f" Subject)"
    check_match "$name: bounce carries listdeliver's reason" "listdeliver: .*($re)" "$(cat "$f")"
    check_match "$name: mainlog has exit $code" "returned $code" "$(grep "$(hdr "$f" X-Failed-Recipients)" "$T/log/mainlog")"
}

# --- non-member, posting=members -------------------------------------------
mkmsg "$T/m1" stranger@other.test dev@lists.test 'Let me in' 'I am not a member.'
post stranger@other.test dev@lists.test "$T/m1"
ok "SMTP accepted the non-member's post"
exim_wait_idle 60
ok "queue drained"
bounce_check "non-member" stranger@other.test 77 '[Mm]ember|[Ss]ubscri'
check_eq "non-member: alice got nothing" 0 "$(maildir_count alice@example.test)"

# --- the same from one of our own addresses: refused, never bounced -----------
mkmsg "$T/m1b" big-bounces@lists.test dev@lists.test 'From a list' 'A list is no member.'
post big-bounces+x=other.test@lists.test dev@lists.test "$T/m1b"
ok "SMTP accepted the post from our own -bounces address"
exim_wait_idle 60
ok "queue drained"
check_match "refused without an answer: in the activity log" \
    'reject-dropped.*sent from one of our own addresses' \
    "$(as_run_user "$RF_PYTHON" -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute("SELECT action, detail FROM activity"): print(*r)' "$STATE/reflector.db")"
check_eq "no bounce went anywhere (catch-all empty)" 0 "$(catchall_count)"

# --- oversize: held for the moderators, not bounced ----------------------------
mkmsg "$T/m2" fat@other.test big@lists.test 'Heavy' "$(head -c 6000 /dev/zero | tr '\0' x | fold -w 70)"
post fat@other.test big@lists.test "$T/m2"
ok "SMTP accepted the oversize post (under Exim's own limit)"
exim_wait_idle 60
ok "queue drained"
check_eq "oversize: no bounce to the sender" 0 "$(maildir_count fat@other.test)"
check_eq "oversize: alice got nothing" 0 "$(maildir_count alice@example.test)"
check_match "oversize: held, saying why" 'why: the message has [0-9]+ bytes, more than max_message_size \(4096\)' \
    "$(rf_listctl held big@lists.test)"

# --- a list in the routing map but not in the store ------------------------
# (the map is listctl's to write; a stale entry is how a deleted list looks
# to a message that Exim routed before the delete)
as_run_user touch "$STATE/mta/lists.test/ghost"
mkmsg "$T/m3" ghostly@other.test ghost@lists.test 'Anyone?' 'Is this list here?'
post ghostly@other.test ghost@lists.test "$T/m3"
ok "SMTP accepted the post to ghost@lists.test"
exim_wait_idle 60
ok "queue drained"
bounce_check "unknown list" ghostly@other.test 67 'no such list|not found|does not exist|unknown'
check_match "unknown list: it was routed to the pipe" \
    'ghost@lists.test .*R=reflector_list T=reflector_pipe' "$(cat "$T/log/mainlog")"

# --- the -owner address of a list that has no owner yet -------------------------
mkmsg "$T/m4" asker@other.test dev-owner@lists.test 'hello' 'Who runs this list?'
post asker@other.test dev-owner@lists.test "$T/m4"
ok "SMTP accepted the mail to dev-owner@"
exim_wait_idle 60
ok "queue drained"
bounce_check "-owner without owners" asker@other.test 67 'no owner'

# --- an address in the list domain that is no list: not ours ---------------
mkmsg "$T/m5" asker@other.test nolist@lists.test 'x' 'x'
post asker@other.test nolist@lists.test "$T/m5"
exim_wait_idle 60
check_eq "an address that is no list is not routed to listdeliver" 1 "$(catchall_count)"
check_eq "the big list's post is still held" 1 "$(rf_listctl held --json big@lists.test | grep -o '"id":' | wc -l)"

check_eq "alice never got a list copy" 0 "$(maildir_count alice@example.test)"
exim_check_clean
rf_done
