#!/usr/bin/env bash
set -euo pipefail
kubectl set env daemonset aws-node -n kube-system AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true  # expect: EKS305
