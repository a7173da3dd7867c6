#!/bin/bash
# t-listctl.sh - every listctl command, its --json output, and every error
# path with its exit code and message (listctl.8, EXIT STATUS).
source "$RF_TESTS/lib/common.sh"
rf_need python3 seq awk
rf_tmpdir

L=$RF_BIN/listctl
ST=$TD/state
CONF=$TD/reflector.conf
printf '[paths]\nstate_dir = %s\n' "$ST" > "$CONF"
export REFLECTOR_CONFIG=$CONF
unset REFLECTOR_TEST_NOW

# run listctl, keeping stdout, stderr and the exit code
run() { "$L" "$@" >"$TD/out" 2>"$TD/err"; rc=$?; out=$(cat "$TD/out"); err=$(cat "$TD/err"); }
json() { python3 -c "import json,sys; d=json.load(open('$TD/out')); $1"; }

# --- before any list: no database yet --------------------------------------
run lists
check_eq "lists without a database: exit 0" 0 "$rc"
check_eq "lists without a database: nothing" "" "$out"
run show dev@lists.test
check_eq "show without a database: exit 67" 67 "$rc"
check_match "show without a database: message" "^listctl: no list 'dev@lists.test'" "$err"
[ ! -e "$ST/reflector.db" ]; ok "read commands create no database"

# as root, the state dir's owner is who listctl becomes
if [ "$(id -u)" = 0 ]; then
    rf_as_user mkdir -m 0750 "$ST"   # the mode listctl wants (it warns of others)
fi

# --- help and usage ----------------------------------------------------------
run help
check_eq "help: exit 0" 0 "$rc"
for c in create delete lists show set get members subscribe unsubscribe help; do
    check_match "help lists '$c'" "^  $c " "$out"
done
run help settings
check_eq "help settings: exit 0" 0 "$rc"
for s in posting subject_prefix footer max_message_size list_headers description; do
    check_match "help settings shows '$s'" "^$s " "$out"
done
check_match "help settings: posting row" "^posting +enum +members +open\|members\|moderated\|announce " "$out"
run help subscribe
check_eq "help subscribe: exit 0" 0 "$rc"
check_match "help subscribe shows --file" "--file=FILE" "$out"
check_match "help subscribe shows --skip-invalid" "--skip-invalid" "$out"
run subscribe --help
check_eq "subscribe --help: exit 0" 0 "$rc"
check_match "subscribe --help: usage" "listctl subscribe .*LIST" "$out"
run --help
check_eq "--help: exit 0" 0 "$rc"
check_match "--help shows commands" "subscribe" "$out"
run
check_eq "no command: exit 64" 64 "$rc"
run frobnicate
check_eq "unknown command: exit 64" 64 "$rc"
check_eq "unknown command: message" "listctl: unknown command 'frobnicate': see 'listctl help'" "$err"
run help frobnicate
check_eq "help unknown command: exit 64" 64 "$rc"
run create
check_eq "create without LIST: exit 64" 64 "$rc"
check_eq "create without LIST: message" "listctl: missing argument: usage: listctl create LIST" "$err"
run get a@b.c
check_eq "get without NAME: exit 64" 64 "$rc"
run create a@lists.test b@lists.test
check_eq "create with two lists: exit 64" 64 "$rc"
check_match "too many arguments: message" "^listctl: too many arguments: usage" "$err"
run lists --bogus
check_eq "unknown option: exit 64" 64 "$rc"
check_match "unknown option: message" "^listctl: .*--bogus.*: see 'listctl help'" "$err"
[ ! -e "$ST/reflector.db" ]; ok "usage errors create no database"

# --- create, lists, show -------------------------------------------------
run create dev@Lists.Test
check_eq "create: exit 0" 0 "$rc"
# the first command that opens the store makes the site's keys beside
# reflector.conf, and says so once (issue 11); then listctl is silent
check_eq "create: silent but for the two keys it made" \
    "listctl: made the key $TD/site.key
