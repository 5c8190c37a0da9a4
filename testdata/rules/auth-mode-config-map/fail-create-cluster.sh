#!/usr/bin/env bash
# Cluster bootstrap script: create-cluster without --access-config gets the EKS API default,
# reported at the command.
set -euo pipefail
aws eks create-cluster --name batch-dev --role-arn "$CLUSTER_ROLE_ARN" --resources-vpc-config subnetIds=subnet-0a1,subnet-0b2  # expect: EKS101

aws eks create-cluster --name batch-prod \
  --role-arn "$CLUSTER_ROLE_ARN" \
  --resources-vpc-config subnetIds=subnet-0a1,subnet-0b2 \
  --access-config authenticationMode=CONFIG_MAP  # expect: EKS101
