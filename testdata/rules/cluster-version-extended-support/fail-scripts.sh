#!/usr/bin/env bash
# scan date 2026-09-01 in the tests (EKSGUARD_TODAY)
# expected findings: fail-scripts.sh.expect (a marker cannot follow a line continuation)
set -euo pipefail
aws eks create-cluster --name batch --kubernetes-version 1.31 \
  --role-arn arn:aws:iam::111122223333:role/eks-cluster
# an upgrade to a version that is already out of standard support
aws eks update-cluster-version --name legacy --kubernetes-version 1.30
