#!/bin/bash
# roles.sh - a list's daily life by mail (issue 10), the same story through
# either MTA harness (bash library; tests/e2e/t-exim-roles.sh and
# t-postfix-roles.sh).  Needs mail.sh's post, mkmsg, hdr, body,
# maildir_files and maildir_count, the harness's rf_listctl, and:
#
#   mta_idle               wait until the MTA's queue is empty
#
#   roles_setup            list dev@lists.test, members alice and bob, an owner
#                          account 'own' (own@example.test) and owner_addresses
#                          boss@example.test, the footer naming dev-leave@, and
#                          autoresponse_limit 50 (the story sends zed more than 5)
#   roles_story            join by mail and confirm by reply (welcome); leave by
#                          the List-Unsubscribe mailto of a copy, confirm (goodbye);
#                          help; the owners reached; nobody (un)subscribes someone
#                          else; a member and a non-member get answers of the same
#                          shape, byte for byte once addresses, tokens and dates
#                          are masked
#   newest ADDR            the path of ADDR's newest message
#   confirm_address FILE   the LIST-confirm+TOKEN address of a confirmation
#   reply_to FILE FROM     FROM replies to FILE (to its Reply-To)
RF_ROLES_MAILBOXES="alice@example.test bob@example.test carol@example.test zed@example.test
    mallory@example.test own@example.test boss@example.test"

newest() { local f; f=$(maildir_files "$1"); [ -n "$f" ] && ls -t $f | head -1; }
confirm_address() { grep -o -m1 'dev-confirm+[A-Za-z2-7]\{52\}@lists\.test' "$1"; }

# send FROM TO SUBJECT BODY [headers...]: a message over SMTP, then wait;
# send_only: the same without waiting (several at once, then mta_idle)
send_only() {
    local from=$1 to=$2 subj=$3 text=$4; shift 4
    [ -n "$to" ] || { echo "# send: no recipient"; return 1; }
    mkmsg "$T/send.eml" "$from" "$to" "$subj" "$text" "$@"
    post "$from" "$to" "$T/send.eml" || { echo "# SMTP refused the mail from $from to $to"; return 1; }
}
send() { send_only "$@" && mta_idle; }
reply_to() {
    local file=$1 from=$2 to mid
    to=$(hdr "$file" Reply-To | tr -d '<> ')
    mid=$(hdr "$file" Message-ID)
    send "$from" "$to" "Re: $(hdr "$file" Subject)" "> $(body "$file" | head -1)" "In-Reply-To: $mid"
}
members() { rf_listctl members dev@lists.test | tr '\n' ' ' | sed 's/ $//'; }
is_member() { rf_listctl members dev@lists.test | grep -qx "$1"; }
not_member() { ! is_member "$1"; }

# mask FILE ADDRESS: the message with what differs between two recipients
# masked: the header fields the MTA adds, the address concerned, tokens,
# message ids and dates
mask() {
    "$RF_PYTHON" - "$1" "$2" <<'PYEOF'
import re, sys
data = open(sys.argv[1], 'rb').read().decode('utf-8', 'replace').replace('\r\n', '\n')
head, _, text = data.partition('\n\n')
trace = ('return-path', 'envelope-to', 'delivery-date', 'received', 'delivered-to',
         'x-original-to', 'date', 'message-id', 'in-reply-to', 'references')
kept, skip = [], False
for line in head.split('\n'):
    if line[:1] in (' ', '\t'):
        if not skip:
            kept.append(line)
        continue
    skip = line.split(':', 1)[0].strip().lower() in trace
    if not skip:
        kept.append(line)
out = '\n'.join(kept) + '\n\n' + text
out = out.replace(sys.argv[2], 'ADDRESS')
out = re.sub(r'[a-z2-7]{52}', 'TOKEN', out)
out = re.sub(r'dev-bounces\+[^@\s>]+@', 'dev-bounces+VERP@', out)
sys.stdout.write(out)
PYEOF
}

