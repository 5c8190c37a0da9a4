#!/usr/bin/env bash
set -euo pipefail
aws eks create-cluster --name sandbox --kubernetes-version 1.33 --role-arn arn:aws:iam::111122223333:role/eks-cluster --resources-vpc-config subnetIds=subnet-0a1b2c3d4e5f60718,subnet-0b1c2d3e4f5a60718  # eksguard: ignore[EKS701] sandbox, deleted nightly
