#!/bin/bash
# mta-postfix.sh - a private Postfix on 127.0.0.1 with reflector behind it
# (bash library for tests/e2e/t-postfix-*.sh).  Needs root: Postfix's master
# starts as root, and the test runs in a mount namespace of its own (below).
#
#   source "$RF_TESTS/lib/common.sh"; source "$RF_TESTS/mta/mta-postfix.sh"
#   pf_reexec_private "$@"  first thing: re-run the test in its own mount namespace
#   pf_up                   instance in $T (= rf_tmpdir's TD): sets T, PORT,
#                           PF_CONF, RUN_USER, RUN_GROUP, STATE; starts Postfix
#   rf_listctl ARGS...      listctl --config $T/reflector.conf, as the run user
#   add_mailbox ADDR...     make ADDR a Maildir, $T/mail/<domain>/<local>/
#   pf_wait_idle [SECS]     wait until the queue is empty (default 60)
#   pf_check_clean          records: queue empty, no fatal/panic, no sanitizer report
#   pf_down                 postfix stop
#   and mail.sh's maildir_count, maildir_files, post, mkmsg, hdr, body
#
# The reflector lines are contrib/postfix/{main.cf,master.cf,reflector_transport}
# themselves, with this instance's paths and account put in: lists.test is a
# relay domain whose addresses are STATE/mta/postfix-recipients, indexed by
# listctl through [mta] postmap, so an unknown list is refused at RCPT.  listdeliver
# runs as the unprivileged run user and hands copies back with
# "sendmail -C $T/conf"; Postfix's set-gid postdrop accepts that from a
# non-root user only if $T/conf is in alternate_config_directories of the
# DEFAULT /etc/postfix/main.cf.  So the test runs in a private mount
# namespace (unshare -m), where a copy of /etc/postfix/main.cf with that line
# is bind-mounted over the real one: the machine's file is never changed.
RF_MTA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$RF_MTA_DIR/mail.sh"

pf_reexec_private() {
    [ "$(id -u)" = 0 ] || { echo "not ok - the Postfix tests need root (Postfix's master starts as root)"; exit 1; }
    # (a marker, not a comparison with /proc/1/ns/mnt: in a container PID 1
    # may be out of sight, and a wrong guess would mount in the caller's
    # namespace)
    if [ "${RF_PRIVATE_MOUNTS:-}" != self ]; then
        rf_need unshare
        exec unshare -m --propagation private env RF_PRIVATE_MOUNTS=self bash "$0" "$@"
    fi
}

as_run_user() { setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --init-groups -- "$@"; }
rf_listctl() { as_run_user "$T/bin/listctl" --config "$T/reflector.conf" "$@"; }