listctl: made the key $TD/blob.key" "$out$err"
[ -f "$ST/mta/lists.test/dev" ]; ok "create writes the MTA map file"
if [ "$(id -u)" = 0 ]; then
    check_eq "as root, the database belongs to the state dir's owner" "$RF_TEST_USER" \
        "$(stat -c %U "$ST/reflector.db")"
    check_eq "as root, the MTA map belongs to the state dir's owner" "$RF_TEST_USER" \
        "$(stat -c %U "$ST/mta/lists.test/dev")"
fi
run create dev@lists.test
check_eq "duplicate create: exit 73" 73 "$rc"
check_eq "duplicate create: message" \
    "listctl: list 'dev@lists.test' exists already: choose another name, or delete it first" "$err"
run create dev-request@lists.test
check_eq "role-suffix name: exit 65" 65 "$rc"
check_match "role-suffix name: message" "^listctl: list name 'dev-request' ends in '-request'" "$err"
run create 'not an address'
check_eq "bad list address: exit 65" 65 "$rc"
check_match "bad list address: message" "^listctl: 'not an address': not a valid address" "$err"
run create announce@lists.test
check_eq "second create: exit 0" 0 "$rc"

run lists
check_eq "lists: exit 0" 0 "$rc"
check_eq "lists: sorted addresses" "announce@lists.test
dev@lists.test" "$out"
run lists --json
check_eq "lists --json: exit 0" 0 "$rc"
check_eq "lists --json parses" "announce@lists.test,dev@lists.test 0" \
    "$(json 'print(",".join(x["address"] for x in d), sum(x["members"] for x in d))')"

run show dev@lists.test
check_eq "show: exit 0" 0 "$rc"
check_match "show: address" "^list: dev@lists.test" "$out"
check_match "show: members" "members: 0" "$out"
check_match "show: default posting" "  posting = members" "$out"
run show dev@lists.test --json
check_eq "show --json: settings and members" "dev@lists.test members 10485760 0" \
    "$(json 'print(d["address"], d["settings"]["posting"], d["settings"]["max_message_size"], d["members"])')"
run show nosuch@lists.test
check_eq "show unknown list: exit 67" 67 "$rc"
check_eq "show unknown list: message" "listctl: no list 'nosuch@lists.test': see 'listctl lists'" "$err"

# --- set, get ----------------------------------------------------------------
run set dev@lists.test posting open
check_eq "set: exit 0" 0 "$rc"
run get dev@lists.test posting
check_eq "get after set" "open" "$out"
run set dev@lists.test max_message_size 2M
run get dev@lists.test max_message_size --json
check_eq "get --json: normalised size" "dev@lists.test max_message_size 2097152" \
    "$(json 'print(d["list"], d["name"], d["value"])')"
run set dev@lists.test footer -- '-- \nTo leave: mail dev-leave@lists.test'
check_eq "set footer: exit 0" 0 "$rc"
run get dev@lists.test footer --json
check_eq "footer holds a real newline" "2" "$(json 'print(len(d["value"].split("\n")))')"
run get dev@lists.test footer
check_eq "get footer prints it as typed" '-- \nTo leave: mail dev-leave@lists.test' "$out"
run set dev@lists.test subject_prefix '[dev] '
run get dev@lists.test subject_prefix --json
check_eq "subject prefix keeps its space" "[dev] |" "$(json 'print(d["value"] + "|")')"
run set dev@lists.test posting closed
check_eq "bad setting value: exit 65" 65 "$rc"
check_eq "bad setting value: message" "listctl: setting 'posting': 'closed' is not one of: open, members, moderated, announce" "$err"
run set dev@lists.test max_message_size lots
check_eq "bad size: exit 65" 65 "$rc"
check_match "bad size: message" "^listctl: setting 'max_message_size': 'lots' is not a size" "$err"
run set dev@lists.test list_headers maybe
check_eq "bad bool: exit 65" 65 "$rc"
run set dev@lists.test colour red
check_eq "unknown setting: exit 67" 67 "$rc"
check_eq "unknown setting: message" "listctl: no setting 'colour': see 'listctl help settings'" "$err"
run get dev@lists.test colour
check_eq "get unknown setting: exit 67" 67 "$rc"
run set nosuch@lists.test posting open
check_eq "set on unknown list: exit 67" 67 "$rc"
run get dev@lists.test posting
check_eq "a rejected value changed nothing" "open" "$out"

