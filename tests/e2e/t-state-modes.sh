#!/bin/bash
# t-state-modes.sh - the files of the state directory at rest (issue 11,
# finding 4c): with the laxest umask (000), a site that used every
# feature (a list with members, an archive, attachments=link, a kept post
# for redelivery, a web account, a delivery in the spool's history) has a
# 0750 state directory whose every file is 0600 or 0640 and every
# directory 0700 or 0750, the database's WAL and SHM included; the keys
# are beside reflector.conf, 0600 (t-state-thief shows root's 0640).  The one exception is the MTA's routing
# map (STATE/mta/DOMAIN/LIST: empty files that name the lists, which the
# MTA's own user reads).  listctl warns of a state directory others may
# read.
source "$RF_TESTS/lib/common.sh"
rf_need python3 setpriv
rf_tmpdir
ST=$TD/state
mkdir -p "$TD/bin" "$TD/out"
cp "$RF_BIN/listdeliver" "$RF_BIN/listctl" "$TD/bin/"
printf '#!/bin/sh\ncat > /dev/null\n' > "$TD/bin/sendmail"
chmod 755 "$TD/bin/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n[web]\nbase_url = https://lists.test\n' \
    "$ST" "$TD/bin/sendmail" > "$TD/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$TD"
# everything below with umask 000: the modes are the programs' own
lax() { rf_as_user sh -c 'umask 000; exec "$@"' sh "$@"; }
ctl() { lax "$TD/bin/listctl" --config "$TD/reflector.conf" "$@"; }

ctl create dev@lists.test > /dev/null 2>&1 &&
ctl set dev@lists.test posting open > /dev/null &&
ctl set dev@lists.test archive on > /dev/null &&
ctl set dev@lists.test attachments link > /dev/null &&
ctl subscribe dev@lists.test ann@example.test bob@example.test > /dev/null &&
printf 'a web pass phrase\n' | ctl user add mod --email mod@example.test \
    --moderator dev@lists.test --password-stdin > /dev/null
ok "a list with members, archive, attachments=link and a web account, made with umask 000"
{
    printf 'From: poster@other.test\nTo: dev@lists.test\nSubject: files\nMessage-ID: <m1@other.test>\n'
    printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\n'
    printf 'See the file.\n--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=r.pdf\n'
    printf 'Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B--\n'
} | lax "$TD/bin/listdeliver" --config "$TD/reflector.conf" dev@lists.test
check_eq "a post with an attachment delivered" 0 "$?"

# another reader holds the database open, so that its WAL and SHM exist
rf_as_user sh -c 'umask 000; exec "$0" -c "
import sqlite3, time, sys
c = sqlite3.connect(sys.argv[1]); c.execute(\"begin\"); c.execute(\"select count(*) from lists\").fetchall()
open(sys.argv[2], \"w\").close(); time.sleep(5)" "$1" "$2"' "$RF_PYTHON" "$ST/reflector.db" "$TD/holding" &
holder=$!
for _ in $(seq 1 50); do [ -e "$TD/holding" ] && break; sleep 0.1; done
check "the database's WAL and SHM are there to look at" test -e "$ST/reflector.db-wal" -a -e "$ST/reflector.db-shm"
modes=$(cd "$ST" && find . -mindepth 1 -printf '%y %m %p\n' | sort -k3)
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
echo "$modes" | sed 's/^/#   /'
check_eq "the state directory is 0750" 750 "$(stat -c %a "$ST")"
check_eq "every file of the state directory is 0600 or 0640 (but the MTA's map)" "" \
    "$(echo "$modes" | awk '$1 == "f" && $2 != 600 && $2 != 640 && $3 !~ /^\.\/mta\//')"
check_eq "every directory 0700 or 0750 (but the MTA's map)" "" \
    "$(echo "$modes" | awk '$1 == "d" && $2 != 700 && $2 != 750 && $3 !~ /^\.\/mta(\/|$)/')"
for f in reflector.db reflector.db-wal reflector.db-shm; do
    check_match "$f is among them, 0600" "^f 600 \./$f$" "$(echo "$modes" | grep " \./$f$")"
done
check_match "a blob is among them" '^f 600 \./blobs/' "$modes"
check_eq "the MTA's map: the only files others may read; the routing files are empty" "" \
    "$(cd "$ST" && find mta -type f -size +0 ! -name 'postfix-recipients*')"
# Postfix's recipient map (issue 10) names the list's own addresses, as the
# routing files' names do, and nothing else: no member
check_eq "the Postfix recipient map holds only the list's addresses" "" \
    "$(grep -v -e '^#' -e '^dev@lists\.test	OK$' -e '^dev-[a-z]*@lists\.test	OK$' \
        "$ST/mta/postfix-recipients")"
check_eq "no member's address in any file of the MTA's map, its index included" "" \
    "$(cd "$ST" && grep -l -a -i -e 'ann@example' -e 'bob@example' -e 'mod@example' -r mta)"
check_eq "no key in the state directory" "" "$(cd "$ST" && find . -name '*.key*')"
check_eq "the keys beside reflector.conf, made 0600 by the service user" "600 600" \
    "$(stat -c %a "$TD/site.key" "$TD/blob.key" | paste -sd' ')"

chmod 0755 "$ST"
ctl lists > /dev/null 2> "$TD/warn"
check_match "listctl warns of a state directory others may read" \
    "warning: others may read the state directory $ST \(mode 0755\): chmod o-rwx" "$(cat "$TD/warn")"
chmod 0750 "$ST"
ctl lists > /dev/null 2> "$TD/warn"
check_eq "and not of a 0750 one" "" "$(cat "$TD/warn")"
rf_done
