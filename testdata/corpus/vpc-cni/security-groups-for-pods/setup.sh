#!/usr/bin/env bash
# EKS docs "security groups for pods": enable pod ENIs, then apply a SecurityGroupPolicy.
set -euo pipefail
kubectl set env daemonset aws-node -n kube-system ENABLE_POD_ENI=true
kubectl set env daemonset aws-node -n kube-system POD_SECURITY_GROUP_ENFORCING_MODE=standard
kubectl apply -f policy.yaml
