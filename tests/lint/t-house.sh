#!/bin/bash
# t-house.sh - the house rules of the tree (issue 9), checked on the source:
#   - each dependency behind its one adapter: sodium.h only in lib/crypto/,
#     sqlite3.h only in lib/store/, gmime.h only in lib/mime/mime.h,
#     curl only in the S3 blob store and the base_url probe, microhttpd
#     only in cmd/listweb/;
#   - cmd/ and bench/ see only the public API (<reflector/...>);
#   - a folder's -private.h is included by that folder's files alone: no
#     test, no benchmark, no other folder;
#   - every program's own header ends with <reflector/banned.h>;
#   - no second spelling of what has one: sysexits from <sysexits.h>, a day
#     as RF_DAY (lib/, cmd/), libsodium started in one place;
#   - lib/ never prints or exits.
# Each failure names the file and the line.  Needs only grep.
set -u
src=${RF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 1
fails=0 checks=0
ok()   { checks=$((checks + 1)); echo "ok - $1"; }
bad()  { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok - $1"; printf '%s\n' "$2" | sed 's/^/#   /'; }
# only FILES... (regex on the path): every hit of PATTERN must be in them
only_in() {
    local what=$1 pattern=$2 allowed=$3 hits
    hits=$(grep -rEn --include='*.[ch]' "$pattern" lib cmd tests bench 2>/dev/null | grep -Ev "^($allowed)" || true)
    if [ -z "$hits" ]; then ok "$what"; else bad "$what" "$hits"; fi
}

only_in "sodium.h only in lib/crypto/" '#include <sodium\.h>' 'lib/crypto/'
only_in "sqlite3.h only in lib/store/" '#include <sqlite3\.h>' 'lib/store/'
only_in "gmime.h only in lib/mime/mime.h" '#include <gmime/' 'lib/mime/mime\.h:'
only_in "curl only in the S3 blob store and the base_url probe" '#include <curl/' 'lib/(blob/blob-s3|core/http-probe)\.c:'
only_in "microhttpd only in cmd/listweb/" '#include <microhttpd\.h>' 'cmd/listweb/'
only_in "libsodium started in lib/crypto/ alone" 'sodium_init' 'lib/crypto/'
only_in "sysexits spelt by <sysexits.h>, no private enum" 'EXIT_(USAGE|TEMPFAIL|DATAERR|NOUSER|CONFIG|CANTCREAT)' '$^'
hits=$(grep -rEn --include='*.[ch]' '#define DAY |86400|24 \* 3600|24 \* 60 \* 60' lib cmd | grep -v '^lib/include/reflector/error\.h:' || true)
if [ -z "$hits" ]; then ok "one day is RF_DAY in lib/ and cmd/"; else bad "one day is RF_DAY in lib/ and cmd/" "$hits"; fi

# cmd/ and bench/ include no lib/ header but the public ones
hits=$(grep -rEn '#include "' cmd bench | grep -Ev '#include "(listctl|listweb|template)\.h"' || true)
if [ -z "$hits" ]; then ok "cmd/ and bench/ include only <reflector/...> and their own headers"
else bad "cmd/ and bench/ include only <reflector/...> and their own headers" "$hits"; fi

# a -private.h only from its own folder
hits=""
while IFS= read -r line; do
    file=${line%%:*}
    inc=$(printf '%s' "$line" | sed -E 's/.*#include "([^"]+)".*/\1/')
    case $inc in
        */*) folder=lib/${inc%/*} ;;
        *)   folder=$(dirname "$file") ;;
    esac
    [ "$(dirname "$file")" = "$folder" ] || hits="$hits$line"$'\n'
done < <(grep -rEn '#include "[^"]*-private\.h"' lib cmd tests bench)
if [ -z "$hits" ]; then ok "every -private.h is its folder's alone"
else bad "every -private.h is its folder's alone" "$hits"; fi

# the public headers include only public headers and the system's
hits=$(grep -rEn '#include "' lib/include || true)
if [ -z "$hits" ]; then ok "public headers include only <reflector/...> and system headers"
else bad "public headers include only <reflector/...> and system headers" "$hits"; fi

# the banned functions reach cmd/ too
for h in cmd/listctl/listctl.h cmd/listweb/listweb.h cmd/listdeliver.c; do
    if grep -q '#include <reflector/banned.h>' "$h"; then ok "$h includes banned.h"
    else bad "$h includes banned.h" "$h: no #include <reflector/banned.h>"; fi
done
# (a call of a banned function fails to compile: banned.h is the check)

# lib/ never prints or exits (but the logging module, whose stderr target
# is what --foreground asks for)
hits=$(grep -rEn --include='*.c' '\b(printf|fprintf|puts|g_print|g_printerr|exit) \(' lib |
       grep -v '^lib/core/log\.c:' | grep -Ev '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' || true)
if [ -z "$hits" ]; then ok "lib/ never prints or exits"; else bad "lib/ never prints or exits" "$hits"; fi

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" = 0 ]
