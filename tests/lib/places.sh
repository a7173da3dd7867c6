#!/bin/bash
# places.sh - every place where reflector keeps data, for the tests that
# prove a thing is kept nowhere (issue 16: the text and files of an ink
# post).  One function lists the places; a new one (the file of 'listctl
# backup', issue 15's troubleshooting store if it ever lives outside the
# state directory) is one more line there, and every such test searches
# it.  Needs $T and $STATE (mta-exim.sh).
#
#   rf_data_places               the places, one a line (files or directories)
#   rf_places_holding NEEDLES    the files of every place that hold one of the
#                                needles of the file NEEDLES (one a line; a
#                                line "hex:<hex digits>" is bytes), as
#                                "file: needle number", one a line
rf_data_places() {
    # the state directory: the database and its WAL, the local blob store,
    # the spool, the key files, issue 15's troubleshooting store
    echo "$STATE"
    # the S3 blob store: the files in which s3rver keeps the bucket
    [ -d "$T/s3" ] && echo "$T/s3"
    # the logs: listweb's, the syslog lines of every program (when the test
    # collects them, into $T/log), Exim's own
    echo "$T/log"
    # the MTA's queue
    echo "$T/spool"
    # the backups: 'listctl backup' is not written yet (DESIGN.md: daily
    # for 7 days, weekly forever); a test that makes one sets RF_BACKUP_FILE
    if [ -n "${RF_BACKUP_FILE:-}" ]; then echo "$RF_BACKUP_FILE"; fi
}

rf_places_holding() {
    rf_data_places | "$RF_PYTHON" -c '
import os, sys
needles = []
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    if not line:
        continue
    needles.append(bytes.fromhex(line[4:]) if line.startswith("hex:") else line.encode())
files = 0
for place in sys.stdin.read().split("\n"):
    if not place:
        continue
    walk = [(place, [], [""])] if os.path.isfile(place) else os.walk(place)
    for root, _, names in walk:
        for name in names:
            path = os.path.join(root, name) if name else root
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            try:
                data = open(path, "rb").read()
            except OSError as e:
                print("%s: unreadable (%s)" % (path, e))
                continue
            files += 1
            for i, n in enumerate(needles):
                if n in data:
                    print("%s: needle %d" % (path, i + 1))
print("searched %d files" % files, file=sys.stderr)
' "$1"
}
