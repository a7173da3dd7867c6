#!/bin/bash
# ctest-labels: mta
# t-attachments-s3-vhost.sh - issue 3 end to end with the S3 blob store,
# virtual-host addressing (http://attachments.s3.localhost:PORT, which
# libcurl resolves to loopback); see tests/lib/attachments.sh.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/attachments.sh"
attachments_e2e s3 virtual
rf_done
