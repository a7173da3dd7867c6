#!/bin/bash
# t-ranges.sh - one range and one meaning for each number a sysadmin sets
# (issue 12, fault 5), as listctl and listdeliver answer them: [delivery]
# parallel 1 to 256 (the transports' own limit; the file took up to 1024);
# an int setting 0 to 1000000 (bounce_threshold 4294967296 was taken
# without a word); a size 0 to 1G, where max_message_size 0 means no limit
# of the list's own.  sendmail is a stub that keeps each copy.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv
rf_tmpdir

[ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
mkdir -p "$TD/bin" "$TD/state" "$TD/out"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
cat > "$TD/bin/sendmail" <<EOF
#!/bin/sh
for a; do rcpt=\$a; done
cat > "$TD/out/\$rcpt.\$(date +%s%N)\$(printf %07d \$\$)"
EOF
chmod 755 "$TD/bin/sendmail"
conf() {   # conf FILE PARALLEL
    printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\nparallel = %s\n[dmarc]\nresolver = none\n' \
        "$TD/state" "$TD/bin/sendmail" "$2" > "$1"
}
conf "$TD/reflector.conf" 256
conf "$TD/parallel-1024.conf" 1024
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
ctl() { rf_as_user "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }
# run CMD...: sets RC, OUT (stdout and stderr)
run() { OUT=$("$@" 2>&1); RC=$?; }
post() {   # post SUBJECT BODY-BYTES: a post of about that size from alice
    printf 'From: alice@example.test\nTo: dev@lists.test\nSubject: %s\n' "$1"
    printf 'Message-ID: <%s.%s@example.test>\nMIME-Version: 1.0\n' "$(echo "$1" | tr -c 'a-z0-9' -)" "$RANDOM"
    printf 'Content-Type: text/plain; charset=utf-8\n\n'
    head -c "$2" /dev/zero | tr '\0' 'x' | fold -w 70
}
copies() { ls "$TD/out" | grep -c '@'; }

ctl create dev@lists.test > /dev/null &&
ctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null
ok "list dev, two members, parallel = 256 accepted"

# [delivery] parallel
run rf_as_user "$TD/bin/listctl" --config "$TD/parallel-1024.conf" show dev@lists.test
check_eq "parallel = 1024: listctl refuses the file (78)" 78 "$RC"
check_match "parallel = 1024: the line names the key and the range" \
    "parallel-1024.conf: \[delivery\] parallel: '1024' is not a number from 1 to 256" "$OUT"
post "parallel" 100 > "$TD/p0"
run rf_as_user "$TD/bin/listdeliver" --config "$TD/parallel-1024.conf" dev@lists.test < "$TD/p0"
check_eq "parallel = 1024: listdeliver keeps the post (75)" 75 "$RC"
check_match "parallel = 1024: listdeliver's line" "^listdeliver: .*\[delivery\] parallel: '1024' is not a number from 1 to 256" "$OUT"
check_eq "parallel = 1024: nothing sent" 0 "$(copies)"

# int settings
for v in 4294967296 1000001 18446744073709551616; do
    run ctl set dev@lists.test bounce_threshold "$v"
    check_eq "bounce_threshold $v refused (65)" 65 "$RC"
    check_match "bounce_threshold $v: the line says the range" \
        "setting 'bounce_threshold': '$v' is out of range: a whole number from 0 to 1000000" "$OUT"
done
check_eq "bounce_threshold unchanged" 5 "$(ctl get dev@lists.test bounce_threshold)"
run ctl set dev@lists.test bounce_threshold 1000000
check_eq "bounce_threshold 1000000 taken" "0:1000000" "$RC:$(ctl get dev@lists.test bounce_threshold)"
check_match "listctl help settings shows the range" '^bounce_threshold +int +5 +0 to 1000000 ' \
    "$(ctl help settings)"

# sizes, and what 0 means
run ctl set dev@lists.test max_message_size 2G
check_eq "max_message_size 2G refused (65)" 65 "$RC"
check_match "max_message_size 2G: the line says the range and what 0 means" \
    "setting 'max_message_size': '2G' is more than 1G .*0 means no limit of the list's own" "$OUT"
ctl set dev@lists.test max_message_size 1000
post "small limit" 3000 > "$TD/p1"
run rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" dev@lists.test < "$TD/p1"
# a post over the list's limit waits for a moderator (issue 10), unsent
check_eq "max_message_size 1000: a 3 kB post is not sent (exit 0, no copy)" "0:0" "$RC:$(copies)"
check_match "... it is held, for being bigger than max_message_size (1000)" \
    'more than max_message_size \(1000\)' "$(ctl held dev@lists.test)"
run ctl set dev@lists.test max_message_size 0
check_eq "max_message_size 0 taken" "0:0" "$RC:$(ctl get dev@lists.test max_message_size)"
post "no limit" 3000000 > "$TD/p2"
run rf_as_user "$TD/bin/listdeliver" --config "$TD/reflector.conf" dev@lists.test < "$TD/p2"
check_eq "max_message_size 0: a 3 MB post goes out (no limit of the list's own)" "0:2" "$RC:$(copies)"
check_match "the help of max_message_size says what 0 means" \
    "0 means no limit of the list's own: the MTA's message size limit is then the only one" \
    "$(ctl help settings | grep '^max_message_size')"
rf_done
