#!/bin/bash
# ctest-labels: package
# t-debian-package.sh - the Debian package, by the book (issue 13):
#   1. dpkg-buildpackage -us -uc -b builds the .deb from a copy of the source
#      tree (in a temp dir, not the tree itself); lintian reports no error;
#   2. mmdebstrap makes a clean Debian 12 root with Postfix (the .debs are
#      cached in /var/cache/reflector-test/apt, so a second run downloads
#      nothing); the .deb is installed there with apt;
#   3. in that root, in namespaces of its own (mount, pid, network: loopback
#      only), the Postfix part of README.Debian runs command by command,
#      with the test's domain and three local users put in: the post reaches
#      each of the three mailboxes once;
#   4. the cron job of /etc/cron.d/reflector runs, quietly;
#   5. 'listctl check' says nothing on the good install, and finds each
#      planted problem: a file of the wrong owner, no base_url, a list the
#      MTA does not route;
#   6. apt purge removes every file the package installed, the state
#      directory, /etc/reflector and the user.
# Needs root and deb.debian.org; about 5 minutes (most of it the build).
source "$RF_TESTS/lib/common.sh"
rf_need dpkg-buildpackage lintian mmdebstrap unshare chroot tar
[ "$(id -u)" = 0 ] || { echo "not ok - t-debian-package needs root (mmdebstrap, chroot)"; exit 1; }
rf_tmpdir
# step DESCRIPTION LOG cmd...: run, record, and show the log's end on failure
step() {
    local d=$1 log=$2 rc; shift 2
    "$@" > "$log" 2>&1; rc=$?
    _rf_record "$rc" "$d"
    [ "$rc" = 0 ] || tail -30 "$log" | sed 's/^/#   /'
    return "$rc"
}
CACHE=${RF_DEB_CACHE:-/var/cache/reflector-test/apt}
mkdir -p "$CACHE"

# --- 1. build -----------------------------------------------------------------
VERSION=$(sed -n '1s/^reflector (\([^)]*\)).*/\1/p' "$RF_SRC/debian/changelog")
SRC=$TD/src/reflector-$VERSION
mkdir -p "$SRC"
# the tree as it is (committed or not), without build dirs and VCS data
(cd "$RF_SRC" && tar --exclude='./build*' --exclude=./.git --exclude=./obj-* -cf - .) |
    tar -C "$SRC" -xf -
# nocheck: the unit tests run in the build this test belongs to already
step "dpkg-buildpackage -us -uc -b" "$TD/build.log" \
    env -C "$SRC" DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b
DEB=$(ls "$TD"/src/reflector_"$VERSION"_*.deb 2>/dev/null | head -1)
[ -n "$DEB" ] && [ -s "$DEB" ]; ok "the .deb is built: $(basename "${DEB:-none}")"
[ -z "$(cd "$RF_SRC" && ls -d obj-* debian/reflector debian/.debhelper 2>/dev/null)" ]
ok "the source tree itself is untouched by the build"
[ -n "$DEB" ] || { rf_done; exit 1; }

step "lintian reports no error" "$TD/lintian.log" lintian --fail-on error "$DEB"
sed 's/^/# lintian: /' "$TD/lintian.log"
check_eq "lintian: no E: line" "" "$(grep '^E:' "$TD/lintian.log" | head -5)"

contents=$(dpkg-deb -c "$DEB")
for f in ./usr/sbin/listdeliver ./usr/sbin/listctl ./usr/sbin/listweb ./etc/reflector/reflector.conf \
         ./lib/systemd/system/listweb.service ./lib/systemd/system/reflector-cleanup.timer \
         ./lib/systemd/system/reflector-cleanup.service ./etc/cron.d/reflector \
         ./usr/share/man/man8/listctl.8.gz ./usr/share/man/man5/reflector.conf.5.gz \
         ./usr/share/doc/reflector/README.Debian.gz; do
    check "the package holds $f" grep -q " $f\$" <<< "$contents"
done
check_match "reflector.conf is a conffile" '^/etc/reflector/reflector.conf$' \
    "$(dpkg-deb -I "$DEB" conffiles 2>&1)"