# --- subscribe, members, unsubscribe ---------------------------------------
run subscribe dev@lists.test 'Ann Example <ann@Example.ORG>' bob@example.org
check_eq "subscribe two: exit 0" 0 "$rc"
check_eq "subscribe two: summary" "subscribed 2 addresses to dev@lists.test (0 were already members)" "$out"
run subscribe dev@lists.test bob@example.org
check_eq "subscribe a member again: exit 73" 73 "$rc"
check_eq "subscribe a member again: message" \
    "listctl: 'bob@example.org' is already a member of 'dev@lists.test'" "$err"
run subscribe dev@lists.test carol@example.org
check_eq "subscribe one: summary" "subscribed 1 address to dev@lists.test (0 were already members)" "$out"
run subscribe dev@lists.test not-an-address
check_eq "subscribe a bad address: exit 65" 65 "$rc"
check_match "subscribe a bad address: names it" "^listctl: 'not-an-address': not a valid address" "$err"
run subscribe nosuch@lists.test dan@example.org
check_eq "subscribe to unknown list: exit 67" 67 "$rc"
run subscribe dev@lists.test
check_eq "subscribe without addresses: exit 64" 64 "$rc"
run members dev@lists.test
check_eq "members: exit 0" 0 "$rc"
check_eq "members: sorted, normalised" "ann@example.org
bob@example.org
carol@example.org" "$out"
run members dev@lists.test --json
check_eq "members --json" "3 ann@example.org" "$(json 'print(len(d), d[0])')"
run members nosuch@lists.test
check_eq "members of unknown list: exit 67" 67 "$rc"

# a file with bad lines: every bad line named, nothing imported
cat > "$TD/some.txt" <<'ADDR'
# new members
dan@example.org

erin@Example.org
not an address
frank@example
ann@example.org
ADDR
run subscribe dev@lists.test --file "$TD/some.txt"
check_eq "file with bad lines: exit 65" 65 "$rc"
check_match "bad line 5 named" "^listctl: $TD/some.txt:5: 'not an address': not a valid address" "$err"
check_match "bad line 6 named" "listctl: $TD/some.txt:6: 'frank@example': not a valid address" "$err"
check_match "bad lines: final message" "listctl: 2 invalid addresses: nothing was changed: fix them, or use --skip-invalid" "$err"
run members dev@lists.test
check_eq "nothing imported from a bad file" 3 "$(printf '%s\n' "$out" | wc -l)"
run subscribe dev@lists.test --file "$TD/some.txt" --skip-invalid
check_eq "--skip-invalid: exit 0" 0 "$rc"
check_eq "--skip-invalid: summary" "subscribed 2 addresses to dev@lists.test (1 was already a member)" "$out"
check_match "--skip-invalid: says what it skipped" "skipped 2 invalid addresses" "$err"

# more than 20 bad lines: 20 shown, the rest counted
seq 1 25 | sed 's/^/bad/' > "$TD/bad.txt"
run subscribe dev@lists.test --file "$TD/bad.txt"
check_eq "25 bad lines: exit 65" 65 "$rc"
check_eq "25 bad lines: 20 shown" 20 "$(grep -c ': not a valid address' "$TD/err")"
check_match "25 bad lines: the rest counted" "and 5 more invalid addresses" "$err"

run subscribe dev@lists.test --file "$TD/absent.txt"
check_eq "missing file: exit 65" 65 "$rc"
check_match "missing file: message" "^listctl: .*absent.txt" "$err"

# stdin
printf 'gina@example.org\nhal@example.org\n' | "$L" subscribe dev@lists.test - >"$TD/out" 2>"$TD/err"
check_eq "subscribe from stdin: exit 0" 0 "$?"
check_eq "subscribe from stdin: summary" "subscribed 2 addresses to dev@lists.test (0 were already members)" "$(cat "$TD/out")"
printf 'x@example.org\nnope\n' | "$L" subscribe dev@lists.test - >"$TD/out" 2>"$TD/err"
check_eq "bad stdin: exit 65" 65 "$?"
check_match "bad stdin line named" "^listctl: stdin:2: 'nope': not a valid address" "$(cat "$TD/err")"

