#!/usr/bin/env bash
# Cluster lifecycle with the AWS CLI, in the style of the EKS user guide.
set -euo pipefail

CLUSTER_NAME="${CLUSTER_NAME:-workshop}"
REGION="${AWS_REGION:-us-west-2}"
ACCOUNT_ID="$(aws sts get-caller-identity --query Account --output text)"

aws eks create-cluster \
  --region "$REGION" \
  --name "$CLUSTER_NAME" \
  --kubernetes-version 1.35 \
  --role-arn "arn:aws:iam::${ACCOUNT_ID}:role/eksClusterRole" \
  --resources-vpc-config subnetIds=subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2,endpointPublicAccess=true,endpointPrivateAccess=true,publicAccessCidrs=203.0.113.0/24 \
  --access-config authenticationMode=API_AND_CONFIG_MAP,bootstrapClusterCreatorAdminPermissions=true \
  --encryption-config "resources=secrets,provider={keyArn=arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/0a1b2c3d-0000-4000-8000-000000000000}" \
  --logging '{"clusterLogging":[{"types":["api","audit","authenticator"],"enabled":true}]}'

aws eks wait cluster-active --name "$CLUSTER_NAME" --region "$REGION"

for addon in vpc-cni kube-proxy coredns eks-pod-identity-agent; do
  aws eks create-addon --cluster-name "$CLUSTER_NAME" --addon-name "$addon" --resolve-conflicts OVERWRITE
done

aws eks create-access-entry --cluster-name "$CLUSTER_NAME" \
  --principal-arn "arn:aws:iam::${ACCOUNT_ID}:role/platform-admins"
aws eks associate-access-policy --cluster-name "$CLUSTER_NAME" \
  --principal-arn "arn:aws:iam::${ACCOUNT_ID}:role/platform-admins" \
  --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy \
  --access-scope type=cluster
