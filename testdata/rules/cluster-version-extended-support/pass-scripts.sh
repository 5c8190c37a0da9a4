#!/usr/bin/env bash
set -euo pipefail
aws eks update-cluster-version --name platform-prod --kubernetes-version 1.34
aws eks update-cluster-version --name platform-dev --kubernetes-version "${TARGET_VERSION}"