check_eq "no test hook in the packaged programs" "" \
    "$(dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./usr/sbin/listdeliver | grep -a -o REFLECTOR_SYSLOG_SOCKET | head -1)"
# issue 12: nor the test clock, in any of the three
for p in listdeliver listctl listweb; do
    check_eq "no REFLECTOR_TEST_NOW in the packaged $p" "" \
        "$(dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./usr/sbin/$p | grep -a -o REFLECTOR_TEST_NOW | head -1)"
done

# --- 2. a clean Debian 12 root ------------------------------------------------
ROOT=$TD/root
# the package's run-time dependencies come in with the root, so that they
# are cached too
# (not default-mta, Exim, which Postfix replaces as the MTA)
DEPS=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/([^)]*)//; s/|.*//; s/ //g' |
       grep -vxE 'default-mta|' | tr '\n' ',')
step "mmdebstrap: a Debian 12 root with Postfix" "$TD/mmdebstrap.log" \
mmdebstrap --mode=root --variant=apt --include="${DEPS}postfix,sqlite3,procps,busybox" \
    --setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
    --setup-hook="find '$CACHE' -maxdepth 1 -name '*.deb' -exec cp {} \"\$1/var/cache/apt/archives/\" \\;" \
    --customize-hook="find \"\$1/var/cache/apt/archives\" -maxdepth 1 -name '*.deb' -exec cp -n {} '$CACHE/' \\;" \
    --skip=download/empty \
    bookworm "$ROOT" http://deb.debian.org/debian
[ -x "$ROOT/usr/sbin/postfix" ] || { rf_done; exit 1; }
cp "$DEB" "$ROOT/tmp/"

# everything in the root runs in namespaces of its own: /proc and /dev for
# it, a network of loopback only (its Postfix listens there), its own pids
# (nothing it starts outlives the test)
cat > "$TD/in-root.sh" <<'EOS'
set -u
ROOT=$1; shift
mount --make-rprivate /
mount -t proc proc "$ROOT/proc"
# a /dev of its own (its syslogd makes /dev/log there), with the devices
# bound from the machine's
mount -t tmpfs -o mode=755 tmpfs "$ROOT/dev"
for d in null zero full random urandom tty; do
    touch "$ROOT/dev/$d"; mount --bind "/dev/$d" "$ROOT/dev/$d"
done
mkdir -p "$ROOT/dev/shm" "$ROOT/dev/pts"; ln -s /proc/self/fd "$ROOT/dev/fd"
mount -t tmpfs tmpfs "$ROOT/run"
ip link set lo up 2>/dev/null || true
exec chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
EOS
in_root() { unshare --mount --net --pid --fork bash "$TD/in-root.sh" "$ROOT" "$@"; }
rf_need ip

# --- install, then README.Debian -----------------------------------------------
step "apt-get install the .deb in the root" "$TD/install.log" \
    in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/$(basename "$DEB")"
check_eq "the user reflector exists" reflector "$(chroot "$ROOT" id -un reflector 2>&1)"
check_eq "/var/lib/reflector: reflector:reflector 0750" "reflector:reflector 750" \
    "$(chroot "$ROOT" stat -c '%U:%G %a' /var/lib/reflector)"
check "postinst made the database (listctl init)" test -s "$ROOT/var/lib/reflector/reflector.db"
check_eq "the database belongs to reflector" reflector "$(chroot "$ROOT" stat -c %U /var/lib/reflector/reflector.db)"
check_eq "no adduser warning in the install" "" "$(grep -iE 'adduser|home dir' "$TD/install.log" | grep -i warn | head -3)"

# the machine's side, which README.Debian takes as given: a running Postfix,
# three local users, the list domain resolving here, listweb running as its
# unit says
chroot "$ROOT" sh -c 'for u in ann bob cy; do useradd -m $u; done; echo "127.0.0.1 lists.test" >> /etc/hosts'
unit=$ROOT/lib/systemd/system/listweb.service
check_match "listweb.service is hardened" 'NoNewPrivileges=yes' "$(cat "$unit")"
for k in ProtectSystem=strict ReadWritePaths=/var/lib/reflector PrivateTmp=yes ProtectHome=yes User=reflector; do
    check "listweb.service has $k" grep -qx "$k" "$unit"
