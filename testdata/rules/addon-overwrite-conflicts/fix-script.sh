#!/usr/bin/env bash
set -euo pipefail
# Upgrade add-ons after the control plane.
aws eks update-addon --cluster-name prod --addon-name vpc-cni \
  --resolve-conflicts OVERWRITE   # reset everything
aws eks update-addon --cluster-name prod --addon-name coredns --resolve-conflicts=overwrite
