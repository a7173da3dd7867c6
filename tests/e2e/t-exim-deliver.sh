#!/bin/bash
# t-exim-deliver.sh - posts through a real Exim (contrib/exim router and pipe
# transport) to listdeliver and back through Exim into Maildirs:
# one member, then 500; the headers, subject prefix, footer and VERP envelope
# of the delivered copy; a post carrying our own List-Id is dropped.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
exim_up

# --- N = 1 -----------------------------------------------------------------
rf_listctl create dev@lists.test > /dev/null
ok "listctl create dev@lists.test"
check "routing map entry written by listctl" test -e "$STATE/mta/lists.test/dev"
rf_listctl set dev@lists.test posting open &&
rf_listctl set dev@lists.test subject_prefix '[dev] ' &&
rf_listctl set dev@lists.test footer -- '-- \nSent through dev@lists.test' &&
rf_listctl set dev@lists.test description 'Developers' &&
rf_listctl subscribe dev@lists.test alice@example.test > /dev/null
ok "list settings and one member"
add_mailbox alice@example.test poster@other.test

mkmsg "$T/m1" 'Poster <poster@other.test>' dev@lists.test 'Hello world' \
    'First line of the post.'
post poster@other.test dev@lists.test "$T/m1"
ok "SMTP accepted the post"
exim_wait_idle 60
ok "queue drained"
check_eq "alice has exactly one copy" 1 "$(maildir_count alice@example.test)"
check_eq "the poster (not a member) got nothing, no bounce" 0 "$(maildir_count poster@other.test)"
check_eq "nothing in the catch-all" 0 "$(catchall_count)"
check_match "mainlog: the pipe delivered the post" \
    '=> dev <dev@lists.test> .*R=reflector_list T=reflector_pipe' "$(cat "$T/log/mainlog")"

c=$(maildir_files alice@example.test | head -1)
if [ -n "$c" ]; then
    check_match "VERP envelope: Return-path (with its authenticator)" \
        '^<dev-bounces\+[a-z2-7]{8}\+alice=example\.test@lists\.test>$' "$(hdr "$c" Return-path)"
    check_eq "Envelope-to is the member" 'alice@example.test' "$(hdr "$c" Envelope-to)"
    check_eq "Subject has the prefix once" '[dev] Hello world' "$(hdr "$c" Subject)"
    check_eq "From kept" 'Poster <poster@other.test>' "$(hdr "$c" From)"
    check_eq "Message-ID kept" "$(hdr "$T/m1" Message-ID)" "$(hdr "$c" Message-ID)"
    check_match "List-Id (RFC 2919) with the description" '^"?Developers"? <dev\.lists\.test>$' "$(hdr "$c" List-Id)"
    check_match "List-Post (RFC 2369)" '<mailto:dev@lists\.test>' "$(hdr "$c" List-Post)"
    check_match "List-Unsubscribe has a mailto" '<mailto:dev-[a-z+=]*@lists\.test(\?[^>]*)?>' "$(hdr "$c" List-Unsubscribe)"
    b=$(body "$c")
    check_match "body kept" 'First line of the post\.' "$b"
    check_eq "footer appended after the body, after a '-- ' line" "body:1 sig:2 footer:3" \
        "$(printf '%s\n' "$b" | awk '/First line of the post/ { print "body:" ++n } /^-- $/ { print "sig:" ++n }
                                     /Sent through dev@lists.test/ { print "footer:" ++n }' | tr '\n' ' ' | sed 's/ $//')"
    check_eq "one Return-path only" 1 "$(grep -c '^Return-path:' "$c")"
    check_eq "no Sender: added by Exim (listdeliver is trusted)" "" "$(hdr "$c" Sender)"
    LISTID=$(grep -i '^List-Id:' "$c" | head -1)
else
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do _rf_record 1 "no copy to look at"; done
    LISTID='List-Id: <dev.lists.test>'
fi

# --- loop: a post that carries our own List-Id is dropped, silently -------
mkmsg "$T/m2" 'Poster <poster@other.test>' dev@lists.test 'Looping' 'loop body' "$LISTID"
post poster@other.test dev@lists.test "$T/m2"
ok "SMTP accepted the looping post"
exim_wait_idle 60
ok "queue drained"
check_eq "loop: alice still has one copy" 1 "$(maildir_count alice@example.test)"
check_eq "loop: no bounce to the poster" 0 "$(maildir_count poster@other.test)"
check_eq "loop: nothing in the catch-all" 0 "$(catchall_count)"
check_eq "loop: the pipe exited 0 (delivered, no defer, no bounce)" 2 \
    "$(grep -c '=> dev <dev@lists.test> .*R=reflector_list T=reflector_pipe' "$T/log/mainlog")"

# --- N = 500 ---------------------------------------------------------------
rf_listctl create big@lists.test > /dev/null
ok "listctl create big@lists.test"
for i in $(seq -w 1 500); do
    if [ $((10#$i % 5)) = 0 ]; then echo "m$i@other.net"; else echo "m$i@example.net"; fi
done > "$T/big-members"
rf_listctl subscribe big@lists.test - < "$T/big-members" > /dev/null
ok "500 members subscribed"
check_eq "listctl members lists 500" 500 "$(rf_listctl members big@lists.test | wc -l)"
# shellcheck disable=SC2046
add_mailbox $(cat "$T/big-members")
mkmsg "$T/m3" 'M001 <m001@example.net>' big@lists.test 'To five hundred' 'Hello, everyone.'
t0=$(date +%s%N)
post m001@example.net big@lists.test "$T/m3"
ok "SMTP accepted the post to 500"
exim_wait_idle 300
ok "queue drained"
echo "# 500 copies delivered in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
find "$T/mail/example.net" "$T/mail/other.net" -path '*/new/*' -type f |
    awk -F/ '{ n[$(NF-2) "@" $(NF-3)]++ } END { for (a in n) print a, n[a] }' | sort > "$T/big-counts"
check_eq "500 members have a copy" 500 "$(wc -l < "$T/big-counts")"
check_eq "each has exactly one" "" "$(awk '$2 != 1' "$T/big-counts" | head -5)"
check_eq "the members who got one are the list" "$(sort "$T/big-members")" "$(cut -d' ' -f1 "$T/big-counts")"
c=$(maildir_files m250@other.net | head -1)
check_match "VERP for m250@other.net" '^<big-bounces\+[a-z2-7]{8}\+m250=other\.net@lists\.test>$' \
    "$(hdr "${c:-/dev/null}" Return-path)"
check_eq "poster m001 got no bounce (one copy only)" 1 "$(maildir_count m001@example.net)"
check_eq "nothing in the catch-all" 0 "$(catchall_count)"

exim_check_clean
rf_done
