#!/usr/bin/env bash
set -euo pipefail
aws eks create-addon --cluster-name platform-prod --addon-name eks-pod-identity-agent
aws eks create-addon --cluster-name platform-prod --addon-name aws-ebs-csi-driver  # expect: EKS204
