#!/bin/bash
# t-man.sh - the man pages and the programs agree, both ways (git's t0450):
#   - every page passes mandoc's lint;
#   - the list settings block of reflector.conf.5 is lib/settings.c's table
#     (through listctl), with every name, type and default;
#   - listctl's commands: each one of 'listctl help' is in listctl.8's
#     SYNOPSIS and COMMANDS, and each command of the SYNOPSIS is one of them;
#   - the options of every program and of every listctl command (user add,
#     user passwd ... included): each one --help shows is in the SYNOPSIS
#     line of that command, long and short, and each one the SYNOPSIS shows
#     is in --help;
#   - the exit codes: each code a program's source returns is in its page's
#     EXIT STATUS, and each code listed there is one the source returns.
source "$RF_TESTS/lib/common.sh"
rf_need mandoc diff sed
rf_tmpdir
L=$RF_BIN/listctl

pages=$(ls "$RF_SRC"/man/*.[0-9] 2>/dev/null)
[ -n "$pages" ]; ok "there are man pages"
for page in $pages; do
    out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
    check_eq "mandoc -Tlint -Wwarning $(basename "$page")" "" "$out"
done

# --- the settings block, between its markers, is what listctl generates -----
conf5=$RF_SRC/man/reflector.conf.5
sed -n '/^\.\\" BEGIN SETTINGS/,/^\.\\" END SETTINGS/p' "$conf5" | sed '1d;$d' > "$TD/page"
"$L" help settings --mdoc > "$TD/table"
ok "listctl help settings --mdoc runs"
[ -s "$TD/page" ]; ok "reflector.conf.5 has the generated settings block"
if diff -u "$TD/page" "$TD/table" > "$TD/diff"; then ok "reflector.conf.5 settings match lib/settings.c"
else cat "$TD/diff"; false; ok "reflector.conf.5 settings match lib/settings.c (regenerate: listctl help settings --mdoc)"; fi
"$L" help settings | sed 1d > "$TD/plain"
while read -r name type default _; do
    [ "$default" = '""' ] && default=empty
    grep -q "^\.It Cm $name Pq Vt $type , default .*$default" "$conf5"
    ok "reflector.conf.5 documents '$name' ($type, default $default)"
done < "$TD/plain"

# --- SYNOPSIS blocks ----------------------------------------------------------
# synopsis PAGE: the SYNOPSIS, one block per line (".Nm" starts a block)
synopsis() {
    sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$1" | sed '1d;$d' |
        awk '/^\.Nm/ { if (b != "") print b; b = ""; next } { b = b " " $0 } END { if (b != "") print b }'
}
# flags "mdoc text": the flags it shows, one a line: "Fl c" -> -c, "Fl -config" -> --config
flags_of_mdoc() {
    grep -oE 'Fl [-A-Za-z][-A-Za-z]*' <<< "$1" | sed -E 's/^Fl -/--/; s/^Fl /-/' |
        grep -vx -- '--' | sort -u
}
# flags_of_help: the flags --help shows (standard input), without -h/--help
flags_of_help() {
    grep -E '^[[:space:]]+-' | grep -oE '(^|[ ,])--?[A-Za-z][-A-Za-z]*' | sed 's/^[ ,]*//' |
        grep -vxE -- '-h|--help|-\?|--help-all' | sort -u
}
# compare WHAT HELP-FLAGS MAN-FLAGS: both ways
compare_flags() {
    local what=$1 help=$2 man=$3 f
    for f in $help; do
        grep -qx -- "$f" <<< "$man"; ok "$what: --help's $f is in the SYNOPSIS"
    done
    for f in $man; do
        grep -qx -- "$f" <<< "$help"; ok "$what: the SYNOPSIS's $f is in --help"
    done
}

# --- listctl: commands both ways, then each command's options -------------------
l8=$RF_SRC/man/listctl.8
synopsis "$l8" > "$TD/listctl.syn"
"$L" help | sed -n 's/^  \([a-z][-a-z]*\) .*/\1/p' > "$TD/commands"
[ "$(wc -l < "$TD/commands")" -ge 15 ]; ok "listctl help lists the commands"
# the SYNOPSIS's command of a block: the words after .Cm up to the first Ar/Op/Fl
head_of() { grep -oE '\.Cm [-a-z][-a-z| ]*' <<< "$1" | head -1 | sed 's/^\.Cm //; s/ *$//'; }
while IFS= read -r block; do head_of "$block"; done < "$TD/listctl.syn" | grep -v '^$' > "$TD/syn-heads"
while read -r c; do
    check "listctl.8 SYNOPSIS has '$c'" grep -qE "^$c( |\$)" "$TD/syn-heads"
    check "listctl.8 COMMANDS has '$c'" grep -q "^\.It Cm $c\b" "$l8"
