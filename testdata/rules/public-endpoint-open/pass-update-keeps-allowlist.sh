#!/usr/bin/env bash
set -euo pipefail
# turning the public endpoint on in an update keeps whatever allowlist the cluster has
aws eks update-cluster-config --name platform-prod \
  --resources-vpc-config endpointPublicAccess=true,endpointPrivateAccess=true
# a create with an allowlist
aws eks create-cluster --name platform-dev --kubernetes-version 1.34 \
  --role-arn arn:aws:iam::111122223333:role/eks-cluster \
  --resources-vpc-config subnetIds=subnet-0a1b2c3d4e5f60718,subnet-0b1c2d3e4f5a60718,publicAccessCidrs=203.0.113.0/24 \
  --encryption-config '[{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}]'
