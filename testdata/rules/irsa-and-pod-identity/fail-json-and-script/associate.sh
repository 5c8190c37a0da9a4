#!/usr/bin/env bash
set -euo pipefail
aws eks create-pod-identity-association --cluster-name platform-prod \
  --namespace ledger --service-account ledger-writer \
  --role-arn arn:aws:iam::111122223333:role/ledger-writer
