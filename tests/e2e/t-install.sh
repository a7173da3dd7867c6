#!/bin/bash
# t-install.sh - `cmake --install` puts the programs, the man pages and
# contrib/ into the GNU directories under the prefix, and the installed
# programs run.
source "$RF_TESTS/lib/common.sh"
rf_need cmake
rf_tmpdir
P=$TD/prefix
cmake --install "$RF_BIN" --prefix "$P" > "$TD/install.log" 2>&1
ok "cmake --install --prefix $P"
for f in sbin/listctl sbin/listdeliver; do
    check "$f installed and executable" test -x "$P/$f"
done
for f in share/man/man8/listctl.8 share/man/man8/listdeliver.8 share/man/man5/reflector.conf.5 \
         share/man/man7/reflector.7 share/reflector/contrib/exim/router-reflector \
         share/reflector/contrib/exim/transport-reflector share/reflector/contrib/exim/README; do
    check "$f installed" test -s "$P/$f"
done
check_match "installed listdeliver answers --version" '^listdeliver [0-9]' "$("$P/sbin/listdeliver" --version)"
check_match "installed listctl answers help" 'subscribe' "$("$P/sbin/listctl" help 2>&1)"
rf_done
