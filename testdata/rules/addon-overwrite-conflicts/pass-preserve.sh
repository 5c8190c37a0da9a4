#!/usr/bin/env bash
# PRESERVE keeps field-level customisations; NONE fails on conflicts instead.
set -euo pipefail
CLUSTER=platform-prod

aws eks update-addon \
  --cluster-name "$CLUSTER" \
  --addon-name aws-ebs-csi-driver \
  --addon-version v1.35.0-eksbuild.1 \
  --resolve-conflicts PRESERVE

aws eks update-addon --cluster-name "$CLUSTER" --addon-name coredns --resolve-conflicts NONE

# A value we cannot know is not a finding.
aws eks update-addon --cluster-name "$CLUSTER" --addon-name kube-proxy --resolve-conflicts "$1"

cat <<'NOTES'
aws eks update-addon --cluster-name "$CLUSTER" --addon-name vpc-cni --resolve-conflicts OVERWRITE
NOTES
printf '%s\n' "aws eks update-addon --addon-name vpc-cni --resolve-conflicts OVERWRITE"
