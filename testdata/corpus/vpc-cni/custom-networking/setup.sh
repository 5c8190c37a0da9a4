#!/usr/bin/env bash
# EKS docs "custom networking": pods in a secondary CIDR, one ENIConfig per zone.
set -euo pipefail
kubectl set env daemonset aws-node -n kube-system AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true
kubectl set env daemonset aws-node -n kube-system ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone
kubectl apply -f eniconfigs.yaml
