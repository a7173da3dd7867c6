#!/bin/bash
# t-exim-debian-config.sh - contrib/exim's snippets drop into Debian 12's own
# split Exim configuration (exim4-config's conf.d, unpacked by
# contrib/install-deps.sh) the way contrib/exim/README says: router at
# router/350_reflector, transport at transport/30_reflector, macros in
# main/00_reflector_macros.  The assembled file must load, and exim -bt must
# route a list's post address and every role suffix to reflector_pipe, and
# nothing else.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
rf_find_exim
rf_tmpdir
CONFD=$(cd "$(dirname "$EXIM")/../.." && pwd)/etc/exim4/conf.d
[ -d "$CONFD/router" ] || { echo "not ok - no Debian conf.d beside $EXIM (run contrib/install-deps.sh as root)"; exit 1; }
if [ "$(id -u)" = 0 ]; then RUN_USER=$RF_TEST_USER; else RUN_USER=$(id -un); fi
RUN_GROUP=$(id -gn "$RUN_USER")
T=$TD

cp -r "$CONFD" "$T/conf.d"
cp "$RF_SRC/contrib/exim/router-reflector" "$T/conf.d/router/350_reflector"
cp "$RF_SRC/contrib/exim/transport-reflector" "$T/conf.d/transport/30_reflector"
cat > "$T/conf.d/main/00_reflector_macros" <<EOF
MAIN_LOCAL_DOMAINS = @ : localhost : lists.test
MAIN_TRUSTED_USERS = uucp : $RUN_USER
REFLECTOR_STATE_DIR = $T/state
REFLECTOR_USER = $RUN_USER
REFLECTOR_GROUP = $RUN_GROUP
EOF
# what update-exim4.conf does: every folder in order, each one's files sorted
for d in main acl router transport retry rewrite auth; do
    for f in $(ls "$T/conf.d/$d" | sort); do cat "$T/conf.d/$d/$f"; echo; done
done > "$T/exim4.conf"
chmod 644 "$T/exim4.conf"
[ "$(id -u)" != 0 ] || chown root:root "$T/exim4.conf"

mkdir -p "$T/state" "$T/bin"
cp "$RF_BIN/listctl" "$T/bin/listctl"
printf '[paths]\nstate_dir = %s\n[dmarc]\nresolver = none\n' "$T/state" > "$T/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RUN_USER:$RUN_GROUP" "$T/state" "$T/reflector.conf"
rf_as_user "$T/bin/listctl" --config "$T/reflector.conf" create dev@lists.test > /dev/null
ok "listctl create dev@lists.test"

out=$("$EXIM" -C "$T/exim4.conf" -bV 2>&1)
check_match "Debian's config with the snippets loads" '^Exim version' "$out"
check_eq "no configuration error" "" "$(printf '%s\n' "$out" | grep -i 'error' | head -3)"
check_eq "router position: after hubbed_hosts, before system_aliases" \
    "hubbed_hosts reflector_list system_aliases" \
    "$("$EXIM" -C "$T/exim4.conf" -bP router_list 2>/dev/null | tr ' ' '\n' | grep -xE "hubbed_hosts|reflector_list|system_aliases" | tr '\n' ' ' | sed 's/ $//')"
check_match "transport command: the package's listdeliver, with its compiled-in config" \
    "command = /usr/sbin/listdeliver\$" \
    "$("$EXIM" -C "$T/exim4.conf" -bP transport reflector_pipe 2>&1)"
check_match "temp_errors = 75" '^temp_errors = 75$' "$("$EXIM" -C "$T/exim4.conf" -bP transport reflector_pipe 2>&1)"

for a in dev@lists.test dev-bounces+alice=example.test@lists.test dev-confirm+Zm9vYmFy@lists.test \
         dev-request@lists.test dev-owner@lists.test dev-join@lists.test dev-leave@lists.test \
         DEV@lists.test; do
    check_match "exim -bt $a -> reflector_pipe" 'router = reflector_list, transport = reflector_pipe' \
        "$("$EXIM" -C "$T/exim4.conf" -bt "$a" 2>&1)"
done
for a in nolist@lists.test dev-bogus@lists.test dev@other.test; do
    out=$("$EXIM" -C "$T/exim4.conf" -bt "$a" 2>&1)
    printf '%s' "$out" | grep -q 'reflector_list'
    check_eq "exim -bt $a is not routed to the list" 1 "$?"
done
rf_as_user "$T/bin/listctl" --config "$T/reflector.conf" delete --yes dev@lists.test > /dev/null
ok "listctl delete dev@lists.test"
out=$("$EXIM" -C "$T/exim4.conf" -bt dev@lists.test 2>&1)
printf '%s' "$out" | grep -q 'reflector_list'
check_eq "after listctl delete, dev@lists.test is no longer routed to the list" 1 "$?"
rf_done