_pf_wait_ready() {   # a 220 banner on 127.0.0.1:$PORT, ~15 s at most
    local banner
    for _ in $(seq 1 150); do
        if banner=$( { exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null &&
                     { IFS= read -r -t 2 l <&3; printf 'QUIT\r\n' >&3; echo "$l"; }) &&
           [[ $banner == 220* ]]; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

pf_up() {
    rf_need postfix postconf swaks python3 setpriv
    [ -n "${TD:-}" ] || rf_tmpdir
    trap 'pf_down; _rf_cleanup' EXIT
    T=$TD
    rf_ensure_test_user
    RUN_USER=$RF_TEST_USER
    RUN_GROUP=$(id -gn "$RUN_USER")
    STATE=$T/state
    PF_CONF=$T/conf
    local contrib=$RF_SRC/contrib/postfix uid gid
    uid=$(id -u "$RUN_USER"); gid=$(id -g "$RUN_USER")
    mkdir -p "$PF_CONF" "$T/queue" "$T/data" "$T/log" "$T/mail/_catchall" "$STATE/mta" "$T/bin" "$T/san"
    chmod 0750 "$STATE"   # as reflector(7) wants it (listctl warns of others)
    [ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
    [ -x "$RF_BIN/listctl" ] || { echo "not ok - $RF_BIN/listctl is not built"; exit 1; }
    cp "$RF_BIN/listdeliver" "$T/bin/listdeliver.bin"
    cp "$RF_BIN/listctl" "$T/bin/listctl"
    # sanitizer reports go to files: the pipe's output only reaches a bounce
    cat > "$T/bin/listdeliver" <<EOF
#!/bin/sh
ASAN_OPTIONS='${ASAN_OPTIONS:-}:log_path=$T/san/asan'
UBSAN_OPTIONS='${UBSAN_OPTIONS:-print_stacktrace=1}:log_path=$T/san/ubsan'
export ASAN_OPTIONS UBSAN_OPTIONS
exec $T/bin/listdeliver.bin "\$@"
EOF
    chmod 755 "$T/bin/listdeliver"
    PORT=$(_rf_free_port); echo "$PORT" > "$T/port"
    # the instance, then the sysadmin's lines with this instance's paths
    { sed -e "s|@T@|$T|g" -e "s|@UID@|$uid|g" -e "s|@GID@|$gid|g" "$RF_MTA_DIR/postfix-main.cf.in"
      sed -e "s|/etc/postfix/reflector_transport|$PF_CONF/reflector_transport|" \
          -e "s|lists\.example\.org|lists.test|" -e "s|/var/lib/reflector|$STATE|" "$contrib/main.cf"
    } > "$PF_CONF/main.cf"
    { sed -e "s|@PORT@|$PORT|g" "$RF_MTA_DIR/postfix-master.cf.in"
      sed -e "s|user=reflector|user=$RUN_USER|" \
          -e "s|argv=/usr/sbin/listdeliver|argv=$T/bin/listdeliver --config $T/reflector.conf|" \
          "$contrib/master.cf"
    } > "$PF_CONF/master.cf"
    sed -e 's|lists\.example\.org|lists.test|' "$contrib/reflector_transport" > "$PF_CONF/reflector_transport"
    : > "$PF_CONF/vmailbox"
    cat > "$T/reflector.conf" <<EOF
[paths]
state_dir = $STATE

[delivery]
sendmail = /usr/sbin/sendmail
sendmail_args = -C;$PF_CONF
parallel = ${RF_PARALLEL:-8}

# no DMARC lookup leaves the machine (t-exim-dmarc sets its own resolver)
[dmarc]
resolver = none

[mta]
postmap = $(command -v postmap)
EOF
    chmod 644 "$T/reflector.conf"
    # the run user: the state, the Maildirs, its programs; root: the rest
    # (postlogd opens the maillog before it drops privileges)
    chown -R "$RUN_USER:$RUN_GROUP" "$STATE" "$T/mail" "$T/san" "$T/bin" "$T/reflector.conf"
    chown postfix:postfix "$T/data"
    # non-root postdrop: this instance in alternate_config_directories of
    # the default main.cf, in this mount namespace only
    if [ "${RF_PRIVATE_MOUNTS:-}" != self ]; then
        echo "not ok - pf_up outside a private mount namespace: call pf_reexec_private first"; exit 1
    fi
    { cat /etc/postfix/main.cf 2>/dev/null
      echo "alternate_config_directories = $(postconf -h alternate_config_directories 2>/dev/null) $PF_CONF"
    } > "$T/default-main.cf"
    chmod 644 "$T/default-main.cf"
    mount --bind "$T/default-main.cf" /etc/postfix/main.cf ||
        { echo "not ok - cannot bind-mount over /etc/postfix/main.cf"; exit 1; }
    # the recipient map before the first list (README: smtpd needs the file)
    as_run_user sh -c ': > "$1" && postmap "$1"' sh "$STATE/mta/postfix-recipients" ||
        { echo "not ok - cannot make the empty recipient map"; exit 1; }
    if ! postfix -c "$PF_CONF" start > "$T/log/start.out" 2>&1 || ! _pf_wait_ready; then
        echo "not ok - postfix did not start on 127.0.0.1:$PORT"
        sed 's/^/# /' "$T/log/start.out" "$T/log/maillog" 2>/dev/null
        exit 1
    fi
    PF_UP=1
    echo "# postfix: T=$T port=$PORT"
}

pf_down() {
    [ -n "${PF_UP:-}" ] || return 0
    postfix -c "$PF_CONF" stop > /dev/null 2>&1
    PF_UP=
}

# texthash tables are read when a Postfix process starts: reload after a change
add_mailbox() {
    local a
    for a in "$@"; do
        printf '%s %s/%s/\n' "$a" "${a#*@}" "${a%@*}" >> "$PF_CONF/vmailbox"
    done
    postfix -c "$PF_CONF" reload > /dev/null 2>&1
}

pf_queue_count() {
    find "$T/queue/maildrop" "$T/queue/incoming" "$T/queue/active" "$T/queue/deferred" \
         "$T/queue/hold" -type f 2>/dev/null | wc -l
}
pf_wait_idle() {
    local n=$(( ${1:-60} * 10 ))
    while [ "$n" -gt 0 ]; do
        [ "$(pf_queue_count)" = 0 ] && return 0
        sleep 0.1; n=$((n - 1))
    done
    echo "# queue not empty after ${1:-60}s:"; postqueue -c "$PF_CONF" -p 2>/dev/null | head -20 | sed 's/^/#   /'
    return 1
}

pf_check_clean() {
    pf_wait_idle 60
    ok "queue empty at the end"
    check_eq "no fatal or panic in the maillog" "" "$(grep -E 'fatal:|panic:' "$T/log/maillog" | head -3)"
    check_eq "no sanitizer report from listdeliver" "" "$(cat "$T"/san/* 2>/dev/null | head -40)"
}