run unsubscribe dev@lists.test gina@example.org
check_eq "unsubscribe one: exit 0" 0 "$rc"
check_eq "unsubscribe one: summary" "unsubscribed 1 address from dev@lists.test (0 were not members)" "$out"
run unsubscribe dev@lists.test gina@example.org
check_eq "unsubscribe a non-member: exit 67" 67 "$rc"
check_eq "unsubscribe a non-member: message" \
    "listctl: 'gina@example.org' is not a member of 'dev@lists.test'" "$err"
printf 'hal@example.org\nzed@example.org\n' > "$TD/leave.txt"
run unsubscribe dev@lists.test --file "$TD/leave.txt"
check_eq "unsubscribe --file: summary" "unsubscribed 1 address from dev@lists.test (1 was not a member)" "$out"
run show dev@lists.test --json
check_eq "member count after all that" 5 "$(json 'print(d["members"])')"

# --- configuration ---------------------------------------------------------
printf '[paths]\nstate_dir = %s\n[delivery]\nparallel = lots\n' "$ST" > "$TD/broken.conf"
run --config "$TD/broken.conf" lists
check_eq "broken config file (--config): exit 78" 78 "$rc"
check_match "broken config: names file, group and key" "^listctl: $TD/broken.conf: \[delivery\] parallel: 'lots'" "$err"
REFLECTOR_CONFIG=$TD/broken.conf "$L" show dev@lists.test >/dev/null 2>"$TD/err"
check_eq "broken config file (REFLECTOR_CONFIG): exit 78" 78 "$?"
printf 'not a key file\n' > "$TD/garbage.conf"
run --config "$TD/garbage.conf" lists
check_eq "unparseable config file: exit 78" 78 "$rc"
run --config "$TD/absent.conf" lists
check_eq "missing explicit config file: exit 78" 78 "$rc"
check_match "missing config: names it" "absent.conf: no such configuration file" "$err"
run lists --config "$CONF"
check_eq "--config after the command: exit 0" 0 "$rc"
printf '[paths]\nstate_dir = %s/other\n' "$TD" > "$TD/other.conf"
run --config "$TD/other.conf" lists
check_eq "--config picks the state dir" "" "$out"

# --- an unwritable database: temporary (75) --------------------------------
chmod 555 "$ST"; chmod 444 "$ST/reflector.db"
if rf_as_user test -w "$ST/reflector.db"; then
    echo "# cannot make the database read-only here"; false; ok "read-only database possible"
else
    run set dev@lists.test posting members
    check_eq "unwritable database: exit 75" 75 "$rc"
    check_match "unwritable database: message" "^listctl: " "$err"
fi
chmod 750 "$ST"; chmod 600 "$ST"/reflector.db*   # SQLite gave the -wal the db's mode

# --- held, moderate (issue 10) ------------------------------------------------
run set dev@lists.test posting members
run held dev@lists.test
check_eq "held, nothing held: exit 0" "0 no post of dev@lists.test is held" "$rc $out"
printf 'From: Stray <stray@other.test>\nSubject: a stray post\nMessage-ID: <stray@other.test>\n\nhello\n' |
    rf_as_user "$RF_BIN/listdeliver" --config "$CONF" -f stray@other.test dev@lists.test
check_eq "a non-member's post is held (listdeliver: exit 0)" 0 "$?"
run held dev@lists.test
check_match "held: its number, dates, From, Subject, sender, why" \
    '^1  held [0-9T:Z-]+, deleted [0-9T:Z-]+ *    From: Stray <stray@other.test> *    Subject: a stray post *    Sender: stray@other.test, [0-9]+ bytes *    why: stray@other.test is not a member$' \
    "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"
run held dev@lists.test --json
check_eq "held --json" "1 a stray post stray@other.test is not a member" \
    "$(json 'h=d["held"][0]; print(h["id"], h["subject"], h["reasons"][0])')"
