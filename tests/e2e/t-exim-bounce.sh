#!/bin/bash
# t-exim-bounce.sh - a bounce through the real Exim: a member whose mailbox
# answers "550 5.1.1 user unknown" (tests/mta/exim.conf.in, refuse_user);
# Exim's own delivery status notification goes to the copy's VERP address,
# the contrib router pipes it to listdeliver, which parses it and raises the
# member's bounce score, as 'listctl bounces' shows.  The other member gets
# the post; nothing is bounced back to the bounce.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
exim_up

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl subscribe dev@lists.test alice@example.test gone@example.test > /dev/null
ok "list with two members"
add_mailbox alice@example.test poster@other.test
add_refusing gone@example.test

mkmsg "$T/m1" 'Alice <alice@example.test>' dev@lists.test 'Hello' 'A post.'
post alice@example.test dev@lists.test "$T/m1"
ok "SMTP accepted the post"
exim_wait_idle 60
ok "queue drained"

log=$(cat "$T/log/mainlog")
check_match "mainlog: Exim failed gone's copy with the 550" \
    '\*\* gone@example.test .*550 5\.1\.1' "$log"
check_match "mainlog: Exim's bounce went to the VERP address, through the pipe" \
    '=> dev <dev-bounces\+[a-z2-7]{8}\+gone=example.test@lists.test> P=<> R=reflector_list T=reflector_pipe' "$log"
check_eq "alice got the post" 1 "$(maildir_count alice@example.test)"
check_eq "no bounce of the bounce: the catch-all is empty" 0 "$(catchall_count)"
check_eq "the poster got no bounce" 0 "$(maildir_count poster@other.test)"

json=$(rf_listctl bounces dev@lists.test --json)
field() {
    printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = [x for x in d["members"] if x["address"] == sys.argv[1]]
print(m[0][sys.argv[2]] if m else "none")' "$1" "$2"
}
check_eq "gone's bounce score rose to 1" 1 "$(field gone@example.test score)"
check_eq "classed permanent" permanent "$(field gone@example.test last_class)"
check_match "the reason is the 550 5.1.1" '5\.1\.1' "$(field gone@example.test last_reason)"
check_eq "gone still enabled (threshold 5)" enabled "$(field gone@example.test state)"
check_eq "alice never bounced" none "$(field alice@example.test score)"
check_match "listctl bounces (text) shows gone" '^gone@example.test +enabled +1/5 ' \
    "$(rf_listctl bounces dev@lists.test)"

exim_check_clean
rf_done
