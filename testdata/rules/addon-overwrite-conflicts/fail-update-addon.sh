#!/usr/bin/env bash
# Upgrade the core add-ons after a control-plane upgrade.
set -euo pipefail

CLUSTER="${CLUSTER:-platform-prod}"
CONFLICTS=OVERWRITE

# A comment is not a command: aws eks update-addon --resolve-conflicts OVERWRITE
echo "next: aws eks update-addon --resolve-conflicts OVERWRITE"

aws eks update-addon \
  --cluster-name "$CLUSTER" \
  --addon-name vpc-cni \
  --addon-version v1.19.2-eksbuild.1 \
  --resolve-conflicts OVERWRITE  # expect: EKS501

aws eks update-addon --cluster-name "$CLUSTER" --addon-name coredns --resolve-conflicts=overwrite  # expect: EKS501

# The value comes from a variable assigned above: the finding points at its use.
aws eks update-addon --cluster-name "$CLUSTER" --addon-name kube-proxy \
  --resolve-conflicts "$CONFLICTS"  # expect: EKS501

aws eks wait addon-active --cluster-name "$CLUSTER" --addon-name vpc-cni
