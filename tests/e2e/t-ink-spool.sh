#!/bin/bash
# t-ink-spool.sh - issue 16, Disappearing Ink, through listdeliver itself
# (the MTA out of the picture: sendmail is a stub that keeps each copy and
# fails for a member when told to by $TD/fail/<member>): while a delivery
# waits for the MTA's retry, the spool holds the notice and the copy to
# keep, never the post; the retry sends the same link (one ink post, not
# two) and leaves the spool empty; a post whose header GMime cannot read
# line for line, which other lists pass through as received, goes to the
# page too.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv sqlite3
rf_tmpdir

[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state" "$TD/out" "$TD/fail"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
if [ -f "$TD/fail/\$rcpt" ]; then cat > /dev/null; echo "stub: refusing \$rcpt" >&2; exit \$(cat "$TD/fail/\$rcpt"); fi
cat > "$TD/out/\$rcpt.\$(date +%s%N)\$(printf %07d \$\$)"
EOF
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n[web]\nbase_url = https://lists.test\n[dmarc]\nresolver = none\n' \
    "$TD/state" "$TD/bin/sendmail" > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
ld() {   # ld < message: listdeliver for dev@lists.test; sets RC
    rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" -f poster@other.test \
        dev@lists.test > "$TD/ld.out" 2> "$TD/ld.err"
    RC=$?
}
sql() { rf_as_user sqlite3 "$TD/state/reflector.db" "$1"; }
link_of() { grep -ohE 'https://lists.test/ink/[A-Za-z0-9_-]{43}' "$@" | sort -u; }

ctl create dev@lists.test > /dev/null &&
ctl set dev@lists.test posting open &&
ctl set dev@lists.test disappearing_ink 3d &&
ctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null
ok "list dev: disappearing_ink 3d, alice and bob"

PHRASE="the quiet heron $RANDOM$RANDOM"
printf 'From: Poster <poster@other.test>\nTo: dev@lists.test\nSubject: Harbour plans\nDate: Sun, 29 Nov 2026 10:00:00 +0000\nMessage-ID: <ink.%s@other.test>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n%s\n' \
    "$RANDOM" "$PHRASE" > "$TD/m1"

# bob's copy fails for now: 75, and the MTA keeps the post
echo 75 > "$TD/fail/bob@example.test"
ld < "$TD/m1"
check_eq "a copy that fails for now: exit 75" 75 "$RC"
check_eq "alice has her copy" 1 "$(ls "$TD/out" | grep -c '^alice@')"
check_eq "one ink post" 1 "$(sql 'SELECT count(*) FROM ink_posts')"
check_eq "expiring in 3 days" 259200 "$(sql 'SELECT expires - created FROM ink_posts')"
spool=$(ls "$TD/state/spool" | sed 's/^[0-9a-f]*\.//' | sort | tr '\n' ' ')
check_eq "the spool holds the notice, the copy to keep and the lock, not the post" "kept lock out " "$spool"
check_eq "no spool file holds the post" "" "$(grep -l -F "$PHRASE" "$TD/state/spool"/* 2>/dev/null)"
check_eq "no file of the state directory does" "" "$(grep -rl -F "$PHRASE" "$TD/state")"
token=$(link_of "$TD/state/spool"/*.out); token=${token##*/}
check_match "the notice has the link" '^[A-Za-z0-9_-]{43}$' "$token"
check_eq "the copy to keep has no link" 0 "$(grep -c -F -e "$token" "$TD/state/spool"/*.kept)"
check_match "it says where the link is" 'the link is only in the copies sent to the members' \
    "$(cat "$TD/state/spool"/*.kept)"

# the MTA's retry: the same message again
rm "$TD/fail/bob@example.test"
ld < "$TD/m1"
check_eq "the retry: exit 0" 0 "$RC"
check_eq "bob has his copy now" 1 "$(ls "$TD/out" | grep -c '^bob@')"
check_eq "alice got no second one" 1 "$(ls "$TD/out" | grep -c '^alice@')"
check_eq "both copies have the same link" "https://lists.test/ink/$token" "$(link_of "$TD/out"/*)"
check_eq "still one ink post: the retry sealed nothing again" 1 "$(sql 'SELECT count(*) FROM ink_posts')"
check_eq "the spool is empty" "" "$(ls "$TD/state/spool")"
check_eq "no copy holds the post" "" "$(grep -l -F "$PHRASE" "$TD/out"/*)"

# a header GMime cannot read line for line: elsewhere it goes out as
# received (pass-through); an ink list never sends it
rm -f "$TD/out"/*
printf 'From: poster@other.test\nTo: dev@lists.test\nSubject: no separator\ncounter to RFC 2822, %s\nmore body\n' \
    "$PHRASE" > "$TD/m2"
ld < "$TD/m2"
check_eq "a post with a broken header: exit 0" 0 "$RC"
check_eq "two copies" 2 "$(ls "$TD/out" | wc -l)"
check_eq "neither holds its text" "" "$(grep -l -F "$PHRASE" "$TD/out"/*)"
check_eq "both are the notice" 2 "$(grep -l 'is on a protected page until' "$TD/out"/* | wc -l)"
check_eq "not passed through" 0 "$(sql "SELECT count(*) FROM activity WHERE action = 'pass-through'")"
check_eq "a second ink post" 2 "$(sql 'SELECT count(*) FROM ink_posts')"
check_eq "the activity log says so, without a word of the post" \
    "ink|the post went to a protected page for 3 days, 0 files with it" \
    "$(sql "SELECT action, detail FROM activity WHERE action = 'ink' ORDER BY id DESC LIMIT 1")"
check_eq "no file of the state directory holds a post" "" "$(grep -rl -F "$PHRASE" "$TD/state")"
rf_done
