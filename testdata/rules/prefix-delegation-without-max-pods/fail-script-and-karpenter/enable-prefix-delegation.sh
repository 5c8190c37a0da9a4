#!/usr/bin/env bash
# Day-2 runbook step from the at-scale guide: prefix delegation through kubectl set env.
set -euo pipefail
kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true WARM_PREFIX_TARGET=1
kubectl rollout status daemonset aws-node -n kube-system
