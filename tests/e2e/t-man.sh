#!/bin/bash
# t-man.sh - every man page passes mandoc's lint; the list settings table of
# reflector.conf.5 is the one in lib/settings.c (via listctl), so the two
# cannot drift; listctl.8 documents every command of listctl's table.
source "$RF_TESTS/lib/common.sh"
rf_need mandoc diff sed
rf_tmpdir

pages=$(ls "$RF_SRC"/man/*.[0-9] 2>/dev/null)
[ -n "$pages" ]; ok "there are man pages"
for page in $pages; do
    out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
    check_eq "mandoc -Tlint -Wwarning $(basename "$page")" "" "$out"
done

# the settings block, between its markers, is what listctl generates
conf5=$RF_SRC/man/reflector.conf.5
sed -n '/^\.\\" BEGIN SETTINGS/,/^\.\\" END SETTINGS/p' "$conf5" | sed '1d;$d' > "$TD/page"
"$RF_BIN/listctl" help settings --mdoc > "$TD/table"
ok "listctl help settings --mdoc runs"
[ -s "$TD/page" ]; ok "reflector.conf.5 has the generated settings block"
if diff -u "$TD/page" "$TD/table" > "$TD/diff"; then ok "reflector.conf.5 settings match lib/settings.c"
else cat "$TD/diff"; false; ok "reflector.conf.5 settings match lib/settings.c (regenerate: listctl help settings --mdoc)"; fi

# every setting name of the plain table is in the page, with its default
"$RF_BIN/listctl" help settings | sed 1d > "$TD/plain"
while read -r name type default _; do
    [ "$default" = '""' ] && default=empty
    grep -q "^\.It Cm $name Pq Vt $type , default .*$default" "$conf5"
    ok "reflector.conf.5 documents '$name' ($type, default $default)"
done < "$TD/plain"

# every command of listctl's table is in listctl.8's SYNOPSIS and COMMANDS
"$RF_BIN/listctl" help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' > "$TD/commands"
[ "$(wc -l < "$TD/commands")" -ge 10 ]; ok "listctl help lists the commands"
while read -r c; do
    check "listctl.8 SYNOPSIS has '$c'" grep -q "^\.Cm $c\b" "$RF_SRC/man/listctl.8"
    check "listctl.8 COMMANDS has '$c'" grep -q "^\.It Cm $c\b" "$RF_SRC/man/listctl.8"
done < "$TD/commands"

# the exit codes of listctl.8 are the ones of the common contract
for code in 0 64 65 67 73 75 78; do
    check "listctl.8 EXIT STATUS lists $code" grep -q "^\.It $code\$" "$RF_SRC/man/listctl.8"
done

# listdeliver.8's EXIT STATUS has every code of DESIGN.md's table
check "listdeliver.8 has an EXIT STATUS section" grep -q '^\.Sh EXIT STATUS' "$RF_SRC/man/listdeliver.8"
for code in 0 65 67 75 77; do
    check "listdeliver.8 EXIT STATUS lists $code" grep -Eq "^\.It $code( |\$)" "$RF_SRC/man/listdeliver.8"
done

rf_done
