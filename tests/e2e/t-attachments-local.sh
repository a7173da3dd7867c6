#!/bin/bash
# ctest-labels: mta
# t-attachments-local.sh - issue 3 end to end with the local blob store:
# real Exim, real listweb, curl; see tests/lib/attachments.sh.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/attachments.sh"
attachments_e2e local
rf_done