done
EXEC=$(sed -n 's/^ExecStart=//p' "$unit")
USER_=$(sed -n 's/^User=//p' "$unit")

# README.Debian's commands: its sections 1 and 2a, with this test's names
sed -n '/^1\. The address/,/^2b\. Exim/p' "$RF_SRC/debian/README.Debian" | sed -n 's/^    # //p' |
    sed -e 's/lists\.example\.org/lists.test/g' -e 's|https://lists\.test|http://lists.test:8025|g' \
        -e 's/@example\.org/@mail.test/g' > "$TD/commands"
[ "$(wc -l < "$TD/commands")" -ge 10 ]; ok "README.Debian has the Postfix commands ($(wc -l < "$TD/commands"))"
grep -q '^listctl check$' "$TD/commands"; ok "README.Debian ends the Postfix part with listctl check"
{
    echo 'set -e'
    echo 'busybox syslogd -O /var/log/mail.log'
    # the three users' mail domain is this machine's
    echo 'postconf -e "mydestination = \$myhostname, localhost, mail.test"'
    echo 'postfix start > /dev/null 2>&1'
    echo "runuser -u $USER_ -- $EXEC > /tmp/listweb.log 2>&1 &"
    # the commands, each echoed, until listctl check (run below, after the post)
    sed '/^listctl check$/d' "$TD/commands" | while IFS= read -r line; do
        printf 'echo %q\n%s\n' "+ $line" "$line"
    done
    # the post goes through Postfix, listdeliver and Postfix again
    echo 'for i in $(seq 1 300); do n=0; for u in ann bob cy; do [ -s /var/mail/$u ] && n=$((n+1)); done; [ $n = 3 ] && [ -z "$(postqueue -p | grep -v "^Mail queue is empty")" ] && break; sleep 0.2; done'
    echo 'for u in ann bob cy; do printf "%s %s\n" $u $(grep -c "^Subject: .*hello" /var/mail/$u 2>/dev/null || echo 0); done > /tmp/counts'
    echo 'grep -h "listdeliver" /var/log/mail.log 2>/dev/null | tail -3 > /tmp/maillog || true'
    # the cron job, as cron runs it (the user field, then the command)
    echo 'line=$(grep -v "^#" /etc/cron.d/reflector | grep reflector | head -1)'
    echo 'cron_user=$(echo "$line" | awk "{print \$6}")'
    echo 'cron_cmd=$(echo "$line" | sed -E "s/^([^[:space:]]+[[:space:]]+){6}//")'
    echo 'runuser -u "$cron_user" -- sh -c "$cron_cmd" > /tmp/cron.out 2>&1 && echo 0 > /tmp/cron.rc || echo $? > /tmp/cron.rc'
    # listctl check: a good install, then each planted problem (exit 78:
    # the script goes on, under set -e, through && ... ||)
    echo 'for i in $(seq 1 50); do listctl check > /dev/null 2>&1 && break; sleep 0.1; done'
    echo 'listctl check > /tmp/check.good 2>&1 && echo 0 > /tmp/check.good.rc || echo $? > /tmp/check.good.rc'
    echo 'chown root /var/lib/reflector/reflector.db'
    echo 'listctl check > /tmp/check.owner 2>&1 && echo 0 > /tmp/check.owner.rc || echo $? > /tmp/check.owner.rc'
    echo 'chown reflector /var/lib/reflector/reflector.db'
    echo 'cp /etc/reflector/reflector.conf /tmp/conf.good; sed -i "/^base_url =/d" /etc/reflector/reflector.conf'
    echo 'listctl check > /tmp/check.baseurl 2>&1 && echo 0 > /tmp/check.baseurl.rc || echo $? > /tmp/check.baseurl.rc'
    echo 'cp /tmp/conf.good /etc/reflector/reflector.conf'
    echo 'listctl create other@unrouted.test > /dev/null'
    echo 'listctl check > /tmp/check.route 2>&1 && echo 0 > /tmp/check.route.rc || echo $? > /tmp/check.route.rc'
    echo 'listctl delete --yes other@unrouted.test'
    echo 'listctl check > /tmp/check.again 2>&1 && echo 0 > /tmp/check.again.rc || echo $? > /tmp/check.again.rc'
    # issue 12: the packaged listctl ignores the test clock (a test build
    # would journal the creation in 2001)
    echo 'REFLECTOR_TEST_NOW=1000000000 listctl create clock@lists.test > /dev/null || true'
    echo 'listctl journal clock@lists.test > /tmp/clock.journal 2>&1 || true'
    echo 'listctl delete --yes clock@lists.test > /dev/null || true'
    echo 'postfix stop > /dev/null 2>&1 || true'
} > "$ROOT/tmp/scenario.sh"
step "README.Debian's Postfix commands run in the root" "$TD/scenario.log" in_root sh /tmp/scenario.sh
R=$ROOT/tmp
check_eq "the post reached each of the three mailboxes once" "ann 1 bob 1 cy 1" "$(tr '\n' ' ' < "$R/counts" | sed 's/ $//')"
check_match "the mail log has listdeliver's line for the post" 'dev@lists.test: msgid=.*status=delivered copies=3' "$(cat "$R/maillog" 2>/dev/null)"