done < "$TD/commands"
cut -d' ' -f1 "$TD/syn-heads" | sort -u | while read -r c; do
    grep -qx "$c" "$TD/commands"; ok "listctl.8 SYNOPSIS's '$c' is a command of listctl"
done

# each block: its command (and user's subcommands), the flags of the block
# minus the global -c/--config, against that command's --help
while IFS= read -r block; do
    head=$(head_of "$block")
    [ -n "$head" ] || continue
    man_flags=$(flags_of_mdoc "$(sed 's/\.Op Fl c | Fl -config Ar file//' <<< "$block")")
    # "user grant | revoke" is two commands with the same options
    cmd=${head%% *}; rest=${head#"$cmd"}; rest=${rest# }
    subs=$(tr -d '|' <<< "$rest")
    [ "$cmd" = user ] || subs=""
    for s in ${subs:-""}; do
        help_out=$("$L" $cmd $s --help 2>&1); rc=$?
        check_eq "listctl $cmd $s --help exits 0" 0 "$rc"
        help_flags=$(flags_of_help <<< "$help_out" | grep -vxE -- '-c|--config')
        compare_flags "listctl $cmd${s:+ $s}" "$help_flags" "$man_flags"
    done
done < "$TD/listctl.syn"
# the global options: listctl -h, --help, --version, -c/--config
compare_flags "listctl (global)" "$(printf '%s\n' -c --config --version)" \
    "$(flags_of_mdoc "$(cat "$TD/listctl.syn")" | grep -xE -- '-c|--config|--version')"
check_match "listctl --help shows the commands" 'check' "$("$L" --help)"
check_match "listctl --version names the configuration file" '^configuration file: /' "$("$L" --version | sed -n 2p)"

# --- listdeliver and listweb: every option both ways -----------------------------
for prog in listdeliver listweb; do
    man_flags=$(flags_of_mdoc "$(synopsis "$RF_SRC/man/$prog.8")")
    help_flags=$("$RF_BIN/$prog" --help 2>&1 | flags_of_help)
    [ -n "$help_flags" ]; ok "$prog --help lists options"
    compare_flags "$prog" "$help_flags" "$(grep -vxE -- '-h|--help' <<< "$man_flags")"
    check_match "$prog.8 SYNOPSIS has --help" '^--help$' "$man_flags"
    check_match "$prog --version names the configuration file" '^configuration file: /' \
        "$("$RF_BIN/$prog" --version | sed -n 2p)"
done
check_eq "-c is --config in listdeliver (help and man agree, and it works)" \
    "$("$RF_BIN/listdeliver" --config /x --version | sed -n 2p)" "$("$RF_BIN/listdeliver" -c /x --version | sed -n 2p)"

# --- exit codes, both ways ------------------------------------------------------------
# man_codes PAGE: the codes of its EXIT STATUS list
man_codes() {
    sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$1" | sed -nE 's/^\.It ([0-9]+)( .*)?$/\1/p' | sort -un
}
# source codes: the EX_* of sysexits.h each program's source names (every
# program spells its codes so), as numbers
sysexits_codes() {
    grep -ohE '\bEX_[A-Z]+\b' "$@" | sort -u | while read -r n; do
        sed -nE "s/^#define $n[[:space:]]+([0-9]+).*/\1/p" /usr/include/sysexits.h; done
}
listctl_src=$( { echo 0; sysexits_codes "$RF_SRC"/cmd/listctl/*.c; } | sort -un)
listweb_src=$( { echo 0; sysexits_codes "$RF_SRC"/cmd/listweb/*.c; } | sort -un)
listdeliver_src=$(sysexits_codes "$RF_SRC/cmd/listdeliver.c" | sort -un)
for prog in listctl listweb listdeliver; do
    src_var=${prog}_src; src=${!src_var}
    man=$(man_codes "$RF_SRC/man/$prog.8")
    [ -n "$src" ] && [ -n "$man" ]; ok "$prog: exit codes found in the source and in $prog.8"
    for c in $src; do
        grep -qx "$c" <<< "$man"; ok "$prog: exit $c (source) is in $prog.8's EXIT STATUS"
    done
    for c in $man; do
        grep -qx "$c" <<< "$src"; ok "$prog: exit $c of $prog.8's EXIT STATUS is one the source returns"
    done
done
# listdeliver's table of DESIGN.md, the contract with the MTA
for code in 0 65 67 75 77; do
    grep -qx "$code" <<< "$listdeliver_src"; ok "listdeliver returns $code (DESIGN.md's table)"
done

rf_done
