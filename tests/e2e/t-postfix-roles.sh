#!/bin/bash
# t-postfix-roles.sh - a list's daily life by mail through the real Postfix
# (issue 10), configured with contrib/postfix's lines: the story of
# tests/lib/roles.sh (join and confirm by reply, welcome; leave by the
# List-Unsubscribe mailto of a copy, goodbye; help; the owners; nobody
# (un)subscribes someone else; a member's and a non-member's answers the
# same, byte for byte); and the recipient map that listctl keeps: an
# unknown list, and a deleted one, are refused at RCPT time (the SMTP reply
# is read), every address of a new list is taken at once, no reload.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-postfix.sh"
source "$RF_TESTS/lib/roles.sh"
pf_reexec_private "$@"
rf_tmpdir
pf_up
mta_idle() { pf_wait_idle 60 || _rf_record 1 "the queue drained"; }

# rcpt ADDRESS: the SMTP reply to RCPT TO:<ADDRESS>, one line
rcpt() {
    swaks --server 127.0.0.1 --port "$PORT" --helo client.test --from zed@example.test \
          --to "$1" --quit-after RCPT 2>&1 |
        awk '/-> RCPT TO/ { getline; sub(/^ *<[-*~]* */, ""); print; exit }'
}

check_match "before any list: ghost@lists.test refused at RCPT" \
    '^550 5\.1\.1 <ghost@lists\.test>: Recipient address rejected: User unknown in relay recipient table$' \
    "$(rcpt ghost@lists.test)"
roles_setup
for a in dev dev-request dev-owner dev-join dev-leave dev-bounces+alice=example.test \
         "dev-confirm+$(printf 'a%.0s' $(seq 52))"; do
    check_match "the new list's $a@lists.test is taken at RCPT, without a reload" '^250 ' "$(rcpt "$a@lists.test")"
done
check_match "a list's name with another suffix is not" '^550 5\.1\.1 ' "$(rcpt dev-admin@lists.test)"
roles_story

rf_listctl create gone@lists.test > /dev/null
check_match "a list just created: taken" '^250 ' "$(rcpt gone@lists.test)"
rf_listctl delete --yes gone@lists.test > /dev/null
check_match "deleted: refused at RCPT again" '^550 5\.1\.1 <gone@lists\.test>: .*User unknown in relay recipient table$' \
    "$(rcpt gone@lists.test)"
check_eq "no mail of this test went to the catch-all" 0 "$(catchall_count)"
pf_check_clean
rf_done
