#!/bin/bash
# ctest-labels: mta
# t-attachments-s3.sh - issue 3 end to end with the S3 blob store against a
# real S3-compatible server (s3rver) on loopback, path-style addressing;
# see tests/lib/attachments.sh.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/attachments.sh"
attachments_e2e s3 path
rf_done
