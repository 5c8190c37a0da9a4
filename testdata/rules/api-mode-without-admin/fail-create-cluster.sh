#!/usr/bin/env bash
set -euo pipefail
CLUSTER=platform-prod
aws eks create-cluster --name "$CLUSTER" --role-arn "$CLUSTER_ROLE_ARN" \
  --resources-vpc-config subnetIds=subnet-0a1,subnet-0b2 \
  --access-config authenticationMode=API,bootstrapClusterCreatorAdminPermissions=false  # expect: EKS103
aws eks create-access-entry --cluster-name "$CLUSTER" \
  --principal-arn arn:aws:iam::111122223333:role/viewers
aws eks associate-access-policy --cluster-name "$CLUSTER" \
  --principal-arn arn:aws:iam::111122223333:role/viewers \
  --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy \
  --access-scope type=cluster
