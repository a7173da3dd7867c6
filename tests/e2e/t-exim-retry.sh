#!/bin/bash
# t-exim-retry.sh - sendmail fails temporarily (75) for some members on its
# first attempts: listdeliver exits 75, Exim defers and retries the pipe, the
# retries send only to the members not reached yet, and in the end every
# member has exactly one copy.  A member whose sendmail fails permanently
# (67) is tried once and never again.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
rf_tmpdir
# shellcheck disable=SC2034  # read by exim_up
RF_SENDMAIL=$TD/bin/flaky-sendmail
exim_up

FAILS=2   # attempts that fail per flaky member before it is accepted
cat > "$T/bin/flaky-sendmail" <<EOF
#!/bin/sh
# test sendmail: records each call, fails $FAILS times with 75 for the members
# listed in $T/flaky, always with 67 for gone@example.test, else hands over to Exim
for a; do rcpt=\$a; done
echo "\$rcpt" >> "$T/calls"
if [ "\$rcpt" = gone@example.test ]; then echo "flaky-sendmail: no such user" >&2; exit 67; fi
if grep -qxF "\$rcpt" "$T/flaky"; then
    n=\$(cat "$T/attempts/\$rcpt" 2>/dev/null || echo 0)
    if [ "\$n" -lt $FAILS ]; then
        echo \$((n + 1)) > "$T/attempts/\$rcpt"
        echo "flaky-sendmail: try again later" >&2
        exit 75
    fi
fi
exec "$T/bin/sendmail" "\$@"
EOF
chmod 755 "$T/bin/flaky-sendmail"
as_run_user mkdir -p "$T/attempts"
as_run_user touch "$T/calls"

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl set dev@lists.test posting open > /dev/null
ok "list dev, posting=open"
for i in $(seq -w 1 20); do echo "m$i@example.test"; done > "$T/members"
printf 'm05@example.test\nm10@example.test\nm17@example.test\n' > "$T/flaky"
{ cat "$T/members"; echo gone@example.test; } | rf_listctl subscribe dev@lists.test - > /dev/null
ok "21 members, 3 of them flaky, 1 gone"
# shellcheck disable=SC2046
add_mailbox $(cat "$T/members") poster@other.test

mkmsg "$T/m1" poster@other.test dev@lists.test 'Try, try again' 'Persistence.'
post poster@other.test dev@lists.test "$T/m1"
ok "SMTP accepted the post"
exim_wait_idle 120
ok "queue drained (retries done)"

log=$(cat "$T/log/mainlog")
check_eq "Exim deferred the pipe $FAILS times on exit 75" "$FAILS" \
    "$(grep -c 'dev@lists.test .*R=reflector_list T=reflector_pipe defer (0): .*returned 75' "$T/log/mainlog")"
check_match "the defer carries listdeliver's reason" '== dev@lists.test .*returned 75' "$log"
check_match "then the pipe succeeded" '=> dev <dev@lists.test> .*R=reflector_list T=reflector_pipe' "$log"
bad=
for a in $(cat "$T/members"); do
    n=$(maildir_count "$a")
    [ "$n" = 1 ] || bad="$bad $a:$n"
done
check_eq "every member has exactly one copy" "" "$bad"
sort "$T/calls" | uniq -c | awk '{ print $2, $1 }' > "$T/call-counts"
check_eq "members accepted at once were sent exactly once" "" \
    "$(awk 'NR == FNR { f[$1] = 1; next } !($1 in f) && $1 != "gone@example.test" && $2 != 1' "$T/flaky" "$T/call-counts")"
check_eq "flaky members were tried $((FAILS + 1)) times each" "" \
    "$(awk -v n=$((FAILS + 1)) 'NR == FNR { f[$1] = 1; next } ($1 in f) && $2 != n' "$T/flaky" "$T/call-counts")"
check_eq "every member was tried" 21 "$(wc -l < "$T/call-counts")"
check_eq "a permanent failure (67) is not retried" "gone@example.test 1" "$(grep '^gone@' "$T/call-counts")"
check_eq "the poster got no bounce" 0 "$(maildir_count poster@other.test)"

exim_check_clean
rf_done
