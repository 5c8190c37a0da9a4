#!/usr/bin/env bash
set -euo pipefail
kubectl set env daemonset/aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true
