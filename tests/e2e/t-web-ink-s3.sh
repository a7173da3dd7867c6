#!/bin/bash
# ctest-labels: mta browser
# t-web-ink-s3.sh - issue 16, Disappearing Ink, end to end with the S3 blob
# store against a real S3-compatible server (s3rver) on loopback: the
# post's ciphertext lives in the bucket and cleanup deletes it there; see
# tests/lib/ink.sh.
source "$RF_TESTS/lib/common.sh"
source "$RF_TESTS/mta/mta-exim.sh"
source "$RF_TESTS/lib/ink.sh"
ink_e2e s3
rf_done
