#!/usr/bin/env bash
# OVERWRITE on create only adopts fields an earlier self-managed install left behind:
# it is resolve_conflicts_on_create, not the update decision EKS501 is about.
set -euo pipefail

aws eks create-addon \
  --cluster-name platform-prod \
  --addon-name vpc-cni \
  --resolve-conflicts OVERWRITE \
  --configuration-values '{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"1"}}'
