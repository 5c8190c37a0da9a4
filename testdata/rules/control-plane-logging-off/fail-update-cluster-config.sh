#!/usr/bin/env bash
set -euo pipefail
# "too expensive": someone turns the audit trail off
aws eks update-cluster-config --name platform-prod \
  --logging '{"clusterLogging":[{"types":["audit","authenticator"],"enabled":false}]}' # expect: EKS703
