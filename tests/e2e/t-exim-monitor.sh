#!/bin/bash
# t-exim-monitor.sh - inbox monitoring and the troubleshooting store
# through the real Exim (issue 15):
#   - with monitor_inboxes on (the default), each seed of [monitor]
#     addresses gets each post once, as the members' copy with an
#     X-Reflector-Monitor: <list>/<post id> header and no member's
#     unsubscribe link; with it off, none;
#   - a seed whose mailbox refuses: Exim's bounce comes back to the seed's
#     VERP address and 'listctl monitor --report' counts it; it never
#     becomes a member's bounce;
#   - the seeds never show in members, show's count, lists --json, bounces,
#     the bounce report or the post's copy count in the log;
#   - listctl message lists what the list received (the posts, the bounce)
#     with sender, subject, size and outcome, and --show prints one as it
#     came.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
exim_up
printf '\n[monitor]\naddresses = seed1@seeds.test; Seed2@Seeds.test; gone@seeds.test\n' >> "$T/reflector.conf"

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl set dev@lists.test posting open &&
rf_listctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null
ok "dev@lists.test with two members"
# (Exim matches local parts in lower case: the Maildir is seed2)
add_mailbox alice@example.test bob@example.test seed1@seeds.test seed2@seeds.test poster@other.test
add_refusing gone@seeds.test
check_eq "monitor_inboxes is on by default" on "$(rf_listctl get dev@lists.test monitor_inboxes)"
check_match "listctl monitor: the seeds and the lists they watch" \
    'seeds: seed1@seeds.test Seed2@seeds.test gone@seeds.test' "$(rf_listctl monitor)"

mkmsg "$T/m1" 'Poster <poster@other.test>' dev@lists.test 'Watched post' 'The first post.'
post poster@other.test dev@lists.test "$T/m1"
ok "SMTP accepted the first post"
exim_wait_idle 60
ok "queue drained"
check_eq "alice has one copy" 1 "$(maildir_count alice@example.test)"
check_eq "bob has one copy" 1 "$(maildir_count bob@example.test)"
check_eq "seed1 has one copy" 1 "$(maildir_count seed1@seeds.test)"
check_eq "Seed2 has one copy" 1 "$(maildir_count seed2@seeds.test)"
s=$(maildir_files seed1@seeds.test | head -1)
a=$(maildir_files alice@example.test | head -1)
check_match "the seed's copy: X-Reflector-Monitor: <list>/<post id>" '^dev@lists\.test/[0-9]+$' \
    "$(hdr "${s:-/dev/null}" X-Reflector-Monitor)"
check_eq "the members' copy has no X-Reflector-Monitor" "" "$(hdr "${a:-/dev/null}" X-Reflector-Monitor)"
check_eq "the seed's copy is the post: same Subject" "$(hdr "${a:-/dev/null}" Subject)" "$(hdr "${s:-/dev/null}" Subject)"
check_eq "... same Message-ID" "$(hdr "$T/m1" Message-ID)" "$(hdr "${s:-/dev/null}" Message-ID)"
check_eq "... same List-Id" "$(hdr "${a:-/dev/null}" List-Id)" "$(hdr "${s:-/dev/null}" List-Id)"
check_eq "... the seed's own VERP envelope" '<dev-bounces+seed1=seeds.test@lists.test>' "$(hdr "${s:-/dev/null}" Return-path)"
check_match "... the list's unsubscribe mailto, no member's one-click link" '^<mailto:dev-leave@lists\.test>$' \
    "$(hdr "${s:-/dev/null}" List-Unsubscribe)"
check_match "the gone seed's copy was refused by its mailbox" '\*\* gone@seeds.test .*550 5\.1\.1' "$(cat "$T/log/mainlog")"
check_match "... and Exim's bounce came back to the seed's VERP address" \
    '=> dev <dev-bounces\+gone=seeds.test@lists.test> P=<> R=reflector_list T=reflector_pipe' "$(cat "$T/log/mainlog")"

