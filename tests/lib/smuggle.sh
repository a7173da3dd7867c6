#!/bin/bash
# smuggle.sh - posts whose header holds a NUL byte or a bare CR (issue 11,
# finding 2), for the tests through a real MTA (t-exim-header-smuggle.sh,
# t-postfix-header-smuggle.sh).  Needs mail.sh (post, maildir_*, hdr) and
# rf_listctl; $WAIT is the MTA's wait-until-idle command.
#
#   smuggle_run     makes list dev (posting open, attachments=link, member
#                   ann), posts the messages over SMTP and checks ann's copies:
#                   each has the list's own List-Unsubscribe only, no part
#                   that is an attachment, and the smuggled lines in its body
#
# The messages: "Subject: smuggle<NUL>", a blank line, then lines that look
# like headers (a multipart Content-Type, a List-Unsubscribe to
# evil.example) and a multipart body with an attachment; before the fix
# GMime lost the line end after the NUL and those lines became headers of
# every copy, past attachments=link and the list's own List-* fields.  The
# same with a bare CR inside the Subject value, and with a NUL in the
# header of a part.

smuggle_msg() {   # smuggle_msg FILE KIND: KIND nul | cr | part-nul
    local id="smuggle.$2.$(date +%s%N)@client.test"
    case $2 in
        nul)
            printf 'From: poster@other.test\r\nTo: dev@lists.test\r\nMessage-ID: <%s>\r\n' "$id"
            printf 'Date: %s\r\nSubject: smuggle\0\r\n\r\n' "$(date -R)"
            printf 'Content-Type: multipart/mixed; boundary=ZZ\r\n'
            printf 'List-Unsubscribe: <https://evil.example/u>\r\n\r\n'
            printf -- '--ZZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n'
            printf -- '--ZZ\r\nContent-Type: application/octet-stream\r\n'
            printf 'Content-Disposition: attachment; filename=payload.exe\r\n\r\nMZ payload\r\n--ZZ--\r\n'
            ;;
        cr)
            printf 'From: poster@other.test\r\nTo: dev@lists.test\r\nMessage-ID: <%s>\r\n' "$id"
            printf 'Date: %s\r\nSubject: hi\rList-Unsubscribe: <https://evil.example/u>\r' "$(date -R)"
            printf 'Content-Type: multipart/mixed; boundary=ZZ\r\n\r\n'
            printf -- '--ZZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n'
            printf -- '--ZZ\r\nContent-Type: application/octet-stream\r\n'
            printf 'Content-Disposition: attachment; filename=payload.exe\r\n\r\nMZ payload\r\n--ZZ--\r\n'
            ;;
        part-nul)
            printf 'From: poster@other.test\r\nTo: dev@lists.test\r\nMessage-ID: <%s>\r\n' "$id"
            printf 'Date: %s\r\nSubject: part\r\nMIME-Version: 1.0\r\n' "$(date -R)"
            printf 'Content-Type: multipart/mixed; boundary=ZZ\r\n\r\n'
            printf -- '--ZZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n'
            printf -- '--ZZ\r\nContent-Type: text/plain\0\r\n\r\n'
            printf 'Content-Type: application/octet-stream\r\n'
            printf 'Content-Disposition: attachment; filename=payload.exe\r\n\r\nMZ payload\r\n--ZZ--\r\n'
            ;;
    esac > "$1"
}

# the names of the headers of FILE, and its parts' types and dispositions
_smuggle_shape() {
    python3 - "$1" <<'PY'
import sys, email, email.policy
with open(sys.argv[1], 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.compat32)
unsub = [v for k, v in m.items() if k.lower() == 'list-unsubscribe']
print('unsubscribe:', len(unsub), 'evil' if any('evil' in v for v in unsub) else 'ours')
print('attachments:', sum(1 for p in m.walk() if (p.get('Content-Disposition') or '').lower().startswith('attachment')))
print('nul:', 1 if b'\0' in open(sys.argv[1], 'rb').read() else 0)
PY
}

# ann's copy of the post of KIND, found by its Message-ID (several copies
# arrive within one second, and Maildir names do not sort by time within it)
_smuggle_copy() {
    maildir_files ann@example.test | xargs -r grep -l -F -e "<smuggle.$1." | head -1
}

smuggle_run() {
    rf_listctl create dev@lists.test > /dev/null &&
    rf_listctl set dev@lists.test posting open > /dev/null &&
    rf_listctl set dev@lists.test attachments link > /dev/null &&
    rf_listctl subscribe dev@lists.test ann@example.test > /dev/null
    ok "list dev: posting open, attachments=link, member ann"
    add_mailbox ann@example.test poster@other.test
    local kind n=0 c shape
    for kind in nul cr part-nul; do
        smuggle_msg "$T/smuggle.$kind" "$kind"
        post poster@other.test dev@lists.test "$T/smuggle.$kind"
        ok "the MTA accepted the post with a $kind in a header"
        $WAIT 60
        n=$((n + 1))
        check_eq "ann has one copy more" "$n" "$(maildir_count ann@example.test)"
        c=$(_smuggle_copy "$kind")
        check "$kind: ann's copy is there, by its Message-ID" test -n "$c"
        [ -n "$c" ] || continue
        shape=$(_smuggle_shape "$c")
        check_match "$kind: the copy has the list's own List-Unsubscribe, and only it" \
            '^unsubscribe: 1 ours$' "$(sed -n 1p <<< "$shape")"
        check_eq "$kind: no part of the copy is an attachment (they are links or text)" \
            "attachments: 0" "$(sed -n 2p <<< "$shape")"
        check_eq "$kind: no NUL byte reaches the member" "nul: 0" "$(sed -n 3p <<< "$shape")"
    done
    check_match "the smuggled lines stayed in the body of the first copy" \
        'List-Unsubscribe: <https://evil.example/u>' \
        "$(python3 -c 'import sys,email,email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.compat32)
print(m.get_payload(decode=True).decode("utf-8", "replace") if not m.is_multipart() else "")' \
        "$(_smuggle_copy nul)")"
    check_eq "the poster got no bounce" 0 "$(maildir_count poster@other.test)"
}
