#!/bin/bash
# t-listctl-users.sh - listctl user add|passwd|del|list|grant|revoke and
# web-access: outcomes, --json, exit codes, the password asked on a real
# terminal (a pty) without echo and twice, and no password anywhere but as
# an Argon2id hash: not in the activity log, not in the database file, not
# in the output.
source "$RF_TESTS/lib/common.sh"
rf_need python3 sqlite3 grep
rf_tmpdir

L=$RF_BIN/listctl
ST=$TD/state
CONF=$TD/reflector.conf
printf '[paths]\nstate_dir = %s\n' "$ST" > "$CONF"
export REFLECTOR_CONFIG=$CONF
unset REFLECTOR_TEST_NOW
PW1='first Pass-phrase 1'
PW2='second Pass-phrase 2'
PW3='third Pass-phrase 3'
WEBPW='readers Pass-phrase 4'

run() { "$L" "$@" >"$TD/out" 2>"$TD/err"; rc=$?; out=$(cat "$TD/out"); err=$(cat "$TD/err"); }
# runpw PASSWORD ARGS...: the password as one line on stdin
runpw() { local pw=$1; shift; printf '%s\n' "$pw" | "$L" "$@" >"$TD/out" 2>"$TD/err"; rc=$?
          out=$(cat "$TD/out"); err=$(cat "$TD/err"); }
json() { python3 -c "import json,sys; d=json.load(open('$TD/out')); $1"; }

if [ "$(id -u)" = 0 ]; then rf_as_user mkdir -m 0750 "$ST"; fi   # 0750: listctl warns of others

# --- no database yet ----------------------------------------------------------
run user list
check_eq "user list without a database: exit 0" 0 "$rc"
check_eq "user list without a database: nothing" "" "$out"
run help
check_match "help lists 'user'" "^  user " "$out"
check_match "help lists 'web-access'" "^  web-access " "$out"

# --- add ----------------------------------------------------------------------
runpw "$PW1" user add root --email 'Root <root@Example.ORG>' --admin --password-stdin
check_eq "user add --admin: exit 0" 0 "$rc"
check_eq "user add --admin: says so" "added account root (site admin)" "$out"
[ -f "$ST/reflector.db" ]; ok "user add creates the database"
run create dev@lists.test
run create ops@lists.test
runpw "$PW1" user add alice --email alice@example.org --owner dev@lists.test \
    --moderator ops@lists.test --password-stdin
check_eq "user add with roles: exit 0" 0 "$rc"
check_eq "user add with roles: says so" \
    "added account alice: owner of dev@lists.test, moderator of ops@lists.test" "$out"
runpw "$PW1" user add alice --email alice@example.org --password-stdin
check_eq "user add taken name: exit 73" 73 "$rc"
check_eq "user add taken name: message" "listctl: account 'alice' exists already" "$err"
runpw "$PW1" user add bob --email not-an-address --password-stdin
check_eq "user add bad email: exit 65" 65 "$rc"
runpw "$PW1" user add 'bob smith' --email bob@example.org --password-stdin
check_eq "user add bad name: exit 65" 65 "$rc"
runpw "$PW1" user add bob --password-stdin
check_eq "user add without --email: exit 64" 64 "$rc"
runpw "$PW1" user add bob --email bob@example.org --owner nosuch@lists.test --password-stdin
check_eq "user add role on a missing list: exit 67" 67 "$rc"
runpw "short" user add bob --email bob@example.org --password-stdin
check_eq "user add short password: exit 65" 65 "$rc"
check_eq "user add short password: says why, not what" \
    "listctl: the password is too short: at least 8 characters" "$err"
printf '' | "$L" user add bob --email bob@example.org --password-stdin >/dev/null 2>"$TD/err"
check_eq "user add --password-stdin with no line: exit 65" 65 "$?"
# no terminal and no --password-stdin: a usage error, nothing created
setsid "$L" user add bob --email bob@example.org </dev/null >/dev/null 2>"$TD/err"
check_eq "user add without a terminal: exit 64" 64 "$?"
check_match "user add without a terminal: says what to do" "--password-stdin" "$(cat "$TD/err")"
run user list
check_eq "failed adds left nothing" "alice alice@example.org - owner:dev@lists.test,moderator:ops@lists.test
root root@example.org admin" "$out"

# --- on a terminal: asked twice, never echoed ---------------------------------
cat > "$TD/answer-tty.py" <<'EOF'
import os, pty, sys, time
# answer-tty.py PW1 PW2 ARGV...: answer the two prompts, print all the terminal showed
pw1, pw2, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen = b""
def until(what):
    global seen
    deadline = time.time() + 20
    while what not in seen and time.time() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
for prompt, answer in ((b"New password for", pw1), (b"Again:", pw2)):
    until(prompt)
    if prompt not in seen:
        break
    time.sleep(0.2)   # the program turns echo off after the prompt
    os.write(fd, answer.encode() + b"\n")
