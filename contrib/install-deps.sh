#!/bin/sh
# install-deps.sh - install what reflector's build, tests and demo need on
# Debian 12 (run as root).  Idempotent: asks apt only for what is missing, and
# prints nothing unless something fails.
#
# Postfix is installed as THE package MTA and Exim is only unpacked beside it:
# exim4-daemon-light and postfix both "Conflict: mail-transport-agent", so
# dpkg can hold one of them only, and installing Exim with apt would remove
# Postfix.  The unpacked Exim is what the tests and the demo start from a temp
# dir; it needs its libraries and the compiled-in "Debian-exim" account.
#
#   EXIM_PREFIX    where to unpack Exim (default /opt/exim-unpacked);
#                  the binary is then $EXIM_PREFIX/usr/sbin/exim4
#   MTA_TEST_USER  unprivileged account the test MTAs run as (default mtatest)
set -eu
export DEBIAN_FRONTEND=noninteractive
EXIM_PREFIX=${EXIM_PREFIX:-/opt/exim-unpacked}
MTA_TEST_USER=${MTA_TEST_USER:-mtatest}

if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: must run as root: use sudo sh contrib/install-deps.sh" >&2
    exit 1
fi

# attachments: listweb's libmicrohttpd, libcurl for the S3 blob store; curl
#        fetches links in the tests, sqlite3 reads tables in some
# build: compiler, cmake, pkg-config and the -dev packages of CMakeLists.txt
# tests: mandoc (man page lint), python3 (free port, MIME parsing of copies),
#        swaks (SMTP client), postfix, util-linux (setpriv), time (peak RSS),
#        Exim's runtime libraries (for the unpacked binary),
#        chromium (browser tests, driven by playwright-core from npm),
#        debhelper, dpkg-dev, fakeroot, lintian, mmdebstrap, iproute2 (the
#        Debian package test, tests/e2e/t-debian-package.sh), bsdutils
#        (script(1): a terminal for listctl delete's question)
# DMARC mitigation: c-ares (DNS) and libpsl with the publicsuffix list;
#        dnsmasq-base, the tests' DNS server on loopback (no service started)
# fuzzing: clang and its libFuzzer runtime (libclang-rt-dev), for the
#        suite's short runs in build-fuzz/ and bench/fuzz.sh (issue 12)
PKGS="build-essential cmake pkg-config
      libgmime-3.0-dev libglib2.0-dev libsqlite3-dev libsodium-dev libjson-glib-dev
      mandoc python3 swaks postfix util-linux passwd time procps
      libidn12 libidn2-0 libgnutls30 libgnutls-dane0 libnsl2 libdb5.3 libpcre2-8-0 libcrypt1
      chromium sqlite3 libmicrohttpd-dev libcurl4-openssl-dev curl
      libc-ares-dev libpsl-dev publicsuffix dnsmasq-base
      debhelper dpkg-dev fakeroot lintian mmdebstrap iproute2 bsdutils
      clang libclang-rt-dev"
# Node.js for the browser tests' driver and the S3 test server: Debian's,
# unless one is there already (a nodesource nodejs carries its own npm and
# conflicts with Debian's npm)
command -v node > /dev/null && command -v npm > /dev/null || PKGS="$PKGS nodejs npm"

missing=
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ -n "$missing" ]; then
    # "Local only": a loopback-only system Postfix; reflector's tests never use it
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string localhost.invalid" | debconf-set-selections
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } \
            > "$log" 2>&1; then
        cat "$log" >&2
        echo "install-deps.sh: apt-get install failed for:$missing" >&2
        exit 1
    fi
fi
# postdrop reads the default main.cf even for private instances
[ -f /etc/postfix/main.cf ] || echo "compatibility_level = 3.6" > /etc/postfix/main.cf

# unpack_deb PACKAGE: apt-get download it and unpack it into $EXIM_PREFIX
unpack_deb() {
    tmp=$(mktemp -d)
    if ! (cd "$tmp" && apt-get download "$1") > "$log" 2>&1; then
        # the package lists may be missing on a fresh machine
        apt-get update -q > "$log" 2>&1 || true
        (cd "$tmp" && apt-get download "$1") > "$log" 2>&1 ||
            { cat "$log" >&2; echo "install-deps.sh: cannot download $1" >&2; exit 1; }
    fi
    mkdir -p "$EXIM_PREFIX"
    dpkg-deb -x "$tmp/$1"_*.deb "$EXIM_PREFIX"
    rm -rf "$tmp"
}
[ -x "$EXIM_PREFIX/usr/sbin/exim4" ] || unpack_deb exim4-daemon-light
# Debian's split configuration, only unpacked too: a test checks that
# contrib/exim's snippets drop into it (tests/e2e/t-exim-debian-config.sh)
[ -d "$EXIM_PREFIX/etc/exim4/conf.d/router" ] || unpack_deb exim4-config
# the binary looks its compiled-in user up at startup, even for -bV
if ! getent passwd Debian-exim > /dev/null; then
    getent group Debian-exim > /dev/null || groupadd --system Debian-exim
    useradd --system -g Debian-exim -d /var/spool/exim4 -M -s /usr/sbin/nologin Debian-exim
fi
if ! getent passwd "$MTA_TEST_USER" > /dev/null; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$MTA_TEST_USER"
fi
# -bV exits 1 when there is no system config (there is none): look at the banner
"$EXIM_PREFIX/usr/sbin/exim4" -bV > "$log" 2>&1 || true
if ! grep -q '^Exim version' "$log"; then
    cat "$log" >&2
    echo "install-deps.sh: the unpacked Exim does not run: see above" >&2
    exit 1
fi

# the browser tests' driver: playwright-core, which drives the Debian chromium
# above (it downloads no browser of its own); in a folder of its own, with its
# own package.json, so npm does not walk up into another project
BROWSER_MODULES=${BROWSER_MODULES:-/opt/reflector-test/browser}
if [ ! -f "$BROWSER_MODULES/node_modules/playwright-core/package.json" ]; then
    mkdir -p "$BROWSER_MODULES"
    [ -f "$BROWSER_MODULES/package.json" ] ||
        echo '{"name":"reflector-browser-tests","private":true}' > "$BROWSER_MODULES/package.json"
    if ! (cd "$BROWSER_MODULES" && npm install --no-audit --no-fund playwright-core@1) > "$log" 2>&1; then
        cat "$log" >&2
        echo "install-deps.sh: npm install playwright-core failed (the npm registry must be reachable)" >&2
        exit 1
    fi
fi
# the S3-compatible server of the blob store tests (tests/e2e/t-attachments-s3.sh):
# s3rver from the npm registry, into a fixed directory
S3RVER_PREFIX=${S3RVER_PREFIX:-/opt/reflector-test}
if [ ! -x "$S3RVER_PREFIX/node_modules/.bin/s3rver" ]; then
    mkdir -p "$S3RVER_PREFIX"
    if ! (cd "$S3RVER_PREFIX" && npm install --no-audit --no-fund s3rver@3.7.1) > "$log" 2>&1; then
        cat "$log" >&2
        echo "install-deps.sh: npm install s3rver failed" >&2
        exit 1
    fi
fi
