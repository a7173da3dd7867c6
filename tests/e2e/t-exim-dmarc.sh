#!/bin/bash
# t-exim-dmarc.sh - DMARC mitigation through a real Exim, with a real DNS
# server on loopback (dnsmasq, started here, serving the test zones) that
# listdeliver asks through [dmarc] resolver: senders whose domain publishes
# p=reject or p=quarantine get From "NAME via LIST" <list> and their address
# in Reply-To, p=none and no record keep From, an organisational domain's
# sp=reject applies to its subdomain, an exempt domain is not even looked
# up, a server that never answers (a UDP socket nobody reads) means a
# rewrite after [dmarc] timeout_ms; a post with Reply-To and Cc keeps one of
# each; dmarc_mitigation never and always.  What the test reads: the copies
# in the members' Maildirs, the DNS server's query log, the activity log.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
rf_need dnsmasq sqlite3
exim_up

DNS_PID= SILENT_PID=
dns_down() {
    local p
    for p in $DNS_PID $SILENT_PID; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    DNS_PID= SILENT_PID=
}
trap 'dns_down; exim_down; _rf_cleanup' EXIT

# a free UDP port on 127.0.0.1
free_udp_port() {
    python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}
# txt_query PORT NAME: the TXT strings of NAME, one record a line, or the
# rcode ("NXDOMAIN"); fails when the server does not answer within 1 s
txt_query() {
    python3 - "$1" "$2" <<'EOF'
import random, socket, struct, sys
port, name = int(sys.argv[1]), sys.argv[2]
q = struct.pack('>HHHHHH', random.randint(0, 65535), 0x0100, 1, 0, 0, 0)
q += b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\0' + struct.pack('>HH', 16, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(q, ('127.0.0.1', port))
d = s.recv(4096)
rcode, an = d[3] & 15, struct.unpack('>H', d[6:8])[0]
if rcode:
    print({3: 'NXDOMAIN'}.get(rcode, 'rcode %d' % rcode)); sys.exit(0)
p = len(q)
for _ in range(an):
    p += 2 + 8
    rdlen = struct.unpack('>H', d[p:p + 2])[0]; p += 2
    rd, strings = d[p:p + rdlen], []
    while rd:
        strings.append(rd[1:1 + rd[0]].decode()); rd = rd[1 + rd[0]:]
    print('|'.join(strings)); p += rdlen
EOF
}

# --- the DNS server: dnsmasq with the test zones, as the run user ----------
# (--local: it answers NXDOMAIN for the rest of .test itself, asks nobody)
for _ in 1 2 3 4 5; do
    DNS_PORT=$(free_udp_port)
    "${RF_AS_USER[@]}" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
        --no-hosts --no-poll --bind-interfaces --listen-address=127.0.0.1 --port="$DNS_PORT" \
        --pid-file= --user= --local=/test/ --log-queries --log-facility=- \
        --txt-record=_dmarc.reject.test,"v=DMARC1; p=reject; rua=mailto:d@reject.test" \
        --txt-record=_dmarc.quarantine.test,"v=DMARC1; ","p=quarantine; pct=10" \
        --txt-record=_dmarc.none.test,"v=DMARC1; p=none" \
        --txt-record=_dmarc.org.test,"v=DMARC1; p=none; sp=reject" \
        --txt-record=_dmarc.exempt.test,"v=DMARC1; p=reject" \
        --txt-record=_dmarc.twice.test,"v=DMARC1; p=reject" \
        --txt-record=_dmarc.twice.test,"v=DMARC1; p=quarantine" \
        > "$T/log/dns.log" 2>&1 &
    DNS_PID=$!
    for _ in $(seq 1 50); do
        txt_query "$DNS_PORT" _dmarc.reject.test > /dev/null 2>&1 && break
        kill -0 "$DNS_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$DNS_PID" 2>/dev/null && break
    wait "$DNS_PID" 2>/dev/null; DNS_PID=
done
[ -n "$DNS_PID" ]; ok "dnsmasq serves the test zones on 127.0.0.1:${DNS_PORT:-?}"
check_eq "the zone answers p=reject" 'v=DMARC1; p=reject; rua=mailto:d@reject.test' \
    "$(txt_query "$DNS_PORT" _dmarc.reject.test)"
check_eq "the zone has a record in two strings" 'v=DMARC1; |p=quarantine; pct=10' \
    "$(txt_query "$DNS_PORT" _dmarc.quarantine.test)"
check_eq "the zone answers NXDOMAIN for the rest" NXDOMAIN \
    "$(txt_query "$DNS_PORT" _dmarc.nothing.test)"

# a DNS server that never answers: a UDP socket nobody reads (600 s at most)
"${RF_AS_USER[@]}" "$RF_PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(600)' > "$T/silent.port" &
SILENT_PID=$!
for _ in $(seq 1 50); do [ -s "$T/silent.port" ] && break; sleep 0.1; done
SILENT_PORT=$(cat "$T/silent.port")
[ -n "$SILENT_PORT" ]; ok "a silent UDP socket on 127.0.0.1:$SILENT_PORT"