until(b"\x00never")
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
EOF
python3 "$TD/answer-tty.py" "$PW2" "$PW2" "$L" user add carol --email carol@example.org > "$TD/tty" 2>&1
check_eq "user add on a terminal: exit 0" 0 "$?"
check_match "user add on a terminal: prompts" "New password for carol: .*Again: " "$(tr -d '\r\n' < "$TD/tty")"
check_match "user add on a terminal: done" "added account carol" "$(cat "$TD/tty")"
! grep -qF -e "$PW2" "$TD/tty"; ok "user add on a terminal: the password is not echoed"
python3 "$TD/answer-tty.py" "$PW3" "$PW3 typo" "$L" user passwd carol > "$TD/tty" 2>&1
check_eq "user passwd on a terminal, two different answers: exit 65" 65 "$?"
check_match "two different answers: nothing changed" "the two passwords differ" "$(cat "$TD/tty")"
! grep -qF -e "$PW3" "$TD/tty"; ok "two different answers: neither is echoed"

# --- list, grant, revoke ------------------------------------------------------
run user list --json
check_eq "user list --json: exit 0" 0 "$rc"
check_eq "user list --json: names" "alice carol root" "$(json 'print(" ".join(u["name"] for u in d))')"
check_eq "user list --json: alice's roles" "owner:dev@lists.test moderator:ops@lists.test" \
    "$(json 'print(" ".join(r["role"]+":"+r["list"] for r in d[0]["roles"]))')"
check_eq "user list --json: root is admin, alice not" "True False" "$(json 'print(d[2]["admin"], d[0]["admin"])')"
run user grant carol moderator dev@lists.test
check_eq "user grant: exit 0" 0 "$rc"
check_eq "user grant: says so" "carol is now moderator of dev@lists.test" "$out"
run user grant carol king dev@lists.test
check_eq "user grant unknown role: exit 65" 65 "$rc"
run user grant nobody owner dev@lists.test
check_eq "user grant to a missing account: exit 67" 67 "$rc"
run user revoke alice owner dev@lists.test
check_eq "user revoke: exit 0" 0 "$rc"
run user revoke alice owner dev@lists.test
check_eq "user revoke a role not held: exit 67" 67 "$rc"
run user list
check_match "user list: carol moderates dev" "^carol carol@example.org - moderator:dev@lists.test$" "$out"
check_match "user list: alice only moderates ops" "^alice alice@example.org - moderator:ops@lists.test$" "$out"

# --- passwd, del --------------------------------------------------------------
runpw "$PW3" user passwd alice --password-stdin
check_eq "user passwd: exit 0" 0 "$rc"
check_match "user passwd: says the sessions end" "sessions are ended" "$out"
runpw "$PW3" user passwd nobody --password-stdin
check_eq "user passwd missing account: exit 67" 67 "$rc"
run user del carol
check_eq "user del: exit 0" 0 "$rc"
run user del carol
check_eq "user del again: exit 67" 67 "$rc"
check_eq "user del again: message" "listctl: no account 'carol': see 'listctl user list'" "$err"
run user frob
check_eq "unknown user subcommand: exit 64" 64 "$rc"
run user
check_eq "user without subcommand: exit 64" 64 "$rc"
run help user
check_eq "help user: exit 0" 0 "$rc"
check_match "help user: shows add's options" "listctl user add NAME --email ADDRESS" "$out"

# --- web-access ---------------------------------------------------------------
run web-access dev@lists.test
check_eq "web-access without a user: exit 0" 0 "$rc"
check_eq "web-access without a user: none" "none" "$out"
runpw "$WEBPW" web-access dev@lists.test readers --password-stdin
check_eq "web-access set: exit 0" 0 "$rc"
check_match "web-access set: says so" "web user of dev@lists.test is readers" "$out"
run web-access dev@lists.test
check_eq "web-access shows the name" "readers" "$out"
run web-access nosuch@lists.test
check_eq "web-access missing list: exit 67" 67 "$rc"
run web-access dev@lists.test readers --off
check_eq "web-access NAME and --off: exit 64" 64 "$rc"
run web-access ops@lists.test --off
check_eq "web-access --off without one: exit 67" 67 "$rc"

# --- the passwords are nowhere but hashed -------------------------------------
run user list --json
db=$ST/reflector.db
check_eq "hashes are Argon2id" "2" "$(sqlite3 "$db" "SELECT count(*) FROM users WHERE pwhash LIKE '\$argon2id\$%'")"
sqlite3 "$db" "SELECT * FROM activity" > "$TD/activity"
check_match "the log has the account changes" "user-add\|alice" "$(cat "$TD/activity")"
check_match "the log has the password change" "user-passwd\|alice" "$(cat "$TD/activity")"
leak=0
for pw in "$PW1" "$PW2" "$PW3" "$WEBPW"; do
    if grep -qaF -e "$pw" "$db" "$db-wal" "$TD/activity" 2>/dev/null; then leak=1; fi
done
check_eq "no password in the database, its WAL or the activity log" 0 "$leak"

rf_done
