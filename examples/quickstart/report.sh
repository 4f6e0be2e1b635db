#!/usr/bin/env bash
# Report: summarise the run.
set -euo pipefail
echo "report for pipeline ${ORCHEST_PIPELINE_UUID:-<interactive>} written at $(date -u +%FT%TZ)"
