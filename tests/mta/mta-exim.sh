#!/bin/bash
# mta-exim.sh - a private Exim on 127.0.0.1 with reflector behind it (bash
# library for the tests in tests/e2e/t-exim-*.sh and for contrib/demo.sh).
#
#   source "$RF_TESTS/lib/common.sh"; source "$RF_TESTS/mta/mta-exim.sh"
#   exim_up                 instance in $T (= rf_tmpdir's TD): sets T, PORT,
#                           EXIM_PID, EXIM_CONF, RUN_USER, RUN_GROUP, STATE
#   rf_listctl ARGS...      listctl --config $T/reflector.conf, as the run user
#   add_mailbox ADDR...     make ADDR a local Maildir, $T/mail/<domain>/<local>/
#   add_refusing ADDR...    make ADDR a mailbox that answers 550 5.1.1 user unknown
#   add_refusing_lists ADDR...  ... that refuses only list posts with 550 5.7.1
#   post FROM TO FILE       send FILE over SMTP (swaks); fails if not accepted
#   exim_wait_idle [SECS]   wait until the queue is empty (default 60)
#   maildir_count ADDR      number of messages in ADDR's Maildir
#   maildir_files ADDR      their paths, one a line
#   hdr FILE NAME           the (unfolded, decoded) value of header NAME
#   exim_check_clean        records: queue empty, paniclog empty, no sanitizer report
#   exim_down               stop the daemon (by PID) and reap it
#
# Everything runs as one unprivileged account (the tests' mtatest): the
# daemon, the deliveries, listdeliver in the pipe, and the Maildirs.  Exim's
# config is tests/mta/exim.conf.in, which .includes copies of
# contrib/exim/router-reflector and contrib/exim/transport-reflector (copied
# into $T so that the run user can read them wherever the tree lives).
#
# Knobs: EXIM (binary; default: the one contrib/install-deps.sh unpacks),
#   RF_SENDMAIL_ARGS (extra arguments of the $T/bin/sendmail wrapper, e.g. -odi),
#   RF_QUEUE_INTERVAL (daemon -q interval, default 2s), RF_PARALLEL (listdeliver's
#   [delivery] parallel, default 8).
RF_MTA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# maildir_*, post, mkmsg, hdr, body: shared with the Postfix harness
source "$RF_MTA_DIR/mail.sh"

rf_find_exim() {
    local e
    for e in "${EXIM:-}" /opt/exim-unpacked/usr/sbin/exim4 /usr/sbin/exim4 /usr/sbin/exim; do
        [ -n "$e" ] && [ -x "$e" ] && { EXIM=$e; return 0; }
    done
    echo "not ok - no Exim binary (set EXIM, or run contrib/install-deps.sh as root)"
    exit 1
}

# run as the instance's account; a clean environment like the MTA's
as_run_user() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --init-groups --reset-env -- \
            env PATH=/usr/sbin:/usr/bin:/bin "$@"
    else
        "$@"
    fi
}


