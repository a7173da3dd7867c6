#!/bin/bash
# t-postfix-header-smuggle.sh - a NUL byte or a bare CR in a header, through
# the real Postfix (issue 11, finding 2; tests/lib/smuggle.sh): each becomes
# a space before the post is parsed, so the lines after the header stay the
# body: no smuggled List-Unsubscribe, no attachment past attachments=link.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-postfix.sh"
pf_reexec_private "$@"
source "$RF_TESTS/lib/smuggle.sh"
rf_tmpdir
pf_up
WAIT=pf_wait_idle
smuggle_run
pf_check_clean
rf_done
