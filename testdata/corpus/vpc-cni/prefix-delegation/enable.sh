#!/usr/bin/env bash
# EKS docs "increase the number of available IP addresses": turn on prefix delegation
# on the aws-node DaemonSet of an existing cluster.
set -euo pipefail

kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true
kubectl describe daemonset -n kube-system aws-node | grep 'amazon-k8s-cni-init:\|amazon-k8s-cni:'
