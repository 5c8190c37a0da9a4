#!/usr/bin/env bash
# Upgrade runbook: add-ons first, then the control plane, one minor at a time.
set -euo pipefail
CLUSTER_NAME="${1:?cluster}"
TARGET="${2:?target minor}"

for addon in vpc-cni coredns kube-proxy; do
  version=$(aws eks describe-addon-versions --addon-name "$addon" --kubernetes-version "$TARGET" \
    --query 'addons[0].addonVersions[0].addonVersion' --output text)
  aws eks update-addon --cluster-name "$CLUSTER_NAME" --addon-name "$addon" \
    --addon-version "$version" --resolve-conflicts OVERWRITE
done

aws eks update-cluster-version --name "$CLUSTER_NAME" --kubernetes-version "$TARGET"
