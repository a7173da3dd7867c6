#!/bin/bash
# demo.sh - THE run command (README): as root on Debian 12,
#   sudo sh contrib/demo.sh
# installs what is missing, builds reflector in build/, starts a private Exim
# on a loopback port (configured from contrib/exim/router-reflector and
# transport-reflector, all files in a temp dir), creates the list
# demo@lists.test with three subscribers whose Maildirs are in that temp dir,
# posts a message to it over SMTP with swaks, waits for the delivery, shows
# where each copy landed with its key headers, then stops Exim.
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
rf_ensure_test_user
TD=$(mktemp -d /tmp/reflector-demo.XXXXXX)
chmod 755 "$TD"
chown "$RF_TEST_USER:" "$TD"
die() { echo "demo.sh: $*" >&2; exit 1; }
step "starting a private Exim on 127.0.0.1"
exim_up
trap 'exim_down' EXIT
echo "    config $T/exim.conf (includes $T/contrib/router-reflector, transport-reflector)"
echo "    Exim runs as $RUN_USER; listdeliver's config is $T/reflector.conf"

L="$src/build/listctl --config $T/reflector.conf"
step "creating demo@lists.test (listctl, as root: it switches to the state dir's owner)"
$L create demo@lists.test || die "listctl create failed"
$L set demo@lists.test description 'Demo list' &&
$L set demo@lists.test subject_prefix '[demo] ' &&
$L set demo@lists.test footer -- '-- \ndemo@lists.test, a reflector list. To leave: demo-leave@lists.test' ||
    die "listctl set failed"
$L subscribe demo@lists.test alice@example.test bob@example.test carol@other.test ||
    die "listctl subscribe failed"
add_mailbox alice@example.test bob@example.test carol@other.test
$L show demo@lists.test | sed 's/^/    /'

step "alice posts to demo@lists.test over SMTP (swaks to 127.0.0.1:$PORT)"
cat > "$T/post.eml" <<EOF
From: Alice <alice@example.test>
To: demo@lists.test
Subject: Hello from the demo
Date: $(date -R)
Message-ID: <demo.$(date +%s)@example.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello everyone,

this message went from swaks to Exim, from Exim's pipe to listdeliver, and
from listdeliver back to Exim once per subscriber.

Alice
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

step "Exim's log of the post"
grep -E ' (<=|=>|==|\*\*) ' "$T/log/mainlog" | sed 's/^/    /'

exim_down
step "done: Exim is stopped; the files stay in $T"
cat <<EOF
    ls $T/mail/*/*/new/           the Maildirs of alice, bob and carol
    less $T/log/mainlog           Exim's log
    cat $T/exim.conf              the Exim configuration (with contrib/exim's snippets)
    $src/build/listctl --config $T/reflector.conf show demo@lists.test
    rm -rf $T                     when you are done
EOF
exit $status