# never a member: members, show, lists --json, bounces, the bounce report,
# the post's copies in the log
check_eq "listctl members: the members alone" "alice@example.test
bob@example.test" "$(rf_listctl members dev@lists.test)"
check_match "listctl show: 2 members" '^members: 2$' "$(rf_listctl show dev@lists.test)"
check_match "listctl lists --json: 2 members" '"members":2' "$(rf_listctl lists --json)"
check_eq "listctl bounces: no seed, though one bounced" "" "$(rf_listctl bounces dev@lists.test | grep -i seeds)"
check_eq "the bounce report names no seed" "" \
    "$(rf_listctl report dev@lists.test bounces --dry-run 2>&1 | grep -i seeds)"
check_match "the post's log line counts the members' copies: 2" 'post .*: 2 copies sent' \
    "$(rf_listctl log dev@lists.test | grep ' post ')"
check_eq "no bounce-drop for the seed's bounce (it is the monitor's)" "" \
    "$(rf_listctl log dev@lists.test | grep bounce-drop)"

report=$(rf_listctl monitor --report)
check_match "monitor --report: seed1 got one copy" '^seed1@seeds.test: 1 copy sent, 0 not sent, 0 bounces' "$report"
check_match "monitor --report: Seed2 got one copy" '^Seed2@seeds.test: 1 copy sent' "$report"
check_match "monitor --report: gone's copy came back, permanent" \
    '^gone@seeds.test: 1 copy sent, 0 not sent, 1 bounce \(1 permanent, 0 policy, 0 temporary\)' "$report"
check_match "... with the reason" 'last bounce .*permanent: .*5\.1\.1' "$report"

# off: no seed gets the next post
rf_listctl set dev@lists.test monitor_inboxes off
mkmsg "$T/m2" 'Poster <poster@other.test>' dev@lists.test 'Unwatched post' 'The second post.'
post poster@other.test dev@lists.test "$T/m2"
ok "SMTP accepted the second post"
exim_wait_idle 60
ok "queue drained"
check_eq "monitor off: alice has two copies" 2 "$(maildir_count alice@example.test)"
check_eq "monitor off: seed1 still one" 1 "$(maildir_count seed1@seeds.test)"
check_eq "monitor off: Seed2 still one" 1 "$(maildir_count seed2@seeds.test)"
check_match "monitor --report: seed1 still one copy" '^seed1@seeds.test: 1 copy sent' "$(rf_listctl monitor --report)"
check_match "listctl monitor: no list watched" 'lists with monitor_inboxes on: none' "$(rf_listctl monitor)"

# the troubleshooting store: what came, from whom, what became of it
msgs=$(rf_listctl message dev@lists.test)
check_match "listctl message: the first post, delivered to 2" \
    '^[0-9]+ .*Z post from <poster@other.test> [0-9]+ bytes: delivered: 2 copies' "$msgs"
check_match "... its subject" '^    Watched post$' "$msgs"
check_match "... the seed's bounce, as a message to the bounces address" \
    '^[0-9]+ .*Z bounces from <> [0-9]+ bytes: bounce$' "$msgs"
check_match "... the second post" '^    Unwatched post$' "$msgs"
id=$(rf_listctl message dev@lists.test --json | python3 -c 'import json,sys; print([m["id"] for m in json.load(sys.stdin) if m["subject"] == "Watched post"][0])')
rf_listctl message --show "$id" > "$T/shown"
check_match "message --show ID prints it as it came" '^The first post\.$' "$(cat "$T/shown")"
check_eq "... its Message-ID" "$(hdr "$T/m1" Message-ID)" "$(hdr "$T/shown" Message-ID)"
check_eq "message --show of a message that is not kept: exit 67" 67 \
    "$(rf_listctl message --show 99999 > /dev/null 2>&1; echo $?)"
check_match "the kept messages are in STATE/messages" . "$(find "$STATE/messages" -type f 2>/dev/null)"
check_eq "no message text in clear anywhere in the state directory (the archive is off)" "" \
    "$(grep -rl 'The first post' "$STATE" 2>/dev/null)"
LATER=$(( $(date +%s) + 31 * 86400 ))
check_match "31 days on, cleanup deletes the kept messages" '^messages: 3 troubleshooting copies' \
    "$(as_run_user env REFLECTOR_TEST_NOW=$LATER "$T/bin/listctl" --config "$T/reflector.conf" cleanup)"
check_eq "... none listed any more" "" "$(rf_listctl message dev@lists.test)"

exim_check_clean
rf_done
