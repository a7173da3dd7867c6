#!/bin/bash
# t-postfix-deliver.sh - reflector behind a real, private Postfix, configured
# with contrib/postfix's lines: a post over SMTP reaches every member's
# Maildir once, with the list's headers and a VERP envelope; a non-member is
# refused (nonmember_action reject) with listdeliver's reason in Postfix's
# bounce; an address that is no list is refused at RCPT time, through the
# map listctl keeps; a sendmail that fails for one member (75) makes
# Postfix retry the pipe, and in the end every member has exactly one copy.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-postfix.sh"
pf_reexec_private "$@"
rf_tmpdir
pf_up

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl set dev@lists.test subject_prefix '[dev]' > /dev/null &&
rf_listctl subscribe dev@lists.test alice@example.test bob@example.test carol@other.test > /dev/null
ok "list dev (posting=members) with alice, bob and carol"
add_mailbox alice@example.test bob@example.test carol@other.test stranger@other.test
check_eq "contrib's transport map routes the list domain" "reflector:" \
    "$(postmap -c "$PF_CONF" -q lists.test "texthash:$PF_CONF/reflector_transport")"

# --- a member's post ---------------------------------------------------------
mkmsg "$T/m1" alice@example.test dev@lists.test 'Hello Postfix' 'A post through Postfix.'
post alice@example.test dev@lists.test "$T/m1"
ok "SMTP accepted the post"
pf_wait_idle 60
ok "queue drained"
bad=
for a in alice@example.test bob@example.test carol@other.test; do
    n=$(maildir_count "$a"); [ "$n" = 1 ] || bad="$bad $a:$n"
done
check_eq "every member has exactly one copy" "" "$bad"
c=$(maildir_files bob@example.test | head -1)
check_match "VERP envelope: Return-Path" '^<dev-bounces\+[a-z2-7]{8}\+bob=example\.test@lists\.test>$' \
    "$(hdr "$c" Return-Path)"
check_eq "subject prefix" '[dev] Hello Postfix' "$(hdr "$c" Subject)"
check_match "List-Id" '<dev\.lists\.test>' "$(hdr "$c" List-Id)"
check_match "List-Post" '<mailto:dev@lists\.test>' "$(hdr "$c" List-Post)"
check_match "List-Unsubscribe has the mailto" '<mailto:dev-leave@lists\.test>' "$(hdr "$c" List-Unsubscribe)"
check_match "body kept" 'A post through Postfix\.' "$(body "$c")"
check_match "the maillog shows the pipe delivery" 'to=<dev@lists.test>, relay=reflector, .*status=sent' \
    "$(cat "$T/log/maillog")"

# --- a stranger's post (nonmember_action reject), and an address that is no list ----
rf_listctl set dev@lists.test nonmember_action reject
mkmsg "$T/m2" stranger@other.test dev@lists.test 'Let me in' 'Not a member.'
post stranger@other.test dev@lists.test "$T/m2"
ok "SMTP accepted the stranger's post"
mkmsg "$T/m3" stranger@other.test ghost@lists.test 'Anyone?' 'No such list.'
post stranger@other.test ghost@lists.test "$T/m3"
check_eq "the post to ghost@lists.test is refused at RCPT (swaks: 24)" 24 "$?"
check_match "... as an unknown user of the list domain" \
    '<\*\* 550 5\.1\.1 <ghost@lists\.test>: Recipient address rejected: User unknown in relay recipient table' \
    "$(cat "$T/swaks.out")"
pf_wait_idle 60
ok "queue drained"
check_eq "the stranger got one bounce" 1 "$(maildir_count stranger@other.test)"
bounces=$(cat $(maildir_files stranger@other.test))
check_match "the refusal carries listdeliver's reason" \
    'listdeliver: dev@lists.test accepts posts from members only, and stranger@other.test is not subscribed to it' \
    "$(echo "$bounces" | tr -d '\n' | sed 's/ \+/ /g')"
check_eq "the members got nothing more" "1 1 1" \
    "$(maildir_count alice@example.test) $(maildir_count bob@example.test) $(maildir_count carol@other.test)"

# --- retry: the sendmail fails for carol twice with 75 ------------------------------
cat > "$T/bin/flaky-sendmail" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
echo "\$rcpt" >> "$T/calls"
if [ "\$rcpt" = carol@other.test ]; then
    n=\$(cat "$T/carol-tries" 2>/dev/null || echo 0)
    if [ "\$n" -lt 2 ]; then echo \$((n + 1)) > "$T/carol-tries"; echo "flaky: try later" >&2; exit 75; fi
fi
exec /usr/sbin/sendmail "\$@"
EOF
chmod 755 "$T/bin/flaky-sendmail"
chown "$RUN_USER:" "$T/bin/flaky-sendmail"
sed -i "s|^sendmail = .*|sendmail = $T/bin/flaky-sendmail|" "$T/reflector.conf"
mkmsg "$T/m4" bob@example.test dev@lists.test 'Try again' 'Persistence.'
post bob@example.test dev@lists.test "$T/m4"
ok "SMTP accepted bob's post"
pf_wait_idle 90
ok "queue drained (retries done)"
check_eq "the pipe was deferred twice" 2 \
    "$(grep -c 'to=<dev@lists.test>, relay=reflector, .*status=deferred' "$T/log/maillog")"
check_eq "every member has exactly one copy of the second post" "2 2 2" \
    "$(maildir_count alice@example.test) $(maildir_count bob@example.test) $(maildir_count carol@other.test)"
check_eq "alice and bob were sent it once, carol three times" "1 alice@example.test 1 bob@example.test 3 carol@other.test" \
    "$(sort "$T/calls" | uniq -c | awk '{print $1, $2}' | tr '\n' ' ' | sed 's/ $//')"
pf_check_clean
rf_done