# reflector.conf: the resolver is ours, the timeout short
set_resolver() {
    sed -i '/^\[dmarc\]/,$d' "$T/reflector.conf"
    printf '[dmarc]\nresolver = 127.0.0.1:%s\ntimeout_ms = 700\nexempt_domains = exempt.test\n' \
        "$1" >> "$T/reflector.conf"
}
set_resolver "$DNS_PORT"

rf_listctl create dev@lists.test > /dev/null &&
rf_listctl set dev@lists.test posting open &&
rf_listctl subscribe dev@lists.test alice@example.test bob@example.test > /dev/null
ok "list dev, posting open, two members"
check_eq "dmarc_mitigation defaults to auto" auto "$(rf_listctl get dev@lists.test dmarc_mitigation)"
add_mailbox alice@example.test bob@example.test

# copy SUBJECT [MEMBER]: the member's copy of the post with that subject
# (the subjects are short ASCII: one unfolded line)
copy() {
    local f
    f=$(maildir_files "${2:-alice@example.test}" | xargs -r grep -lxF "Subject: $1" | head -1)
    echo "${f:-/dev/null}"
}
n_posts=0
# send FROM SUBJECT [header lines...]: one post to dev@, delivered
send() {
    local from=$1 subject=$2; shift 2
    n_posts=$((n_posts + 1))
    mkmsg "$T/p$n_posts" "$from" dev@lists.test "$subject" "Body of '$subject'." "$@"
    post "$(envelope "$from")" dev@lists.test "$T/p$n_posts" && exim_wait_idle 60
    ok "'$subject' posted and the queue drained"
}
envelope() { local a=${1##*<}; echo "${a%>}"; }

# --- p=reject, p=quarantine: rewritten -------------------------------------
send 'Ann Author <ann@reject.test>' 'from reject'
c=$(copy 'from reject')
check_eq "p=reject: From is the list's, with the author's name" \
    'Ann Author via dev <dev@lists.test>' "$(hdr "$c" From)"
check_eq "p=reject: the author's address in Reply-To" 'Ann Author <ann@reject.test>' "$(hdr "$c" Reply-To)"
check_eq "p=reject: no Cc added" '' "$(hdr "$c" Cc)"
check_eq "p=reject: bob's copy too" 'Ann Author via dev <dev@lists.test>' \
    "$(hdr "$(copy 'from reject' bob@example.test)" From)"
check_match "p=reject: the body is the author's" "Body of 'from reject'" "$(body "$c")"

send 'quinn@quarantine.test' 'from quarantine'
c=$(copy 'from quarantine')
check_eq "p=quarantine (pct=10, read as 100): rewritten, the local part as name" \
    'quinn via dev <dev@lists.test>' "$(hdr "$c" From)"
check_eq "p=quarantine: Reply-To" 'quinn@quarantine.test' "$(hdr "$c" Reply-To)"

# --- p=none, no record, several records: kept ------------------------------
send 'Nina <nina@none.test>' 'from none'
c=$(copy 'from none')
check_eq "p=none: From kept" 'Nina <nina@none.test>' "$(hdr "$c" From)"
check_eq "p=none: no Reply-To" '' "$(hdr "$c" Reply-To)"
send 'Nobody <nobody@nothing.test>' 'from nothing'
check_eq "no record: From kept" 'Nobody <nobody@nothing.test>' "$(hdr "$(copy 'from nothing')" From)"
send 'Tom <tom@twice.test>' 'from twice'
check_eq "two DMARC records (RFC 7489: none applies): From kept" 'Tom <tom@twice.test>' \
    "$(hdr "$(copy 'from twice')" From)"

# --- the organisational domain's record for a subdomain (sp=reject) --------
send 'Sub <sub@mail.org.test>' 'from subdomain'
check_eq "mail.org.test: org.test's sp=reject applies, rewritten" 'Sub via dev <dev@lists.test>' \
    "$(hdr "$(copy 'from subdomain')" From)"
check_match "the DNS server was asked _dmarc.mail.org.test, then _dmarc.org.test" \
    'query\[TXT\] _dmarc\.mail\.org\.test .*query\[TXT\] _dmarc\.org\.test ' \
    "$(tr '\n' ' ' < "$T/log/dns.log")"
send 'Orga <orga@org.test>' 'from orgdomain'
check_eq "org.test itself: its p=none, kept" 'Orga <orga@org.test>' "$(hdr "$(copy 'from orgdomain')" From)"

# --- an exempt domain: not rewritten, not looked up ------------------------
send 'Ex <ex@exempt.test>' 'from exempt'
check_eq "exempt domain (p=reject published): From kept" 'Ex <ex@exempt.test>' \
    "$(hdr "$(copy 'from exempt')" From)"
check_eq "exempt domain: never asked about" 0 "$(grep -c '_dmarc\.exempt\.test' "$T/log/dns.log")"

# --- Reply-To and Cc: exactly one of each ----------------------------------
send 'Ann Author <ann@reject.test>' 'with reply-to and cc' \
    'Reply-To: Team <team@reject.test>' 'Cc: Carl <carl@else.test>'
c=$(copy 'with reply-to and cc')
check_eq "Reply-To and Cc: From rewritten" 'Ann Author via dev <dev@lists.test>' "$(hdr "$c" From)"
check_eq "Reply-To and Cc: one Reply-To, the author's own" 'Team <team@reject.test>' "$(hdr "$c" Reply-To)"
check_eq "Reply-To and Cc: one Cc, the author added to it" \
    'Carl <carl@else.test>, Ann Author <ann@reject.test>' "$(hdr "$c" Cc)"
check_eq "Reply-To and Cc: one Reply-To field" 1 "$(grep -ci '^Reply-To:' "$c")"
check_eq "Reply-To and Cc: one Cc field" 1 "$(grep -ci '^Cc:' "$c")"
send 'Ann Author <ann@reject.test>' 'with reply-to' 'Reply-To: Team <team@reject.test>'
c=$(copy 'with reply-to')
check_eq "Reply-To only: kept" 'Team <team@reject.test>' "$(hdr "$c" Reply-To)"
check_eq "Reply-To only: the author in a new Cc" 'Ann Author <ann@reject.test>' "$(hdr "$c" Cc)"
send 'Ann Author <ann@reject.test>' 'author in cc' 'Reply-To: team@reject.test' \
    'Cc: ann@reject.test'
c=$(copy 'author in cc')
check_eq "author already in Cc: Cc as it was" 'ann@reject.test' "$(hdr "$c" Cc)"
check_eq "author already in Cc: Reply-To as it was" 'team@reject.test' "$(hdr "$c" Reply-To)"

# --- a DNS server that never answers: rewritten after the timeout ----------
set_resolver "$SILENT_PORT"
t0=$(date +%s%N)
send 'Nina <nina@none.test>' 'lookup times out'
echo "# post with a lookup that times out (timeout_ms 700) delivered in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check_eq "lookup timed out (p=none not seen): rewritten, fail safe" 'Nina via dev <dev@lists.test>' \
    "$(hdr "$(copy 'lookup times out')" From)"
check_eq "lookup timed out: Reply-To" 'Nina <nina@none.test>' "$(hdr "$(copy 'lookup times out')" Reply-To)"
set_resolver "$DNS_PORT"

# --- never and always ------------------------------------------------------
rf_listctl set dev@lists.test dmarc_mitigation never
ok "listctl set dmarc_mitigation never"
send 'Ann Author <ann@reject.test>' 'never'
check_eq "never: p=reject kept" 'Ann Author <ann@reject.test>' "$(hdr "$(copy 'never')" From)"
rf_listctl set dev@lists.test dmarc_mitigation always
ok "listctl set dmarc_mitigation always"
send 'Nina <nina@none.test>' 'always'
check_eq "always: p=none rewritten" 'Nina via dev <dev@lists.test>' "$(hdr "$(copy 'always')" From)"
send 'Ex <ex@exempt.test>' 'always exempt'
check_eq "always: an exempt domain still kept" 'Ex <ex@exempt.test>' "$(hdr "$(copy 'always exempt')" From)"
rf_listctl set dev@lists.test description 'Developers'
send 'Nina <nina@none.test>' 'described'
check_eq "the list's description names it" 'Nina via Developers <dev@lists.test>' \
    "$(hdr "$(copy 'described')" From)"

# --- every copy, and the activity log --------------------------------------
check_eq "alice has every post once" "$n_posts" "$(maildir_count alice@example.test)"
check_eq "bob has every post once" "$n_posts" "$(maildir_count bob@example.test)"
check_eq "nothing in the catch-all (no bounce)" 0 "$(catchall_count)"
rf_as_user sqlite3 "file:$STATE/reflector.db?mode=ro" \
    "SELECT detail FROM activity WHERE action = 'dmarc-rewrite' ORDER BY id" > "$T/rewrites"
ok "the activity log can be read"
# reject, quarantine, subdomain, reply-to+cc, reply-to, author in cc,
# timeout, always, described
check_eq "one dmarc-rewrite row per rewritten post" 9 "$(wc -l < "$T/rewrites")"
check_match "the row names the author and the record" \
    '^From ann@reject\.test rewritten to the list \(p=reject at _dmarc\.reject\.test\); the author.s address kept in Reply-To$' \
    "$(head -1 "$T/rewrites")"
check_match "the timeout's row says so" 'lookup of _dmarc\.none\.test timed out after 700 ms' \
    "$(cat "$T/rewrites")"
check_eq "no body text in the activity log" 0 \
    "$(rf_as_user sqlite3 "file:$STATE/reflector.db?mode=ro" "SELECT count(*) FROM activity WHERE detail LIKE '%Body of%'")"

exim_check_clean
rf_done
