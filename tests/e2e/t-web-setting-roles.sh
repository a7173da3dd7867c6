#!/bin/bash
# t-web-setting-roles.sh - who may change which setting (issue 11, finding
# 3), through the real listweb's moderator panel:
#   - a moderator's form shows only the settings a moderator may change
#     (the list's texts, posting, sizes, bounce handling), never a privacy
#     setting (archive, archive_access, attachments, retention, keeping
#     posts for redelivery);
#   - a moderator who posts one anyway (archive=on, archive_access=public)
#     is refused with 403 and nothing is saved, not even the other fields;
#   - the list's owner (and a site admin) sees and changes them all;
#   - listctl, the site admin's tool, changes any of them.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/lib/web.sh"
rf_need curl python3 setpriv
rf_tmpdir
T=$TD STATE=$TD/state
mkdir -p "$T/log" "$STATE"
cp "$RF_BIN/listctl" "$T/listctl"
cp -r "$RF_SRC/cmd/listweb/templates" "$T/templates"
chmod -R a+rX "$T/templates"
printf '[paths]\nstate_dir = %s\n[web]\ntemplates = %s\n' "$STATE" "$T/templates" > "$T/reflector.conf"
chmod 644 "$T/reflector.conf"
[ "$(id -u)" != 0 ] || chown -R "$RF_TEST_USER:" "$T"
ctl() { rf_as_user "$T/listctl" --config "$T/reflector.conf" "$@"; }
ctl create dev@lists.test > /dev/null
printf 'moderator pass 1\n' | ctl user add mod --email mod@example.test --moderator dev@lists.test --password-stdin > /dev/null
printf 'owner pass 22\n' | ctl user add own --email own@example.test --owner dev@lists.test --password-stdin > /dev/null
printf 'admin pass 333\n' | ctl user add boss --email boss@example.test --admin --password-stdin > /dev/null
ok "a list with a moderator, an owner and a site admin"
trap 'web_down; _rf_cleanup' EXIT
web_up || { _rf_record 1 "listweb started"; rf_done; exit 1; }
BASE=http://127.0.0.1:$WEBPORT

login() {   # login USER PASSWORD: a session in the cookie jar $T/jar.USER
    local jar=$T/jar.$1 csrf
    rm -f "$jar"
    curl -s -c "$jar" -o "$T/form" "$BASE/login"
    csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/form")
    curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" \
        --data-urlencode "user=$1" --data-urlencode "password=$2" "$BASE/login"
}
panel() {   # panel USER: the panel page of dev in $T/panel.USER
    curl -s -b "$T/jar.$1" -o "$T/panel.$1" "$BASE/m/dev@lists.test/"
}
fields() { grep -o 'name="[a-z_]*" id="f-[a-z_]*"' "$T/panel.$1" | sed 's/name="\([a-z_]*\)".*/\1/' | paste -sd' '; }
save() {   # save USER FIELD=VALUE...: POST the settings form; prints the status
    local who=$1 csrf args=()
    shift
    csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/panel.$who" | head -1)
    for kv in "$@"; do args+=(--data-urlencode "$kv"); done
    curl -s -b "$T/jar.$who" -o "$T/saved.$who" -w '%{http_code}' --data-urlencode "csrf=$csrf" \
        "${args[@]}" "$BASE/m/dev@lists.test/settings"
}
get() { ctl get dev@lists.test "$1"; }

login mod 'moderator pass 1'; panel mod
mod_fields=$(fields mod)
check_match "the moderator's form has the list's texts and posting" \
    '(^| )posting( |$).*subject_prefix.*footer' "$mod_fields"
for privacy in archive archive_access attachments attachment_unguessable attachment_retention \
               attachment_signed bounce_redelivery; do
    check "the moderator's form has no field '$privacy'" \
        bash -c '! grep -qw -- "$1" <<< "$2"' _ "$privacy" "$mod_fields"
done
check_eq "a moderator who posts archive=on and archive_access=public is refused" 403 \
    "$(save mod archive=on archive_access=public subject_prefix='[mod]')"
check_eq "the archive stays off" off "$(get archive)"
check_eq "its access stays password" password "$(get archive_access)"
check_eq "and nothing else of that form was saved" "" "$(get subject_prefix)"
check_eq "nor attachments=link alone" 403 "$(save mod attachments=link)"
check_eq "attachments stay keep" keep "$(get attachments)"
check_eq "the moderator may change the subject prefix" 200 "$(save mod subject_prefix='[dev]')"
check_eq "which is saved" "[dev]" "$(get subject_prefix)"

login own 'owner pass 22'; panel own
own_fields=$(fields own)
check_match "the owner's form has the privacy settings too" \
    '(^| )archive( |$).*archive_access.*attachments.*attachment_retention' "$own_fields"
check_eq "the owner may open the archive to the public" 200 \
    "$(save own archive=on archive_access=public)"
check_eq "archive is on" on "$(get archive)"
check_eq "archive_access is public" public "$(get archive_access)"

login boss 'admin pass 333'; panel boss
check_eq "a site admin may close it again" 200 "$(save boss archive_access=moderators)"
check_eq "archive_access is moderators" moderators "$(get archive_access)"

ctl set dev@lists.test attachment_retention 1y > /dev/null
check_eq "listctl (the site admin) changes any setting" 1y "$(get attachment_retention)"
check_match "listctl help settings says who may change each one" \
    '^archive +bool +off +on\|off +owner ' "$(rf_as_user "$T/listctl" help settings)"
rf_done
