#!/usr/bin/env bash
set -euo pipefail
# turn prefix delegation on, keep no warm prefix
kubectl set env daemonset/aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true WARM_PREFIX_TARGET=1