roles_setup() {
    rf_listctl create dev@lists.test > /dev/null &&
    rf_listctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null &&
    rf_listctl set dev@lists.test footer -- '-- \nTo leave: dev-leave@lists.test' &&
    rf_listctl set dev@lists.test welcome 'Be kind; the archive is private.' &&
    rf_listctl set dev@lists.test goodbye 'Thanks for your posts.' &&
    rf_listctl set dev@lists.test owner_addresses boss@example.test &&
    rf_listctl set dev@lists.test autoresponse_limit 50
    ok "list dev: alice and bob, a footer, welcome and goodbye texts, owner_addresses, 50 answers a day"
    printf 'owner password 1\n' | rf_listctl user add own --email own@example.test \
        --owner dev@lists.test --password-stdin > /dev/null
    ok "an owner account 'own'"
    # shellcheck disable=SC2086
    add_mailbox $RF_ROLES_MAILBOXES
}

roles_story() {
    local m c w n f1 f2 link

    # --- join by mail, confirm by reply, welcome ----------------------------
    send zed@example.test dev-join@lists.test 'join' 'Please let me in.'
    c=$(newest zed@example.test)
    check_match "join: zed is asked to confirm" '^Confirm: subscribe to dev@lists\.test$' "$(hdr "$c" Subject)"
    check_match "the reply address is LIST-confirm+TOKEN (256 bits)" \
        '^<?dev-confirm\+[a-z2-7]{52}@lists\.test>?$' "$(hdr "$c" Reply-To)"
    check_eq "the confirmation is an automatic answer" auto-replied "$(hdr "$c" Auto-Submitted)"
    check "and answers zed's mail (In-Reply-To)" test -n "$(hdr "$c" In-Reply-To)"
    check_match "it has the web link too" 'http://[^ ]*/c/[a-z2-7]{52}' "$(body "$c")"
    check "zed is not a member before confirming" not_member zed@example.test
    # an MTA or a mail client may change the case of the address: the token
    # (base32) does not mind
    w=$(hdr "$c" Reply-To | tr -d '<> ')
    send zed@example.test "$(echo "${w%@*}" | tr a-z A-Z)@lists.test" "Re: $(hdr "$c" Subject)" 'yes'
    check "zed's reply (to the address in capitals) made zed a member" is_member zed@example.test
    w=$(newest zed@example.test)
    check_match "zed is welcomed" '^Welcome to dev@lists\.test$' "$(hdr "$w" Subject)"
    check_match "with the list's welcome text" 'Be kind; the archive is private\.' "$(body "$w")"
    reply_to "$c" zed@example.test
    check_match "the same confirmation again: it was used already, nothing done" \
        '^Unknown confirmation' "$(hdr "$(newest zed@example.test)" Subject)"

    # --- a post, and leaving by its List-Unsubscribe mailto -------------------
    send alice@example.test dev@lists.test 'Hello all' 'A post to every member.'
    m=$(newest zed@example.test)
    check_match "zed got the post" 'Hello all' "$(hdr "$m" Subject)"
    link=$(hdr "$m" List-Unsubscribe | grep -o 'mailto:[^>]*' | sed 's/^mailto://')
    check_eq "its List-Unsubscribe mailto is dev-leave@" dev-leave@lists.test "$link"
    send zed@example.test "$link" 'unsubscribe' ''
    c=$(newest zed@example.test)
    check_match "leave: zed is asked to confirm" '^Confirm: unsubscribe from dev@lists\.test$' "$(hdr "$c" Subject)"
    check "zed is still a member before confirming" is_member zed@example.test
    reply_to "$c" zed@example.test
    check "zed's reply made zed leave" not_member zed@example.test
    w=$(newest zed@example.test)
    check_match "zed is told goodbye" '^Goodbye from dev@lists\.test$' "$(hdr "$w" Subject)"
    check_match "with the list's goodbye text" 'Thanks for your posts\.' "$(body "$w")"

    # --- help ------------------------------------------------------------------
    send carol@example.test dev-request@lists.test 'help' ''
    c=$(newest carol@example.test)
    check_match "help: carol gets the help text" '^Help of dev@lists\.test$' "$(hdr "$c" Subject)"
    for a in dev@lists.test dev-join@lists.test dev-leave@lists.test dev-request@lists.test dev-owner@lists.test; do
        check_match "the help names $a" "  $a " "$(body "$c")"
    done
    n=$(maildir_count carol@example.test)
    send carol@example.test dev-request@lists.test 'What is this list about?' 'Tell me.'
    check_eq "anything unrecognised gets the help too" "$((n + 1))" "$(maildir_count carol@example.test)"

    # --- the owners ------------------------------------------------------------
    send carol@example.test dev-owner@lists.test 'A question for the owners' 'Who runs this list?'
    for o in own@example.test boss@example.test; do
        f1=$(newest "$o")
        check_match "owner mail reaches $o" 'A question for the owners' "$(hdr "$f1" Subject)"
        check_eq "... as carol wrote it (From kept)" carol@example.test "$(hdr "$f1" From)"
        check_eq "... with the loop guard X-Loop: dev-owner@" dev-owner@lists.test "$(hdr "$f1" X-Loop)"
    done

    # --- nobody can subscribe or unsubscribe someone else ----------------------
    n=$(maildir_count mallory@example.test)
    send mallory@example.test dev-request@lists.test 'subscribe carol@example.test' ''
    check_match "mallory subscribing carol: the confirmation goes to carol" \
        '^Confirm: subscribe to dev@lists\.test$' "$(hdr "$(newest carol@example.test)" Subject)"
    send mallory@example.test dev-request@lists.test 'x' 'unsubscribe bob@example.test'
    check_match "mallory unsubscribing bob: the confirmation goes to bob" \
        '^Confirm: unsubscribe from dev@lists\.test$' "$(hdr "$(newest bob@example.test)" Subject)"
    check_eq "mallory got nothing back" "$n" "$(maildir_count mallory@example.test)"
    check "carol was not subscribed" not_member carol@example.test
    check "bob is still a member" is_member bob@example.test
    send mallory@example.test dev-join@lists.test 'join' '' 'Reply-To: carol@example.test'
    check_match "a join from mallory asks mallory, whatever the Reply-To" \
        '^Confirm: subscribe' "$(hdr "$(newest mallory@example.test)" Subject)"
    check "and subscribes nobody by itself" not_member mallory@example.test

    # --- a member and a non-member: answers of the same shape -------------------
    send alice@example.test dev-request@lists.test 'subscribe' ''
    f1=$(newest alice@example.test)
    send carol@example.test dev-request@lists.test 'subscribe' ''
    f2=$(newest carol@example.test)
    mask "$f1" alice@example.test > "$T/shape.member"
    mask "$f2" carol@example.test > "$T/shape.nonmember"
    check "subscribe: the member's and the non-member's confirmations are the same, byte for byte" \
        cmp -s "$T/shape.member" "$T/shape.nonmember"
    reply_to "$f1" alice@example.test
    reply_to "$f2" carol@example.test
    mask "$(newest alice@example.test)" alice@example.test > "$T/shape.member"
    mask "$(newest carol@example.test)" carol@example.test > "$T/shape.nonmember"
    check "confirmed: the same welcome for the member and the non-member" \
        cmp -s "$T/shape.member" "$T/shape.nonmember"
    check_match "... a welcome" '^Subject: Welcome to dev@lists.test' "$(cat "$T/shape.member")"
    send bob@example.test dev-leave@lists.test 'leave' ''
    f1=$(newest bob@example.test)
    send zed@example.test dev-leave@lists.test 'leave' ''
    f2=$(newest zed@example.test)
    mask "$f1" bob@example.test > "$T/shape.member"
    mask "$f2" zed@example.test > "$T/shape.nonmember"
    check "unsubscribe: the member's and the non-member's confirmations are the same" \
        cmp -s "$T/shape.member" "$T/shape.nonmember"
    reply_to "$f1" bob@example.test
    reply_to "$f2" zed@example.test
    mask "$(newest bob@example.test)" bob@example.test > "$T/shape.member"
    mask "$(newest zed@example.test)" zed@example.test > "$T/shape.nonmember"
    check "confirmed: the same goodbye for the member and the non-member" \
        cmp -s "$T/shape.member" "$T/shape.nonmember"
    cmp -s "$T/shape.member" "$T/shape.nonmember" || diff "$T/shape.member" "$T/shape.nonmember" | sed 's/^/#   /'
    check_eq "the members at the end: alice and carol" "alice@example.test carol@example.test" "$(members)"
}
