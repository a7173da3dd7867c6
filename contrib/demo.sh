#!/bin/bash
# demo.sh - THE run command (README): as root on Debian 12,
#   sudo sh contrib/demo.sh
# installs what is missing, builds reflector in build/, starts a private Exim
# on a loopback port (configured from contrib/exim/router-reflector and
# transport-reflector, all files in a temp dir), creates the list
# demo@lists.test with three subscribers whose Maildirs are in that temp dir,
# starts listweb (the web server) on another loopback port, posts a message
# with an attachment to the list over SMTP with swaks, waits for the
# delivery, shows where each copy landed with its key headers, fetches the
# attachment back through the link that replaced it and the subscriber's
# one-click unsubscribe page from listweb, then stops Exim (and listweb: on a
# terminal it keeps serving until you press Enter).
# Nothing leaves the machine: every address is delivered into the temp dir.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
if [ "$(id -u)" != 0 ]; then
    echo "demo.sh: run me as root (sudo sh contrib/demo.sh): I install packages and start Exim" >&2
    exit 1
fi

step() { printf '\n==> %s\n' "$*"; }

step "installing what is missing (contrib/install-deps.sh)"
sh contrib/install-deps.sh
step "building in build/"
if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j2; } \
        > build.demo.log 2>&1; then
    tail -30 build.demo.log
    echo "demo.sh: the build failed; full log in $src/build.demo.log" >&2
    exit 1
fi
mv build.demo.log build/demo-build.log

# the test harness starts the private Exim; keep its files at the end
RF_BIN=$src/build RF_TESTS=$src/tests RF_SRC=$src RF_KEEP=1
export RF_BIN RF_TESTS RF_SRC RF_KEEP
# from here on each step checks its own result
set +e
. "$src/tests/lib/common.sh"
. "$src/tests/mta/mta-exim.sh"
. "$src/tests/lib/web.sh"
rf_ensure_test_user
TD=$(mktemp -d /tmp/reflector-demo.XXXXXX)
chmod 755 "$TD"
chown "$RF_TEST_USER:" "$TD"
die() { echo "demo.sh: $*" >&2; exit 1; }
step "starting a private Exim on 127.0.0.1"
exim_up
trap 'web_down; exim_down' EXIT
echo "    config $T/exim.conf (includes $T/contrib/router-reflector, transport-reflector)"
echo "    Exim runs as $RUN_USER; listdeliver's config is $T/reflector.conf"

L="$src/build/listctl --config $T/reflector.conf"
step "creating demo@lists.test (listctl, as root: it switches to the state dir's owner)"
$L create demo@lists.test || die "listctl create failed"
$L set demo@lists.test description 'Demo list' &&
$L set demo@lists.test subject_prefix '[demo] ' &&
$L set demo@lists.test footer -- '-- \ndemo@lists.test, a reflector list. To leave: demo-leave@lists.test' ||
    die "listctl set failed"
$L set demo@lists.test attachments link || die "listctl set failed"
$L subscribe demo@lists.test alice@example.test bob@example.test carol@other.test ||
    die "listctl subscribe failed"
add_mailbox alice@example.test bob@example.test carol@other.test
$L show demo@lists.test | sed 's/^/    /'

step "starting listweb, the web server, on 127.0.0.1 (it drops root for $RUN_USER)"
web_up || die "listweb did not start (see $T/log/listweb.log)"
BASE=http://127.0.0.1:$WEBPORT
printf '[web]\nbase_url = %s\n' "$BASE" >> "$T/reflector.conf"
echo "    serving $BASE (links in the copies point there)"

step "alice posts to demo@lists.test over SMTP (swaks to 127.0.0.1:$PORT), with an attachment"
printf 'Agenda\n1. reflector demo\n2. questions\n' > "$T/agenda.txt"
cat > "$T/post.eml" <<EOF
From: Alice <alice@example.test>
To: demo@lists.test
Subject: Hello from the demo
Date: $(date -R)
Message-ID: <demo.$(date +%s)@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="demo-boundary"

--demo-boundary
Content-Type: text/plain; charset=utf-8

Hello everyone,

this message went from swaks to Exim, from Exim's pipe to listdeliver, and
from listdeliver back to Exim once per subscriber.  The agenda is attached.

Alice

--demo-boundary
Content-Type: text/plain; name="agenda.txt"
Content-Disposition: attachment; filename="agenda.txt"
Content-Transfer-Encoding: base64

$(base64 < "$T/agenda.txt")
--demo-boundary--
EOF
post alice@example.test demo@lists.test "$T/post.eml" || die "the SMTP post failed"
echo "    accepted by Exim"

step "waiting for the deliveries"
exim_wait_idle 60 || echo "    (some mail is still queued after 60 s: see $T/log/mainlog)"
status=0
for a in alice@example.test bob@example.test carol@other.test; do
    f=$(maildir_files "$a" | head -1)
    if [ -z "$f" ]; then
        echo "    $a: NO COPY (see $T/log/mainlog)"
        status=1
        continue
    fi
    echo "    $a: $(maildir_count "$a") copy in $f"
    for h in Return-path Envelope-to From Subject List-Id List-Post List-Unsubscribe; do
        printf '        %-17s %s\n' "$h:" "$(hdr "$f" "$h")"
    done
done
f=$(maildir_files carol@other.test | head -1)
if [ -n "$f" ]; then
    step "carol's copy, in full"
    sed 's/^/    /' "$f"
fi

f=$(maildir_files bob@example.test | head -1)
if [ -n "$f" ]; then
    step "listweb: the attachment, through the link that replaced it in bob's copy"
    link=$(grep -o "$BASE/a/[^ >]*" "$f" | head -1)
    if [ -n "$link" ] && curl -s -o "$T/agenda.fetched" "$link" &&
       cmp -s "$T/agenda.txt" "$T/agenda.fetched"; then
        echo "    GET $link"
        echo "    -> the same bytes as alice's agenda.txt:"
        sed 's/^/       /' "$T/agenda.fetched"
    else
        echo "    could not fetch the attachment back (link: ${link:-none}; see $T/log/listweb.log)"
        status=1
    fi
    step "listweb: bob's one-click unsubscribe page (a GET only shows it)"
    u=$(hdr "$f" List-Unsubscribe | grep -o "$BASE/u/[^>]*" | head -1)
    if [ -n "$u" ] && curl -s -o "$T/unsub.html" "$u"; then
        echo "    GET $u"
        sed -n 's/.*<h1>\(.*\)<\/h1>.*/    page title: \1/p; s/.*<p>\(.*\)<\/p>.*/    \1/p' "$T/unsub.html" |
            sed 's/<[^>]*>//g'
    else
        echo "    could not fetch the unsubscribe page (see $T/log/listweb.log)"
        status=1
    fi
fi

step "Exim's log of the post"
grep -E ' (<=|=>|==|\*\*) ' "$T/log/mainlog" | sed 's/^/    /'

exim_down
if [ -t 0 ] && [ -t 1 ]; then
    step "listweb keeps serving $BASE: open the links above in a browser; press Enter to stop it"
    read -r _
fi
web_down
step "done: Exim and listweb are stopped; the files stay in $T"
cat <<EOF
    ls $T/mail/*/*/new/           the Maildirs of alice, bob and carol
    less $T/log/mainlog           Exim's log
    cat $T/exim.conf              the Exim configuration (with contrib/exim's snippets)
    $src/build/listctl --config $T/reflector.conf show demo@lists.test
    rm -rf $T                     when you are done
EOF
exit $status