check_eq "the cron job exits 0" 0 "$(cat "$R/cron.rc")"
check_eq "the cron job is quiet (cron would mail its output)" "" "$(cat "$R/cron.out")"

check_eq "listctl check on the good install: exit 0" 0 "$(cat "$R/check.good.rc")"
check_eq "listctl check on the good install: says nothing" "" "$(cat "$R/check.good")"
check_eq "wrong owner: exit 78" 78 "$(cat "$R/check.owner.rc")"
check_match "wrong owner: the line names the file and the fix" \
    '^problem: /var/lib/reflector/reflector.db belongs to root, not to reflector .*: chown' "$(cat "$R/check.owner")"
check_eq "missing base_url: exit 78" 78 "$(cat "$R/check.baseurl.rc")"
check_match "missing base_url: found" '^problem: \[web\] base_url is http://127.0.0.1:8025, a loopback address' "$(cat "$R/check.baseurl")"
check_eq "unrouted list: exit 78" 78 "$(cat "$R/check.route.rc")"
check_match "unrouted list: found" '^problem: other@unrouted.test: Postfix does not route it to listdeliver' "$(cat "$R/check.route")"
check_eq "unrouted list: the routed one is fine" "" "$(grep 'dev@lists.test' "$R/check.route")"
check_eq "problems fixed: listctl check says nothing again" "0:" "$(cat "$R/check.again.rc"):$(cat "$R/check.again")"
check_match "the packaged listctl ignores REFLECTOR_TEST_NOW (journal of today, not of 2001)" \
    "^$(date -u +%Y)-[0-9-]+T[0-9:]+Z create " "$(cat "$R/clock.journal" 2>/dev/null)"

# --- 6. purge ----------------------------------------------------------------
chroot "$ROOT" dpkg -L reflector > "$TD/files" 2>&1
step "apt-get purge reflector" "$TD/purge.log" \
    in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q reflector'
left=
while IFS= read -r f; do
    [ -d "$ROOT$f" ] && continue          # shared directories (/usr/sbin, ...)
    [ -e "$ROOT$f" ] && left="$left $f"
done < "$TD/files"
check_eq "purge removed every file the package installed" "" "$left"
for p in /var/lib/reflector /etc/reflector /etc/cron.d/reflector /lib/systemd/system/listweb.service \
         /usr/share/reflector /usr/sbin/listctl; do
    check "purge removed $p" test ! -e "$ROOT$p"
done
check_eq "purge removed the user reflector" "" "$(chroot "$ROOT" getent passwd reflector)"
rf_done
