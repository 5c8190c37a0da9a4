#!/usr/bin/env bash
set -euo pipefail
aws eks create-cluster --name platform-prod --role-arn "$CLUSTER_ROLE_ARN" \
  --resources-vpc-config subnetIds=subnet-0a1,subnet-0b2 \
  --access-config authenticationMode=API_AND_CONFIG_MAP
aws eks create-addon --cluster-name platform-prod --addon-name vpc-cni
aws eks create-addon --cluster-name platform-prod --addon-name coredns
aws eks create-pod-identity-association --cluster-name platform-prod \
  --namespace payments --service-account checkout-sa \
  --role-arn arn:aws:iam::111122223333:role/checkout-app
