#!/bin/bash
# t-listctl-bounces.sh - real bounces (sisimai's samples) piped to
# listdeliver at the VERP addresses of a list's members, over injected days
# (REFLECTOR_TEST_NOW), and what listctl bounces / reenable / sweep show and
# do: five permanent bounces on five days disable a member and the next post
# skips them; policy and temporary bounces and an auto-reply never raise a
# score; the hashed VERP form finds its member; a bounce for a non-member
# exits 0 and changes nothing; reenable delivers again; sweep mails notices
# (issue 17: a notice the transport cannot take is not counted, sweep says
# so in one line and exits 75, the other lists are swept) and then removes.
# sendmail is a stub that keeps each copy and its argv, and fails (75) for
# a recipient with a file fail-<address>.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv
rf_tmpdir

S=$RF_TESTS/data/corpus/sisimai
[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
[ -x "$RF_BIN/listctl" ] || { echo "not ok - $RF_BIN/listctl is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state" "$TD/out" "$TD/mail"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
# the workers run as the test user, who may not reach the tree
cp "$S"/maildir__bsd__lhost-postfix-04.eml "$S"/maildir__bsd__lhost-postfix-06.eml \
   "$S"/maildir__bsd__lhost-postfix-13.eml "$S"/maildir__bsd__lhost-sendmail-01.eml \
   "$S"/maildir__bsd__lhost-exim-05.eml "$S"/maildir__bsd__lhost-postfix-70.eml \
   "$S"/maildir__bsd__lhost-sendmail-58.eml "$S"/maildir__bsd__lhost-postfix-08.eml \
   "$S"/maildir__bsd__rfc3834-01.eml "$S"/maildir__bsd__lhost-gmail-01.eml "$TD/mail/"
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
# argv is [-oi -f VERP -- member]
for a; do rcpt=\$a; done
printf '%s\n' "\$*" >> "$TD/out/argv"
if [ -e "$TD/out/fail-\$rcpt" ]; then cat > /dev/null; echo 'relay down' >&2; exit 75; fi
cat > "$TD/out/\$rcpt.\$(date +%s%N)\$(printf %07d \$\$)"
EOF
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = 2\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/bin/sendmail" > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"

DAY=86400
T0=1790000000
NOW=$T0
ctl() { rf_as_user env REFLECTOR_TEST_NOW="$NOW" "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
# bounce SAMPLE TO: pipe a sisimai sample to listdeliver for address TO; sets RC
bounce() {
    rf_as_user env REFLECTOR_TEST_NOW="$NOW" "$TD/bin/listdeliver" --config "$TD/reflector.conf" \
        -f '' "$2" < "$TD/mail/$1" > "$TD/ld.out" 2> "$TD/ld.err"
    RC=$?
}
post() {   # post SUBJECT: a small post from a member; sets RC
    printf 'From: bob@example.test\nTo: dev@lists.test\nSubject: %s\nMessage-ID: <%s@example.test>\n' \
        "$1" "$RANDOM$RANDOM"
    printf 'MIME-Version: 1.0\nContent-Type: text/plain\n\nHello.\n'
}
send_post() {
    rm -f "$TD/out"/*@*
    post "$1" | rf_as_user env REFLECTOR_TEST_NOW="$NOW" "$TD/bin/listdeliver" \
        --config "$TD/reflector.conf" -f bob@example.test dev@lists.test > /dev/null 2>&1
    RC=$?
}
got_copy() { ls "$TD/out" | grep -q "^$1\." ; }
# field ADDRESS KEY: a field of a member in 'listctl bounces --json'
field() {
    ctl bounces dev@lists.test --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = [x for x in d["members"] if x["address"] == sys.argv[1]]
print(m[0][sys.argv[2]] if m else "none")' "$1" "$2"
}
policy_count() {
    ctl bounces dev@lists.test --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(x["count"] for x in d["policy_refusals"] if x["domain"] == sys.argv[1]))' "$1"
}

ANN=ann@example.com       # permanent bounces
POL=pat@example.org       # policy refusals
TMP=tim@example.net       # temporary failures and an auto-reply
ODD='odd+tag@example.org' # '+' is unsafe in a VERP local part: hashed form
ctl create dev@lists.test > /dev/null; ok "list created"
ctl subscribe dev@lists.test "$ANN" "$POL" "$TMP" "$ODD" bob@example.test > /dev/null; ok "five members"
ctl set dev@lists.test posting members

# the VERP addresses, as the copies of a post carry them
send_post "first"
check_eq "first post: exit 0" 0 "$RC"
verp_of() { grep -- "-- $1\$" "$TD/out/argv" | sed 's/.*-f \([^ ]*\) .*/\1/' | tail -1; }
VERP_ANN=$(verp_of "$ANN")
VERP_ODD=$(verp_of "$ODD")
VERP_POL=$(verp_of "$POL")
VERP_TMP=$(verp_of "$TMP")
# (issue 11: an authenticator of 8 characters after the '+')
check_match "VERP of ann" '^dev-bounces\+[a-z2-7]{8}\+ann=example\.com@lists\.test$' "$VERP_ANN"
check_match "VERP of odd+tag is the hashed form" '^dev-bounces\+[a-z2-7]{8}\+h[a-z2-7]+@lists\.test$' \
    "$VERP_ODD"

# permanent: five real bounces (other MTAs, other addresses inside: the
# VERP address names the member), one a day
i=0
for s in maildir__bsd__lhost-postfix-04.eml maildir__bsd__lhost-postfix-06.eml \
         maildir__bsd__lhost-postfix-13.eml maildir__bsd__lhost-sendmail-01.eml \
         maildir__bsd__lhost-exim-05.eml; do
    NOW=$((T0 + i * DAY))
    bounce "$s" "$VERP_ANN"
    check_eq "day $i: $s to ann's VERP: exit 0" 0 "$RC"
    i=$((i + 1))
    if [ $i -lt 5 ]; then
        check_eq "day $((i - 1)): ann's score $i" "$i" "$(field "$ANN" score)"
        check_eq "day $((i - 1)): ann still enabled" enabled "$(field "$ANN" state)"
    fi
    # a second bounce the same day counts nothing
    if [ $i = 2 ]; then
        NOW=$((NOW + 3600)); bounce maildir__bsd__lhost-gmail-01.eml "$VERP_ANN"
        check_eq "same day, another bounce: score still 2" 2 "$(field "$ANN" score)"
    fi
done
check_eq "after 5 days: score 5" 5 "$(field "$ANN" score)"
check_eq "after 5 days: delivery disabled" disabled-bounce "$(field "$ANN" state)"
check_eq "last class permanent" permanent "$(field "$ANN" last_class)"
check_match "last reason has the remote answer" '5\.1\.1' "$(field "$ANN" last_reason)"
check_match "listctl bounces (text) shows ann disabled" \
    "^$ANN +disabled-bounce +5/5" "$(ctl bounces dev@lists.test)"

send_post "second"
check_eq "second post: exit 0" 0 "$RC"
check "second post: no copy for the disabled member" bash -c "! ls '$TD/out' | grep -q '^$ANN\.'"
check "second post: bob still gets his" got_copy bob@example.test

# policy: DMARC / authentication refusals, every day for a week: no score
for d in 0 1 2 3 4 5 6; do
    NOW=$((T0 + d * DAY))
    bounce maildir__bsd__lhost-postfix-70.eml "$VERP_POL"
    [ "$RC" = 0 ] || break
done
check_eq "policy bounces: exit 0" 0 "$RC"
check_eq "policy bounces never raise the score" 0 "$(field "$POL" score)"
check_eq "policy: still enabled" enabled "$(field "$POL" state)"
check_eq "policy: last class" policy "$(field "$POL" last_class)"
check_eq "policy refusals counted for the receiving domain" 7 "$(policy_count example.org)"

# temporary and an auto-reply: nothing
bounce maildir__bsd__lhost-postfix-08.eml "$VERP_TMP"
check_eq "temporary: exit 0" 0 "$RC"
check_eq "temporary: score 0" 0 "$(field "$TMP" score)"
check_eq "temporary: class" temporary "$(field "$TMP" last_class)"
bounce maildir__bsd__rfc3834-01.eml "$VERP_TMP"
check_eq "auto-reply: exit 0" 0 "$RC"
check_eq "auto-reply: still temporary as last class (not recorded)" temporary "$(field "$TMP" last_class)"

# the hashed VERP form
bounce maildir__bsd__lhost-postfix-04.eml "$VERP_ODD"
check_eq "hashed VERP: exit 0" 0 "$RC"
check_eq "hashed VERP: the member is found and scored" 1 "$(field "$ODD" score)"

# a non-member: exit 0, nothing recorded
bounce maildir__bsd__lhost-postfix-04.eml "dev-bounces+stranger=example.com@lists.test"
check_eq "non-member bounce: exit 0" 0 "$RC"
check_eq "non-member bounce: nothing recorded" none "$(field stranger@example.com score)"

# an MTA that lower-cased the VERP local part on the way back
ctl subscribe dev@lists.test Cat@example.com > /dev/null
send_post "for cat"
bounce maildir__bsd__lhost-postfix-04.eml "$(verp_of Cat@example.com | tr 'A-Z' 'a-z')"
check_eq "lower-cased VERP: exit 0" 0 "$RC"
check_eq "lower-cased VERP: Cat@example.com is found and scored" 1 "$(field Cat@example.com score)"
ctl unsubscribe dev@lists.test Cat@example.com > /dev/null

# reenable
out=$(ctl reenable dev@lists.test "$ANN")
check_eq "reenable: exit 0" 0 "$?"
check_match "reenable: says so" 're-enabled ann@example.com' "$out"
check_eq "reenable: enabled" enabled "$(field "$ANN" state)"
check_eq "reenable: score 0" 0 "$(field "$ANN" score)"
send_post "third"
check "third post: ann gets a copy again" got_copy "$ANN"
ctl reenable dev@lists.test nobody@example.com 2> "$TD/err"
check_eq "reenable a non-member: exit 67" 67 "$?"
check_match "reenable a non-member: one line" '^listctl: .*not a member' "$(cat "$TD/err")"

# disable again, then sweep: 3 notices 7 days apart, then removal
for d in 10 11 12 13 14; do
    NOW=$((T0 + d * DAY)); bounce maildir__bsd__lhost-postfix-04.eml "$VERP_ANN"
done
check_eq "disabled again" disabled-bounce "$(field "$ANN" state)"
# a second list whose member zed is disabled by one bounce
ctl create two@lists.test > /dev/null
ctl subscribe two@lists.test bob@example.test zed@example.org > /dev/null
ctl set two@lists.test bounce_threshold 1
post "to two" | sed 's/^To: dev@/To: two@/' | rf_as_user env REFLECTOR_TEST_NOW="$NOW" \
    "$TD/bin/listdeliver" --config "$TD/reflector.conf" -f bob@example.test two@lists.test > /dev/null 2>&1
bounce maildir__bsd__lhost-postfix-04.eml "$(verp_of zed@example.org)"
check_eq "zed disabled on two@ by one bounce" disabled-bounce \
    "$(ctl bounces two@lists.test --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["members"][0]["state"])')"
rm -f "$TD/out"/*@*
# the transport down for ann: her notice is not counted, two@ is swept
touch "$TD/out/fail-$ANN"
NOW=$((T0 + 14 * DAY)); out=$(ctl sweep 2> "$TD/err"); rc=$?
check_eq "sweep with ann's notice refused for now: exit 75 (cron sees it)" 75 "$rc"
check_eq "... one line on stderr (besides the test's state directory warning)" 1 \
    "$(grep -vc 'warning: others may read' "$TD/err")"
check_match "... saying which list, how many, and why" \
    '^listctl: dev@lists\.test: 1 bounce notice not sent, tried again at the next sweep: .*relay down' "$(cat "$TD/err")"
check_eq "... no token in it" 0 "$(grep -c 'confirm+' "$TD/err")"
check_eq "... the other list swept all the same" 'two@lists.test: 1 notice sent, 0 members removed' "$out"
check "... zed got the notice" got_copy zed@example.org
check_eq "ann's notice not counted" 0 "$(field "$ANN" notices)"
rm -f "$TD/out/fail-$ANN"
ctl reenable two@lists.test zed@example.org > /dev/null   # two@ is done with
out=$(ctl sweep)
check_match "sweep again, the transport back: ann's first notice" 'dev@lists.test: 1 notice sent, 0 members removed' "$out"
notice=$(ls "$TD/out/$ANN".* 2>/dev/null | head -1)
check "ann got the notice mail" test -n "$notice"
check_match "... saying delivery stopped" '^Subject: Mail from dev@lists\.test to you is stopped' "$(cat "$notice" 2>/dev/null)"
check_match "... with the reply address to keep the subscription" 'dev-confirm\+[a-z2-7]{52}@lists\.test' "$(cat "$notice" 2>/dev/null)"
check_match "... and the removal date, 3 weeks on" "removed from the list on $(date -u -d @$((NOW + 21 * DAY)) +%F) \\(UTC\\)" "$(cat "$notice" 2>/dev/null)"
NOW=$((T0 + 15 * DAY)); out=$(ctl sweep dev@lists.test)
check_eq "sweep next day: nothing to do, nothing said (cron)" "" "$out"
out=$(ctl sweep -v dev@lists.test)
check_eq "sweep -v next day: nothing to do" "nothing to do" "$out"
# the daily cleanup does the sweep of every list too
NOW=$((T0 + 21 * DAY)); out=$(ctl cleanup)
check_match "cleanup sends the second notice" '^bounces: 1 notice sent, 0 members removed$' "$out"
NOW=$((T0 + 28 * DAY)); ctl cleanup > /dev/null
check_eq "three notices sent" 3 "$(field "$ANN" notices)"
NOW=$((T0 + 35 * DAY)); out=$(ctl cleanup)
check_match "cleanup: removed after the last notice" '^bounces: 0 notices sent, 1 member removed$' "$out"
members=$(ctl members dev@lists.test)
check_eq "ann is no longer a member" "" "$(printf '%s\n' "$members" | grep -x "$ANN")"
check_eq "the others stay" 4 "$(ctl members dev@lists.test | wc -l)"

# every change of state is in the journal (read behind the library's back)
journal=$(python3 - "$TD/state/reflector.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for row in db.execute("SELECT event, subject FROM journal WHERE subject = 'ann@example.com' ORDER BY id"):
    print(*row)
EOF
)
check_match "journal: disable-bounce" 'disable-bounce ann@example.com' "$journal"
check_match "journal: enable" 'enable ann@example.com' "$journal"
check_match "journal: bounce-notice" 'bounce-notice ann@example.com' "$journal"
check_match "journal: unsubscribe" 'unsubscribe ann@example.com' "$journal"

rf_done
