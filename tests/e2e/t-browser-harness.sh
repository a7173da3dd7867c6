#!/bin/bash
# t-browser-harness.sh - the browser tests' watch can fail: in the real
# headless Chromium, a page with an inline script that opens a dialog and
# loads an image from a foreign host is caught on both counts, and a clean
# page is not.  (The XSS tests of listweb rely on this watch.)
source "$RF_TESTS/lib/common.sh"
rf_need node python3
rf_tmpdir

mkdir -p "$TD/www"
cat > "$TD/www/bad.html" <<'HTML'
<!doctype html><title>bad</title>
<script>alert('xss-canary')</script>
<img src="http://foreign.invalid/pixel.png">
HTML
printf '<!doctype html><title>good</title><h1>hello</h1>\n' > "$TD/www/good.html"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$TD/www" > "$TD/http.log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; _rf_cleanup' EXIT
for _ in $(seq 1 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
done

out=$(cd "$TD" && timeout 120 node "$RF_TESTS/browser/harness-selftest.mjs" "http://127.0.0.1:$port" 2>&1)
rc=$?
echo "$out"
check_eq "the self-test ran to its end" 0 "$rc"
check_match "and reported its checks" '^5 passed, 0 failed$' "$out"
rf_done
