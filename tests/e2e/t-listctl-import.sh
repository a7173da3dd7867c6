#!/bin/bash
# t-listctl-import.sh - listctl subscribe --file refuses the junk an
# import file carries (issue 11, finding 9), naming each line: an unclosed
# angle bracket, a label that starts with '-', a byte-order mark glued to
# the first address, and an address cut short at a ';'.  Nothing is
# subscribed while a line is bad; with the bad lines removed, every good
# one goes in as written.  The same addresses on the command line: 65.
source "$RF_TESTS/lib/common.sh"
rf_need setpriv
rf_tmpdir
ST=$TD/state
mkdir -p "$ST"
printf '[paths]\nstate_dir = %s\n' "$ST" > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
cp "$RF_BIN/listctl" "$TD/listctl"
ctl() { rf_as_user "$TD/listctl" --config "$TD/reflector.conf" "$@"; }
ctl create dev@lists.test > /dev/null
ok "a list"

# line 1: a BOM glued to the first address, as Windows tools write it
printf '\xef\xbb\xbfann@example.test\ngood1@example.test\n<bob@example.test\nbad@-x.test\n# a comment\n\ncarol@example.test;rm\ngood2@example.test\nDan <dan@example.test>\n' \
    > "$TD/import.txt"
chmod 644 "$TD/import.txt"
ctl subscribe dev@lists.test --file "$TD/import.txt" > "$TD/out" 2> "$TD/err"
check_eq "an import with bad lines: exit 65" 65 "$?"
for n in 1 3 4 7; do
    check_match "line $n is named" "import.txt:$n: " "$(cat "$TD/err")"
done
check_eq "and only those four" 4 "$(grep -c 'import.txt:[0-9]*: ' "$TD/err")"
check_match "line 1: the mark is named" 'import.txt:1: .*invisible character' "$(cat "$TD/err")"
check_match "line 3: the bracket is named" 'import.txt:3: .*angle brackets' "$(cat "$TD/err")"
check_match "line 4: the domain is named" 'import.txt:4: .*domain' "$(cat "$TD/err")"
check_eq "nothing was subscribed" "" "$(ctl members dev@lists.test)"
check_eq "no address was shortened to ann, bob or carol" "" \
    "$(ctl members dev@lists.test | grep -E '^(ann|bob|carol)@')"

printf 'good1@example.test\n# a comment\n\ngood2@example.test\nDan <dan@example.test>\n' > "$TD/import.txt"
ctl subscribe dev@lists.test --file "$TD/import.txt" > /dev/null 2> "$TD/err"
check_eq "the good lines alone: exit 0" 0 "$?"
check_eq "and they are members, as written" "dan@example.test good1@example.test good2@example.test" \
    "$(ctl members dev@lists.test | sort | paste -sd' ')"
for bad in '<eve@example.test' 'eve@-example.test' 'eve@example.test;rm' $'\xef\xbb\xbfeve@example.test'; do
    ctl subscribe dev@lists.test "$bad" > /dev/null 2>&1
    rc=$?
    check_eq "on the command line too: $(printf '%q' "$bad") is refused (65)" 65 "$rc"
done
rf_done
