#!/bin/bash
# ctest-labels: mta browser
# t-web-ink.sh - issue 16, Disappearing Ink, end to end with the local blob
# store: the real Exim, the real listweb, the real headless Chromium; the
# post is found in no place reflector keeps data; see tests/lib/ink.sh.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/ink.sh"
ink_e2e local
rf_done