run moderate dev@lists.test 1 frobnicate
check_eq "moderate, unknown decision: exit 64" "64 listctl: unknown decision 'frobnicate': approve, reject or discard" "$rc $err"
run moderate dev@lists.test one discard
check_eq "moderate, not a number: exit 64" 64 "$rc"
run moderate dev@lists.test 1 approve --reason 'why not'
check_eq "moderate, --reason without reject: exit 64" "64 listctl: --reason goes with reject only" "$rc $err"
run moderate dev@lists.test 99 discard
check_match "moderate, no such post: exit 67" "^67 listctl: no such held post" "$rc $err"
run moderate nosuch@lists.test 1 discard
check_match "moderate, no such list: exit 67" "^67 listctl: no list 'nosuch@lists.test'" "$rc $err"
run moderate dev@lists.test 1 discard
check_eq "moderate discard: exit 0" "0 discarded post 1 of dev@lists.test" "$rc $out"
run held dev@lists.test
check_eq "nothing held after it" "no post of dev@lists.test is held" "$out"
run moderate dev@lists.test 1 discard
check_eq "the same decision again: 67" 67 "$rc"
check_eq "the Postfix recipient map has every address of dev" \
    "dev dev-bounces dev-confirm dev-join dev-leave dev-owner dev-request" \
    "$(grep '@lists.test' "$ST/mta/postfix-recipients" | grep '^dev[-@]' | cut -d@ -f1 | sort | tr '\n' ' ' | sed 's/ $//')"

# --- delete --------------------------------------------------------------
# without --yes it asks on the terminal, and without one it refuses
run delete announce@lists.test < /dev/null
check_eq "delete without --yes and without a terminal: exit 64" 64 "$rc"
check_eq "delete without --yes: says why" \
    "listctl: refusing to delete 'announce@lists.test' without confirmation: no terminal to ask on, give --yes" "$err"
check_eq "delete refused: the list is still there" "announce@lists.test" "$("$L" lists | grep announce)"
if command -v script > /dev/null; then
    # a real terminal (script(1) gives one): "n" keeps the list, "y" deletes
    script -qec "$L delete announce@lists.test" /dev/null <<< "n" > "$TD/tty.out" 2>&1
    check_match "delete asks on the terminal" 'Delete announce@lists.test and its [0-9]+ members?\? \[y/N\]' "$(cat "$TD/tty.out")"
    check_eq "answer n: the list stays" "announce@lists.test" "$("$L" lists | grep announce)"
fi
run delete --yes announce@lists.test
check_eq "delete: exit 0" 0 "$rc"
[ ! -e "$ST/mta/lists.test/announce" ]; ok "delete removes the MTA map file"
[ -e "$ST/mta/lists.test/dev" ]; ok "delete keeps the other list's map file"
check_eq "delete removes the list's addresses from the Postfix map" 0 \
    "$(grep -c '^announce' "$ST/mta/postfix-recipients")"
run delete --yes announce@lists.test
check_eq "delete unknown list: exit 67" 67 "$rc"
check_eq "delete unknown list: message" "listctl: no list 'announce@lists.test': see 'listctl lists'" "$err"
run lists
check_eq "lists after delete" "dev@lists.test" "$out"

# --- 100,000 addresses from a file ----------------------------------------
run create big@lists.test
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "member%06d@example%d.org\n", i, i % 97 }' > "$TD/big.txt"
start=$(date +%s.%N)
run subscribe big@lists.test --file "$TD/big.txt"
end=$(date +%s.%N)
check_eq "import 100,000: exit 0" 0 "$rc"
check_eq "import 100,000: summary" "subscribed 100000 addresses to big@lists.test (0 were already members)" "$out"
echo "# imported 100000 addresses in $(echo "$end - $start" | bc 2>/dev/null || python3 -c "print(round($end-$start,2))") s"
check_eq "members | wc -l after the import" 100000 "$("$L" members big@lists.test | wc -l)"
run subscribe big@lists.test --file "$TD/big.txt"
check_eq "import again: all already members" "subscribed 0 addresses to big@lists.test (100000 were already members)" "$out"
run lists --json
check_eq "lists --json counts the big list" "100000" "$(json 'print([x["members"] for x in d if x["address"]=="big@lists.test"][0])')"

rf_done
