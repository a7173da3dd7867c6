#!/bin/bash
# t-exim-smtp.sh - transport=smtp: listdeliver hands the copies back to the
# real Exim over SMTP (PIPELINING, a few connections reused), instead of one
# sendmail per copy.  Every member gets exactly one copy with its VERP
# envelope and its own one-click link; a body line starting with "." arrives
# intact (dot-stuffing); a member refused at RCPT (550) is failed for good
# without a bounce to the poster; a member deferred (451) makes listdeliver
# exit 75, Exim retries the pipe, and the retry sends to that member only.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
rf_tmpdir
exim_up

printf '[paths]\nstate_dir = %s\n\n[delivery]\ntransport = smtp\nrelays = 127.0.0.1:%s\nparallel = 4\n[dmarc]\nresolver = none\n' \
    "$STATE" "$PORT" > "$T/reflector.conf"
rf_listctl create dev@lists.test > /dev/null &&
rf_listctl set dev@lists.test posting open > /dev/null
ok "list dev, posting=open, transport smtp to 127.0.0.1:$PORT"
for i in $(seq -w 1 20); do echo "m$i@example.test"; done > "$T/members"
{ cat "$T/members"; echo smtp-reject-x@example.test; echo smtp-defer-y@example.test; } |
    rf_listctl subscribe dev@lists.test - > /dev/null
ok "22 members: 20 plain, one refused at RCPT, one deferred"
# shellcheck disable=SC2046
add_mailbox $(cat "$T/members") smtp-defer-y@example.test smtp-reject-x@example.test poster@other.test
echo "smtp-defer-y@example.test" > "$T/defer-list"

mkmsg "$T/m1" poster@other.test dev@lists.test 'Over SMTP' \
    "$(printf 'First line.\n.hidden line after a dot\n..two dots\nLast line.')"
post poster@other.test dev@lists.test "$T/m1"
ok "SMTP accepted the post"
# the first run of the pipe defers (75) on the 451; then the member is let in
for _ in $(seq 1 300); do
    grep -q 'dev@lists.test .*T=reflector_pipe defer (0): .*returned 75' "$T/log/mainlog" 2>/dev/null && break
    sleep 0.1
done
check_eq "the 451 made the pipe defer (75) once" 1 \
    "$(grep -c 'dev@lists.test .*T=reflector_pipe defer (0): .*returned 75' "$T/log/mainlog")"
: > "$T/defer-list"
exim_wait_idle 120
ok "queue drained (the retry done)"

bad=
for a in $(cat "$T/members") smtp-defer-y@example.test; do
    n=$(maildir_count "$a")
    [ "$n" = 1 ] || bad="$bad $a:$n"
done
check_eq "every member has exactly one copy, the deferred one too" "" "$bad"
check_eq "the member refused at RCPT has none" 0 "$(maildir_count smtp-reject-x@example.test)"
check_eq "the poster got no bounce" 0 "$(maildir_count poster@other.test)"
check_eq "nothing in the catch-all" 0 "$(catchall_count)"
check_eq "the copies came in over SMTP from listdeliver, with VERP senders" 21 \
    "$(grep -c '<= dev-bounces+[^ ]*@lists.test H=.*\[127\.0\.0\.1\] P=esmtp' "$T/log/mainlog")"
check_eq "the refused member was tried once" 1 \
    "$(grep -c 'F=<dev-bounces+smtp-reject-x=example.test@lists.test> rejected RCPT <smtp-reject-x@example.test>' "$T/log/rejectlog")"
check_eq "the deferred member was tried twice: once deferred" 1 \
    "$(grep -c 'F=<dev-bounces+smtp-defer-y=example.test@lists.test> temporarily rejected RCPT' "$T/log/rejectlog")"
check_match "the refused member's row keeps Exim's reason" \
    "^smtp-reject-x@example.test\|relay 127\\.0\\.0\\.1:$PORT said 550 no such user here$" \
    "$(as_run_user "$RF_PYTHON" -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute("SELECT address, last_error FROM delivery_recipients"):
    print("%s|%s" % r)' "$STATE/reflector.db")"
c=$(maildir_files m07@example.test | head -1)
check_eq "VERP envelope: Return-path" '<dev-bounces+m07=example.test@lists.test>' "$(hdr "$c" Return-path)"
check_match "its own one-click link" '^<http://127\.0\.0\.1:8025/u/[A-Za-z0-9_-]{27}>, <mailto:dev-leave@lists\.test>$' \
    "$(hdr "$c" List-Unsubscribe)"
check_eq "List-Unsubscribe-Post" 'List-Unsubscribe=One-Click' "$(hdr "$c" List-Unsubscribe-Post)"
check "another member's link differs" test "$(hdr "$c" List-Unsubscribe)" != \
    "$(hdr "$(maildir_files m08@example.test | head -1)" List-Unsubscribe)"
b=$(body "$c")
check_match "a line starting with a dot arrives intact" '^\.hidden line after a dot$' "$b"
check_match "and one with two dots" '^\.\.two dots$' "$b"
check_match "the last line too" 'Last line\.' "$b"
exim_check_clean
rf_done
