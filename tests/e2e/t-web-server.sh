#!/bin/bash
# t-web-server.sh - listweb as a server: HTTPS with the certificate and key
# of [web] tls_certificate/tls_key (the key readable by root only: read
# before the privilege drop); at most connections_per_ip connections from
# one address; a client that stalls is cut after request_timeout; the
# client address comes from X-Forwarded-For only when the peer is one of
# trusted_proxies (the activity log's origin shows which was believed).
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/lib/web.sh"
rf_need curl openssl python3 setpriv
rf_tmpdir
T=$TD STATE=$TD/state
mkdir -p "$T/log" "$STATE"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$STATE"
cp "$RF_BIN/listctl" "$T/listctl"
conf() {   # conf [web lines...]: a fresh reflector.conf
    { printf '[paths]\nstate_dir = %s\n[web]\n' "$STATE"; printf '%s\n' "$@"; } > "$T/reflector.conf"
    chmod 644 "$T/reflector.conf"
}
conf
rf_as_user "$T/listctl" --config "$T/reflector.conf" create dev@lists.test > /dev/null
ok "a state dir with one list"
trap 'web_down; _rf_cleanup' EXIT
origins() {   # the origins of the csrf-refused entries, oldest first
    rf_as_user "$RF_PYTHON" -c 'import sqlite3, sys
print(" ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute(
    "SELECT origin FROM activity WHERE action = ? ORDER BY id", ("csrf-refused",))))' "$STATE/reflector.db"
}
bad_login() {   # a POST /login without its form token, with X-Forwarded-For $1
    curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $1" --data 'user=x&password=y' \
        "http://127.0.0.1:$WEBPORT/login"
}

# --- whose address: the peer, unless it is a trusted proxy -------------------
web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
check_eq "a POST /login without its form token is refused" 403 "$(bad_login 203.0.113.7)"
web_down
conf 'trusted_proxies = 127.0.0.1'
web_up || { _rf_record 1 "listweb restarted"; rf_done; exit 1; }
bad_login 203.0.113.7 > /dev/null
bad_login '198.51.100.1, 203.0.113.9' > /dev/null
bad_login 'not-an-address' > /dev/null
web_down
check_eq "origins: the peer when untrusted; the proxy's client when trusted (rightmost); the peer for junk" \
    "127.0.0.1 203.0.113.7 203.0.113.9 127.0.0.1" "$(origins)"

# --- HTTPS --------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2> "$T/openssl.err"
ok "a self-signed certificate"
chmod 600 "$T/key.pem"
conf "tls_certificate = $T/cert.pem" "tls_key = $T/key.pem"
if [ "$(id -u)" = 0 ]; then
    chown root: "$T/key.pem"
    check "the key is root's alone" test "$(stat -c '%U %a' "$T/key.pem")" = "root 600"
fi
# web_up probes with plain HTTP: start by hand
WEBPORT=$(_rf_free_port)
"$RF_BIN/listweb" --foreground --config "$T/reflector.conf" --listen "127.0.0.1:$WEBPORT" > "$T/log/listweb.log" 2>&1 &
WEB_PID=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null --cacert "$T/cert.pem" "https://127.0.0.1:$WEBPORT/" && break
    sleep 0.1
done
check_eq "over HTTPS: an unknown unsubscribe link is 404" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" "https://127.0.0.1:$WEBPORT/u/AAAAAAAAAAAAAAAAAAAAAAAAAAA")"
check_match "with the security headers" "^content-security-policy: default-src 'none'" \
    "$(curl -s -D - -o /dev/null --cacert "$T/cert.pem" "https://127.0.0.1:$WEBPORT/u/x" | tr -d '\r' | tr 'A-Z' 'a-z')"
curl -s -o /dev/null -m 5 "http://127.0.0.1:$WEBPORT/u/x"
check "plain HTTP on the HTTPS port gets no page" test "$?" != 0
check_match "listweb says it serves https" "serving on https://127.0.0.1:$WEBPORT" "$(cat "$T/log/listweb.log")"
[ "$(id -u)" != 0 ] ||
    check_eq "and serves as the state dir's owner" "$RF_TEST_USER" "$(ps -o user= -p "$WEB_PID" | tr -d ' ')"
web_down
conf "tls_certificate = $T/cert.pem"
"$RF_BIN/listweb" --config "$T/reflector.conf" --listen "127.0.0.1:$(_rf_free_port)" > "$T/half.out" 2>&1
check_eq "a certificate without its key: exit 78" 78 "$?"
check_match "saying so" 'tls_certificate and tls_key go together' "$(cat "$T/half.out")"

# --- connections per address, and a client that stalls ---------------------------
conf 'connections_per_ip = 2' 'request_timeout = 2'
web_up || { _rf_record 1 "listweb restarted"; rf_done; exit 1; }
out=$(python3 - "$WEBPORT" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(10)
    return s
def request(s):
    s.sendall(b"GET /u/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        try:
            d = s.recv(4096)
        except (ConnectionResetError, socket.timeout):
            break
        if not d:
            break
        data += d
    return data.split(b"\r\n", 1)[0].decode()
held = [conn(), conn()]
time.sleep(0.3)
third = conn()
print("third:", request(third) or "refused")
for s in held:
    s.close()
time.sleep(0.3)
print("after:", request(conn()) or "refused")
s = conn()
s.sendall(b"GET /u/x HTTP/1.1\r\n")   # and nothing more
t0 = time.time()
try:
    while s.recv(4096):
        pass
except (ConnectionResetError, socket.timeout):
    pass
print("stalled: cut after %.0f s" % (time.time() - t0))
EOF
)
echo "$out" | sed 's/^/# /'
check_match "a third connection from the same address gets no answer" '^third: refused$' "$out"
check_match "once the others close, it is served" '^after: HTTP/1.1 404' "$out"
check_match "a client that stalls mid-request is cut after request_timeout" '^stalled: cut after [2-5] s$' "$out"
web_down
check_eq "no sanitizer report from listweb" "" \
    "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T"/log/listweb.log | head -5)"
rf_done
