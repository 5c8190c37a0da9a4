#!/usr/bin/env bash
set -euo pipefail
aws eks update-cluster-version --name batch --kubernetes-version 1.33 # expect: EKS504
