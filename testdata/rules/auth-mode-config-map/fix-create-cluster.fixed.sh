#!/usr/bin/env bash
set -euo pipefail
aws eks create-cluster --name batch-prod \
  --role-arn "$CLUSTER_ROLE_ARN" \
  --resources-vpc-config subnetIds=subnet-0a1,subnet-0b2 \
  --access-config authenticationMode=API_AND_CONFIG_MAP,bootstrapClusterCreatorAdminPermissions=true
