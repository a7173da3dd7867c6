#!/bin/bash
# mail.sh - what the MTA harnesses (mta-exim.sh, mta-postfix.sh) share: the
# Maildirs of the instance in $T, SMTP posting to $PORT, reading messages.
#
#   maildir_count ADDR      number of messages in ADDR's Maildir, $T/mail/<domain>/<local>/
#   maildir_files ADDR      their paths, one a line
#   catchall_count          messages in the catch-all Maildir
#   post FROM TO FILE       send FILE over SMTP (swaks) to 127.0.0.1:$PORT
#   mkmsg FILE FROM TO SUBJECT BODY [header lines...]
#   hdr FILE NAME           the (unfolded) values of header NAME, one a line
#   body FILE               the decoded text of every text/plain part
_maildir() { echo "$T/mail/${1#*@}/${1%@*}"; }
maildir_files() { find "$(_maildir "$1")/new" "$(_maildir "$1")/cur" -type f 2>/dev/null | sort; }
maildir_count() { maildir_files "$1" | wc -l; }
catchall_count() { find "$T/mail/_catchall/new" -type f 2>/dev/null | wc -l; }

# post FROM TO FILE [swaks args...]: one message over SMTP to the daemon
post() {
    local from=$1 to=$2 file=$3; shift 3
    swaks --silent 2 --server 127.0.0.1 --port "$PORT" --helo client.test \
          --from "$from" --to "$to" --data "@$file" "$@" > "$T/swaks.out" 2>&1
    local rc=$?
    [ "$rc" = 0 ] || { echo "# swaks failed ($rc):"; sed 's/^/#   /' "$T/swaks.out"; }
    return "$rc"
}

# mkmsg FILE FROM TO SUBJECT BODY [extra header lines...]
mkmsg() {
    local f=$1 from=$2 to=$3 subj=$4 body=$5 h; shift 5
    {
        printf 'From: %s\nTo: %s\nSubject: %s\n' "$from" "$to" "$subj"
        printf 'Date: %s\nMessage-ID: <%s.%s@client.test>\nMIME-Version: 1.0\n' \
            "$(date -R)" "$(date +%s%N)" "$RANDOM"
        printf 'Content-Type: text/plain; charset=utf-8\n'
        for h in "$@"; do printf '%s\n' "$h"; done
        printf '\n%s\n' "$body"
    } > "$f"
}

# hdr FILE NAME: the header's value, unfolded (all occurrences, one a line)
hdr() {
    python3 - "$1" "$2" <<'EOF'
import sys, email, email.policy
with open(sys.argv[1], 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.compat32)
for v in m.get_all(sys.argv[2]) or []:
    print(' '.join(str(v).split()))
EOF
}

# body FILE: the decoded text of every text/plain part
body() {
    python3 - "$1" <<'EOF'
import sys, email, email.policy
with open(sys.argv[1], 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
for p in m.walk():
    if p.get_content_type() == 'text/plain':
        print(p.get_content())
EOF
}

