#!/bin/bash
# ink.sh - benchmark (not a test): one post with a 20 MB attachment
# (SIZE_MB to change it) to a list with disappearing_ink = 1d and one
# member; listdeliver seals the post and its file into the blob store and
# sends the notice through a stub sendmail.  Prints the time and
# listdeliver's peak RSS (/usr/bin/time -v) and its ratio to the message
# size, which must stay below 3 (as for attachments=link, bench/attachment.sh);
# then, through listweb, logged in as the list's web user, the time of the
# page and of the file's download, which must come back byte-identical.
#
#   sudo bash bench/ink.sh            (root: listdeliver runs as mtatest)
#   SIZE_MB=50 BUILD=build bash bench/ink.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
SIZE_MB=${SIZE_MB:-20}
BUILD=${BUILD:-$src/build}
RUN_USER=${RF_TEST_USER:-mtatest}

[ -x /usr/bin/time ] || { echo "ink.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
if [ ! -x "$BUILD/listdeliver" ] || [ ! -x "$BUILD/listctl" ] || [ ! -x "$BUILD/listweb" ]; then
    echo "# building in $BUILD"
    cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
    cmake --build "$BUILD" -j2 > /dev/null
fi
D=$(mktemp -d /tmp/reflector-bench.XXXXXX)
chmod 755 "$D"
WEB_PID=
trap '[ -z "$WEB_PID" ] || kill "$WEB_PID" 2>/dev/null; rm -rf "$D"' EXIT
cp "$BUILD/listdeliver" "$BUILD/listctl" "$D/"

as_user() {
    if [ "$(id -u)" = 0 ]; then
        getent passwd "$RUN_USER" > /dev/null ||
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                    --shell /usr/sbin/nologin "$RUN_USER"
        setpriv --reuid="$RUN_USER" --regid="$(id -gn "$RUN_USER")" --init-groups -- "$@"
    else
        "$@"
    fi
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
mkdir -p "$D/state" "$D/out"
printf '#!/bin/sh\nexec cat > "%s/out/copy"\n' "$D" > "$D/sendmail"
chmod 755 "$D/sendmail"
printf '[paths]\nstate_dir = %s\n[delivery]\nsendmail = %s\n[web]\nbase_url = http://127.0.0.1:%s\ntemplates = %s\n[dmarc]\nresolver = none\n' \
    "$D/state" "$D/sendmail" "$PORT" "$src/cmd/listweb/templates" > "$D/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RUN_USER:" "$D"
ctl() { as_user "$D/listctl" --config "$D/reflector.conf" "$@"; }
ctl create bench@lists.test > /dev/null
ctl set bench@lists.test posting open
ctl set bench@lists.test disappearing_ink 1d
ctl set bench@lists.test max_message_size 0
ctl subscribe bench@lists.test member@example.org > /dev/null
echo 'bench web password' | ctl web-access bench@lists.test readers --password-stdin > /dev/null

# the post: a line of text and SIZE_MB of random bytes, base64 as mailers send it
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$D/file.bin"
{
    printf 'From: Poster <poster@example.org>\nTo: bench@lists.test\nSubject: a big file\n'
    printf 'Date: %s\nMessage-ID: <bench.%s@example.org>\nMIME-Version: 1.0\n' "$(date -R)" "$(date +%s%N)"
    printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
    printf 'Content-Type: text/plain; charset=utf-8\n\nThe file is attached.\n--b\n'
    printf 'Content-Type: application/octet-stream; name="big.bin"\n'
    printf 'Content-Disposition: attachment; filename="big.bin"\nContent-Transfer-Encoding: base64\n\n'
    base64 -w 76 "$D/file.bin"
    printf -- '--b--\n'
} > "$D/msg"
chmod 644 "$D/msg"
msg_bytes=$(stat -c %s "$D/msg")

t0=$(date +%s%N)
set +e
as_user /usr/bin/time -v -o "$D/time.out" "$D/listdeliver" --config "$D/reflector.conf" \
    -f poster@example.org bench@lists.test < "$D/msg" 2> "$D/ld.err"
rc=$?
set -e
t1=$(date +%s%N)
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time.out")
ratio=$(awk -v r="$rss" -v m="$msg_bytes" 'BEGIN { printf "%.2f", r * 1024 / m }')
copy_bytes=$(stat -c %s "$D/out/copy" 2>/dev/null || echo 0)
printf 'ink:        %d MiB file, message %d bytes, listdeliver exit %d in %s s\n' \
    "$SIZE_MB" "$msg_bytes" "$rc" "$(elapsed "$t0" "$t1")"
printf 'memory:     peak RSS %s KiB = %s x the message size (limit: below 3)\n' "$rss" "$ratio"
printf 'copy:       %d bytes sent to the member (the notice)\n' "$copy_bytes"
[ "$rc" = 0 ] || { sed 's/^/            /' "$D/ld.err"; exit 1; }

# the page and the file through listweb, logged in as the list's web user
"$BUILD/listweb" --config "$D/reflector.conf" --listen "127.0.0.1:$PORT" 2> "$D/web.err" &
WEB_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
url=$(grep -o "http://127.0.0.1:$PORT/ink/[A-Za-z0-9_-]*" "$D/out/copy" | head -1)
form=$(curl -s -D "$D/h1" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
curl -s -D "$D/h2" -o /dev/null -H "Cookie: rf_login=$form" --data-urlencode user=readers \
    --data-urlencode 'password=bench web password' --data-urlencode "csrf=$form" \
    --data-urlencode list=bench@lists.test "http://127.0.0.1:$PORT/login"
session=$(tr -d '\r' < "$D/h2" | sed -n 's/^Set-Cookie: rf_session=\([^;]*\);.*/\1/Ip')
t0=$(date +%s%N)
code=$(curl -s -o "$D/page.html" -w '%{http_code}' -H "Cookie: rf_session=$session" "$url")
t1=$(date +%s%N)
printf 'page:       HTTP %s in %s s\n' "$code" "$(elapsed "$t0" "$t1")"
t0=$(date +%s%N)
curl -s -o "$D/back.bin" -H "Cookie: rf_session=$session" "$url/1/big.bin"
t1=$(date +%s%N)
printf 'download:   %s s through listweb\n' "$(elapsed "$t0" "$t1")"
if cmp -s "$D/file.bin" "$D/back.bin"; then
    echo "download:   byte-identical (sha256 $(sha256sum < "$D/back.bin" | cut -c1-16)...)"
else
    echo "download:   DIFFERENT from the original"; exit 1
fi
[ "$code" = 200 ] || { echo "the page did not answer 200"; exit 1; }
awk -v r="$ratio" 'BEGIN { exit !(r < 3) }' || { echo "peak RSS is not below 3x the message size"; exit 1; }
