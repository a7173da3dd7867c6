#!/bin/bash
# t-bounce-forged.sh - forged bounces (issue 11, finding 8), with
# listdeliver and a sendmail stub that keeps each copy's argv: anyone could
# send a bounce to LIST-bounces+victim=... and push a member toward
# removal, and a member's bounce could link posts from before they joined
# to their /r/ page.  Now every copy's VERP address carries a short keyed
# authenticator; a bounce whose address has none, or a wrong one, or
# another member's, is parsed and logged but counts for nothing (no score,
# no link, no notice); the real address counts; the addresses without one
# of the posts already out when a site upgrades count for a transition of
# 14 days; and a bounce links only the posts that were sent to its member.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv
rf_tmpdir
mkdir -p "$TD/bin" "$TD/out"
mkdir -m 0750 "$TD/state"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
printf '#!/bin/sh\nfor a; do rcpt=$a; done\nprintf "%%s\\n" "$*" >> "%s/out/argv"\ncat > "%s/out/$rcpt.$$"\n' \
    "$TD" "$TD" > "$TD/bin/sendmail"
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n[web]\nbase_url = https://lists.test\n' \
    "$TD/state" "$TD/bin/sendmail" > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
NOW=1800000000
DAY=86400
ctl() { rf_as_user env REFLECTOR_TEST_NOW=$NOW "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ld() {   # ld RECIPIENT < message; sets RC
    rf_as_user env REFLECTOR_TEST_NOW=$NOW "$TD/bin/listdeliver" --config "$TD/reflector.conf" "$1" \
        > /dev/null 2> "$TD/ld.err"
    RC=$?
}
sql() { rf_as_user "$RF_PYTHON" -c 'import sqlite3, sys
print("\n".join("|".join(map(str, r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' \
    "$TD/state/reflector.db" "$1"; }
score() { sql "SELECT score FROM member_bounces WHERE address = '$1'" | grep . || echo 0; }
verp_of() { grep -- "-- $1\$" "$TD/out/argv" | sed 's/.*-f \([^ ]*\) .*/\1/' | tail -1; }
post() {   # post ID: a post to the list
    printf 'From: poster@other.test\nTo: dev@lists.test\nSubject: post %s\nMessage-ID: <%s@other.test>\n\nText of %s.\n' \
        "$1" "$1" "$1" > "$TD/post"
    ld dev@lists.test < "$TD/post"
}
dsn() {   # dsn TO MEMBER ORIGINAL-ID: a permanent failure, as an MTA sends it
    printf 'From: MAILER-DAEMON@mx.example.test\nTo: %s\nSubject: Undelivered Mail\n' "$1"
    printf 'Message-ID: <dsn.%s@mx.example.test>\nMIME-Version: 1.0\n' "$RANDOM$RANDOM"
    printf 'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
    printf -- '--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.test\n\n'
    printf 'Final-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 no such user\n\n' "$2"
    printf -- '--B\nContent-Type: text/rfc822-headers\n\nMessage-ID: <%s>\n\n--B--\n' "$3"
}
bounce() {   # bounce TO MEMBER ORIGINAL-ID
    dsn "$@" > "$TD/bounce"
    ld "$1" < "$TD/bounce"
}

ctl create dev@lists.test > /dev/null 2>&1 && ctl set dev@lists.test posting open > /dev/null &&
ctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null
ok "list dev with alice and bob"
post p1
check_eq "a post went out" 0 "$RC"
VERP_BOB=$(verp_of bob@example.test)
VERP_ALICE=$(verp_of alice@example.test)
check_match "bob's copy: a VERP address with an 8-character authenticator" \
    '^dev-bounces\+[a-z2-7]{8}\+bob=example\.test@lists\.test$' "$VERP_BOB"

# --- forged: counted for nothing ---------------------------------------------------
auth_alice=$(sed 's/^dev-bounces+\([a-z2-7]*\)+.*/\1/' <<< "$VERP_ALICE")
for forged in 'dev-bounces+bob=example.test@lists.test' \
              'dev-bounces+aaaaaaaa+bob=example.test@lists.test' \
              "dev-bounces+$auth_alice+bob=example.test@lists.test"; do
    for d in 0 1 2 3 4 5 6; do
        NOW=$((1800000000 + d * DAY)) bounce "$forged" bob@example.test p1@other.test
    done
    check_eq "7 days of bounces to $forged: exit 0" 0 "$RC"
done
NOW=1800000000
check_eq "bob's score did not move" 0 "$(score bob@example.test)"
check_eq "bob is still a member, delivery on" "bob@example.test" "$(ctl members dev@lists.test | grep bob)"
check_eq "each was logged as not counted" 21 \
    "$(sql "SELECT count(*) FROM activity WHERE action = 'bounce-unauthenticated'")"
check_match "saying why" 'without an authenticator: not counted|whose authenticator does not hold: not counted' \
    "$(sql "SELECT detail FROM activity WHERE action = 'bounce-unauthenticated' LIMIT 1")"
check_eq "and nothing linked for bob's page" 0 "$(sql 'SELECT count(*) FROM redelivery_bounces')"
check_eq "no notice went to bob" 0 "$(grep -c 'Messages of dev@lists.test' "$TD"/out/bob@example.test.* 2>/dev/null | awk -F: '{s+=$2} END {print s+0}')"

# --- the real address: counted ---------------------------------------------------------
bounce "$VERP_BOB" bob@example.test p1@other.test
check_eq "a bounce to bob's own VERP address: exit 0" 0 "$RC"
check_eq "counts: score 1" 1 "$(score bob@example.test)"
check_eq "and links post 1, which was sent to bob" "bob@example.test|p1@other.test" \
    "$(sql 'SELECT b.member, p.message_id FROM redelivery_bounces b JOIN redelivery_posts p ON p.id = b.post_id')"
NOW=$((1800000000 + DAY)) bounce "$VERP_BOB" bob@example.test p1@other.test
check_eq "the next day, again: score 2" 2 "$(score bob@example.test)"
# an MTA that lower-cased the address on the way back (Dave's D)
ctl subscribe dev@lists.test Dave@example.test > /dev/null
post p1b
VERP_DAVE=$(verp_of Dave@example.test)
bounce "$(tr 'A-Z' 'a-z' <<< "$VERP_DAVE")" dave@example.test p1b@other.test
check_eq "a lower-cased VERP address still counts for Dave@" 1 "$(score Dave@example.test)"
NOW=$((1800000000 + 6 * 7 * DAY)) bounce "$VERP_BOB" bob@example.test p1@other.test
check_eq "six weeks on, the address is too old: not counted" 2 "$(score bob@example.test)"

# --- only the posts sent to the member are linked -----------------------------------------
NOW=$((1800000000 + 30))
ctl subscribe dev@lists.test carol@example.test > /dev/null
NOW=$((1800000000 + 60))
post p2
VERP_CAROL=$(verp_of carol@example.test)
bounce "$VERP_CAROL" carol@example.test p1@other.test
check_eq "carol's bounce naming post 1, from before she joined: not linked" 0 \
    "$(sql "SELECT count(*) FROM redelivery_bounces WHERE member = 'carol@example.test'")"
bounce "$VERP_CAROL" carol@example.test p2@other.test
check_eq "naming post 2, which she got: linked" "p2@other.test" \
    "$(sql "SELECT p.message_id FROM redelivery_bounces b JOIN redelivery_posts p ON p.id = b.post_id WHERE b.member = 'carol@example.test'")"

# --- an upgraded site: the addresses without an authenticator count for 14 days ---------
rf_as_user "$RF_PYTHON" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("INSERT INTO site_events VALUES (?, ?)", ("verp-auth", int(sys.argv[2])))' \
    "$TD/state/reflector.db" "$NOW"
NOW=$((NOW + 2 * DAY)) bounce 'dev-bounces+alice=example.test@lists.test' alice@example.test p2@other.test
check_eq "on a site that had sent posts, an old address counts in the transition" 1 \
    "$(score alice@example.test)"
NOW=$((NOW + 15 * DAY)) bounce 'dev-bounces+alice=example.test@lists.test' alice@example.test p2@other.test
check_eq "and not after it" 1 "$(score alice@example.test)"
rf_done
