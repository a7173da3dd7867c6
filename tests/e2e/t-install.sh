#!/bin/bash
# t-install.sh - `cmake --install` (into a DESTDIR, as a package build does)
# puts the three programs, the man pages, the templates, the commented
# reflector.conf and contrib/ into the GNU directories of the build's prefix;
# the three installed programs run and read one and the same compiled-in
# configuration file; the installed MTA snippets, units and cron file name
# the installed programs and the build's paths (issue 13: a snippet that
# names another file than the programs read cannot happen by the book); a
# second install keeps a reflector.conf the sysadmin changed.
source "$RF_TESTS/lib/common.sh"
rf_need cmake
rf_tmpdir
cache() { sed -n "s/^$1:[A-Z]*=//p" "$RF_BIN/CMakeCache.txt"; }
PREFIX=$(cache CMAKE_INSTALL_PREFIX)
CONFDIR=$(cache REFLECTOR_CONFIG_DIR)
STATEDIR=$(cache REFLECTOR_STATE_DIR)
SBIN=$PREFIX/$(cache CMAKE_INSTALL_SBINDIR)
[ -n "$PREFIX" ] && [ -n "$CONFDIR" ] && [ -n "$STATEDIR" ]; ok "the build's paths: $PREFIX, $CONFDIR, $STATEDIR"
D=$TD/dest
DESTDIR=$D cmake --install "$RF_BIN" > "$TD/install.log" 2>&1
ok "DESTDIR=$D cmake --install" || sed 's/^/# /' "$TD/install.log"

for p in listctl listdeliver listweb; do
    check "$SBIN/$p installed and executable" test -x "$D$SBIN/$p"
done
for f in share/man/man8/listctl.8 share/man/man8/listdeliver.8 share/man/man8/listweb.8 \
         share/man/man5/reflector.conf.5 share/man/man7/reflector.7 \
         share/reflector/templates/layout.html share/reflector/reflector.conf \
         share/reflector/contrib/exim/router-reflector share/reflector/contrib/exim/transport-reflector \
         share/reflector/contrib/exim/README share/reflector/contrib/postfix/master.cf \
         share/reflector/contrib/postfix/README share/reflector/contrib/systemd/listweb.service \
         share/reflector/contrib/systemd/reflector-cleanup.timer \
         share/reflector/contrib/systemd/reflector-cleanup.service share/reflector/contrib/cron.d/reflector; do
    check "$f installed" test -s "$D$PREFIX/$f"
done
check "the commented configuration file is installed as $CONFDIR/reflector.conf" test -s "$D$CONFDIR/reflector.conf"
check_match "it names the state directory the programs use" "^#state_dir = $STATEDIR\$" "$(cat "$D$CONFDIR/reflector.conf")"

# the three installed programs run, and read the same compiled-in file
for p in listctl listdeliver listweb; do
    out=$(env -u REFLECTOR_CONFIG "$D$SBIN/$p" --version 2>&1)
    check_match "installed $p answers --version" "^$p [0-9]" "$out"
    check_eq "installed $p reads $CONFDIR/reflector.conf" "configuration file: $CONFDIR/reflector.conf" \
        "$(sed -n 2p <<< "$out")"
done
check_match "installed listctl answers help" 'subscribe' "$("$D$SBIN/listctl" help 2>&1)"
check_match "installed listdeliver answers --help" '^usage: listdeliver' "$("$D$SBIN/listdeliver" --help 2>&1)"
check_match "installed listweb answers --help" 'listen' "$("$D$SBIN/listweb" --help 2>&1)"

# the installed snippets run the installed programs, with no other config file
C=$D$PREFIX/share/reflector/contrib
check_match "Postfix service runs $SBIN/listdeliver" "argv=$SBIN/listdeliver -f " "$(cat "$C/postfix/master.cf")"
check_eq "Postfix service passes no --config" "" "$(grep -v '^#' "$C/postfix/master.cf" | grep -e '--config')"
check_match "Exim transport runs $SBIN/listdeliver" "^REFLECTOR_LISTDELIVER = $SBIN/listdeliver\$" "$(cat "$C/exim/transport-reflector")"
check_eq "Exim transport passes no --config" "" "$(grep -v '^#' "$C/exim/transport-reflector" | grep -e '--config')"
check_match "Exim router looks in $STATEDIR/mta" "^REFLECTOR_STATE_DIR = $STATEDIR\$" "$(cat "$C/exim/router-reflector")"
check_match "listweb.service runs $SBIN/listweb" "^ExecStart=$SBIN/listweb\$" "$(cat "$C/systemd/listweb.service")"
check_match "listweb.service may write $STATEDIR" "^ReadWritePaths=$STATEDIR\$" "$(cat "$C/systemd/listweb.service")"
check_match "the cleanup unit runs $SBIN/listctl cleanup" "^ExecStart=$SBIN/listctl cleanup\$" "$(cat "$C/systemd/reflector-cleanup.service")"
check_match "cron.d runs $SBIN/listctl cleanup" "$SBIN/listctl cleanup\$" "$(cat "$C/cron.d/reflector")"
for f in $(cd "$C" && find . -type f); do
    # every path of a program or the config dir in contrib/ is this build's
    bad=$(grep -oE '/usr(/local)?/sbin/list[a-z]+|/[a-z/]*/etc/reflector|/etc/reflector' "$C/$f" |
          grep -vxE "$SBIN/list(ctl|deliver|web)|$CONFDIR" | sort -u | tr '\n' ' ')
    check_eq "contrib/${f#./} names only this build's paths" "" "$bad"
done

# a second install keeps the sysadmin's reflector.conf
echo "# changed by the sysadmin" >> "$D$CONFDIR/reflector.conf"
DESTDIR=$D cmake --install "$RF_BIN" > "$TD/install2.log" 2>&1
ok "a second cmake --install"
check_match "the changed reflector.conf is kept" 'changed by the sysadmin' "$(cat "$D$CONFDIR/reflector.conf")"
rf_done