_exim_wait_ready() {   # a 220 banner on 127.0.0.1:$PORT, ~10 s at most
    local banner
    for _ in $(seq 1 100); do
        kill -0 "$EXIM_PID" 2>/dev/null || return 1
        if banner=$( { exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null &&
                    { IFS= read -r -t 2 l <&3; printf 'QUIT\r\n' >&3; echo "$l"; }) &&
           [[ $banner == 220* ]]; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

exim_up() {
    rf_need swaks python3 setpriv
    rf_find_exim
    [ -n "${TD:-}" ] || rf_tmpdir
    trap 'exim_down; _rf_cleanup' EXIT
    T=$TD
    if [ "$(id -u)" = 0 ]; then
        rf_ensure_test_user
        RUN_USER=$RF_TEST_USER
    else
        RUN_USER=$(id -un)
    fi
    RUN_GROUP=$(id -gn "$RUN_USER")
    STATE=$T/state
    mkdir -p "$T/spool" "$T/log" "$T/mail/_catchall" "$STATE" "$T/bin" "$T/contrib" "$T/san" \
             "$T/refuse" "$T/refuse-lists"
    : > "$T/defer-list"
    [ -x "$RF_BIN/listdeliver" ] || { echo "not ok - $RF_BIN/listdeliver is not built"; exit 1; }
    [ -x "$RF_BIN/listctl" ] || { echo "not ok - $RF_BIN/listctl is not built"; exit 1; }
    # copies: the run user may not be able to reach the build tree
    cp "$RF_BIN/listdeliver" "$T/bin/listdeliver.bin"
    cp "$RF_BIN/listctl" "$T/bin/listctl"
    cp "$RF_SRC/contrib/exim/router-reflector" "$RF_SRC/contrib/exim/transport-reflector" "$T/contrib/"
    # sanitizer builds: reports go to files in $T/san (the pipe's stderr
    # would only reach a bounce); the options of the caller are kept
    cat > "$T/bin/listdeliver" <<EOF
#!/bin/sh
ASAN_OPTIONS='${ASAN_OPTIONS:-}:log_path=$T/san/asan'
UBSAN_OPTIONS='${UBSAN_OPTIONS:-print_stacktrace=1}:log_path=$T/san/ubsan'
export ASAN_OPTIONS UBSAN_OPTIONS
# t-syslog: the syslog lines go to the test's socket (test builds only)
REFLECTOR_SYSLOG_SOCKET='${REFLECTOR_SYSLOG_SOCKET:-}'
export REFLECTOR_SYSLOG_SOCKET
exec $T/bin/listdeliver.bin "\$@"
EOF
    # shellcheck disable=SC2086
    printf '#!/bin/sh\nexec %s -C %s %s "$@"\n' "$EXIM" "$T/exim.conf" "${RF_SENDMAIL_ARGS:-}" > "$T/bin/sendmail"
    chmod 755 "$T/bin/listdeliver" "$T/bin/sendmail"
    EXIM_CONF=$T/exim.conf
    sed -e "s|@T@|$T|g" -e "s|@EXIM@|$EXIM|g" -e "s|@USER@|$RUN_USER|g" \
        -e "s|@GROUP@|$RUN_GROUP|g" -e "s|@SRC@/contrib/exim|$T/contrib|g" \
        -e "s|@LISTDELIVER@|$T/bin/listdeliver|g" "$RF_MTA_DIR/exim.conf.in" > "$EXIM_CONF"
    cat > "$T/reflector.conf" <<EOF
[paths]
state_dir = $STATE

[delivery]
sendmail = ${RF_SENDMAIL:-$T/bin/sendmail}
parallel = ${RF_PARALLEL:-8}

# no DMARC lookup leaves the machine (t-exim-dmarc sets its own resolver)
[dmarc]
resolver = none
EOF
    chmod 644 "$EXIM_CONF" "$T/reflector.conf"
    if [ "$(id -u)" = 0 ]; then
        chown -R "$RUN_USER:$RUN_GROUP" "$T"
        # Exim refuses a config that its run user could rewrite
        chown root:root "$EXIM_CONF"
    fi
    # listctl create writes the routing map here; Exim's dsearch needs it
    # to exist even before the first list
    as_run_user mkdir -p "$STATE/mta"

    for _ in 1 2 3 4 5; do
        PORT=$(_rf_free_port); echo "$PORT" > "$T/port"
        if [ "$(id -u)" = 0 ]; then
            setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --init-groups --reset-env -- \
                "$EXIM" -C "$EXIM_CONF" -bdf -oX "$PORT" -q"${RF_QUEUE_INTERVAL:-2s}" \
                >> "$T/log/daemon.log" 2>&1 &
        else
            "$EXIM" -C "$EXIM_CONF" -bdf -oX "$PORT" -q"${RF_QUEUE_INTERVAL:-2s}" \
                >> "$T/log/daemon.log" 2>&1 &
        fi
        EXIM_PID=$!
        _exim_wait_ready && { echo "# exim: T=$T port=$PORT pid=$EXIM_PID exim=$EXIM"; return 0; }
        kill "$EXIM_PID" 2>/dev/null; wait "$EXIM_PID" 2>/dev/null; EXIM_PID=
        grep -qs 'Address already in use' "$T/log/daemon.log" "$T/log/paniclog" || break
    done
    echo "not ok - exim did not start; logs in $T/log/"
    cat "$T/log/daemon.log" "$T/log/paniclog" 2>/dev/null | sed 's/^/# /'
    exit 1
}

exim_down() {
    [ -n "${EXIM_PID:-}" ] || return 0
    kill "$EXIM_PID" 2>/dev/null
    wait "$EXIM_PID" 2>/dev/null
    EXIM_PID=
}

rf_listctl() { as_run_user "$T/bin/listctl" --config "$T/reflector.conf" "$@"; }
exim_cmd() { as_run_user "$EXIM" -C "$EXIM_CONF" "$@"; }
exim_queue_count() { exim_cmd -bpc 2>/dev/null; }

exim_wait_idle() {
    local n=$(( ${1:-60} * 10 )) c
    while [ "$n" -gt 0 ]; do
        c=$(exim_queue_count)
        [ "$c" = 0 ] && return 0
        sleep 0.1; n=$((n-1))
    done
    echo "# queue not empty after ${1:-60}s:"; exim_cmd -bp | head -20 | sed 's/^/#   /'
    return 1
}

add_mailbox() {
    local a
    for a in "$@"; do
        mkdir -p "$T/mail/${a#*@}/${a%@*}"
        [ "$(id -u)" != 0 ] || chown "$RUN_USER:$RUN_GROUP" "$T/mail/${a#*@}" "$T/mail/${a#*@}/${a%@*}"
    done
}
# add_refusing ADDR...: ADDR's mailbox answers every message with
# "550 5.1.1 ... User unknown" (Exim's redirect :fail:, see exim.conf.in)
add_refusing() {
    local a
    for a in "$@"; do
        mkdir -p "$T/refuse/${a#*@}/${a%@*}"
        [ "$(id -u)" != 0 ] || chown -R "$RUN_USER:$RUN_GROUP" "$T/refuse"
    done
}
# add_refusing_lists ADDR...: ADDR's mailbox refuses the copies of list
# posts with "550 5.7.1" and accepts other mail (see exim.conf.in); it also
# gets a Maildir for that other mail
add_refusing_lists() {
    local a
    for a in "$@"; do
        mkdir -p "$T/refuse-lists/${a#*@}/${a%@*}"
        [ "$(id -u)" != 0 ] || chown -R "$RUN_USER:$RUN_GROUP" "$T/refuse-lists"
        add_mailbox "$a"
    done
}
exim_check_clean() {
    exim_wait_idle 60
    ok "queue empty at the end"
    check_eq "paniclog empty" "" "$(cat "$T/log/paniclog" 2>/dev/null)"
    check_eq "no frozen message" "" "$(grep -i frozen "$T/log/mainlog" 2>/dev/null | head -3)"
    check_eq "no sanitizer report from listdeliver" "" "$(cat "$T"/san/* 2>/dev/null | head -40)"
}
