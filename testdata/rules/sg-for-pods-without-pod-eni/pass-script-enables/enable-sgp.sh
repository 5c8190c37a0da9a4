#!/usr/bin/env bash
set -euo pipefail
kubectl -n kube-system set env daemonset aws-node ENABLE_POD_ENI=true
