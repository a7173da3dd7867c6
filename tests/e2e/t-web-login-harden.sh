#!/bin/bash
# t-web-login-harden.sh - what the login page tells an outsider (issue 11,
# findings 6 and 7), through the real listweb:
#   - after repeated failures, a real account name and an unknown one get
#     the same status and the same words, and a failure takes as long for
#     one as for the other (the password hash is checked, or a dummy one);
#   - the return address next= is used only when it is a path of safe
#     characters: a TAB, a backslash, a second slash, a scheme, a quote or
#     a space sends the reader to the default page instead.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/lib/web.sh"
rf_need curl python3 setpriv
rf_tmpdir
T=$TD STATE=$TD/state
mkdir -p "$T/log" "$STATE"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$STATE"
cp "$RF_BIN/listctl" "$T/listctl"
cp -r "$RF_SRC/cmd/listweb/templates" "$T/templates"
chmod -R a+rX "$T/templates"
printf '[paths]\nstate_dir = %s\n[web]\ntemplates = %s\n[security]\nlogin_attempts = 3\nip_login_attempts = 1000\n' \
    "$STATE" "$T/templates" > "$T/reflector.conf"
chmod 644 "$T/reflector.conf"
[ "$(id -u)" != 0 ] || chown "$RF_TEST_USER:" "$T"
ctl() { rf_as_user "$T/listctl" --config "$T/reflector.conf" "$@"; }
ctl create dev@lists.test > /dev/null
printf 'right pass phrase 1\n' | ctl user add alice --email alice@example.test --password-stdin > /dev/null
ok "a list and the account alice"
trap 'web_down; _rf_cleanup' EXIT
web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT

# login USER PASSWORD [NEXT]: POST /login with a fresh form token; prints
# "STATUS SECONDS LOCATION" and leaves the page in $T/page
login() {
    local jar=$T/jar.$RANDOM csrf
    curl -s -c "$jar" -o "$T/form" "$BASE/login"
    csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/form")
    curl -s -b "$jar" -o "$T/page" -w '%{http_code} %{time_total} %{redirect_url}\n' \
        --data-urlencode "csrf=$csrf" --data-urlencode "user=$1" \
        --data-urlencode "password=$2" --data-urlencode "next=${3:-}" "$BASE/login"
    rm -f "$jar"
}
status_of() { cut -d' ' -f1 <<< "$1"; }
words_of() { sed -n 's/.*id="message">\([^<]*\)<.*/\1/p' "$T/page" | head -1; }

# --- finding 6: the lockout tells no names ---------------------------------------
for i in 1 2 3; do login alice "wrong $i" > /dev/null; login nobody-here "wrong $i" > /dev/null; done
real=$(login alice 'wrong 4'); real_words=$(words_of)
unknown=$(login nobody-here 'wrong 4'); unknown_words=$(words_of)
check_eq "after 3 failures a real name and an unknown one get the same status" \
    "$(status_of "$real")" "$(status_of "$unknown")"
check_eq "and the same words" "$real_words" "$unknown_words"
check "which are not empty" test -n "$real_words"
locked=$(login alice 'right pass phrase 1')
check_eq "the real account is locked for now: its right password is refused too" \
    "$(status_of "$real")" "$(status_of "$locked")"
# a failure costs the password hash's time, whether the name exists or not
# (before the fix a locked name was answered at once, 10 to 20 times faster)
times=$(for i in 1 2 3 4 5; do login alice "wrong x$i"; login nobody-else "wrong x$i"; done |
    awk '{print $2}' | paste -sd' ')
check "a failure for a locked real name takes as long as for an unknown one (times: $times)" \
    python3 -c 'import sys, statistics
t = [float(x) for x in sys.argv[1].split()]
real, unknown = statistics.median(t[0::2]), statistics.median(t[1::2])
sys.exit(0 if unknown <= 3 * real and real <= 3 * unknown else 1)' "$times"

# --- finding 7: next= is a path of ours, of safe characters ------------------------
web_down
printf 'right pass phrase 2\n' | ctl user add bob --email bob@example.test --password-stdin > /dev/null
web_up || { _rf_record 1 "listweb restarted"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT
location() {   # location NEXT: where a good login of bob sends the reader
    curl_out=$(login bob 'right pass phrase 2' "$1")
    cut -d' ' -f3- <<< "$curl_out" | sed "s|^$BASE||"
}
check_eq "a plain path is followed" "/l/dev@lists.test/search?q=air%20ship" \
    "$(location '/l/dev@lists.test/search?q=air%20ship')"
for bad in $'/\t/evil.example/x' '//evil.example/x' '/\evil.example/x' 'https://evil.example/' \
           $'/x\r\nSet-Cookie: a=b' '/x y' '/x"y' "/x'y" '/x<y>'; do
    where=$(location "$bad")
    check_eq "next=$(printf '%q' "$bad") is not followed" "/login" "$where"
done
rf_done
