#!/bin/bash
# t-exim-header-smuggle.sh - a NUL byte or a bare CR in a header, through
# the real Exim (issue 11, finding 2; tests/lib/smuggle.sh): each becomes a
# space before the post is parsed, so the lines after the header stay the
# body: no smuggled List-Unsubscribe, no attachment past attachments=link.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/smuggle.sh"
rf_tmpdir
exim_up
WAIT=exim_wait_idle
smuggle_run
exim_check_clean
rf_done
