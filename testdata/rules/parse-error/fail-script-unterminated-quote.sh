#!/bin/sh
# A quote opened and never closed: the command cannot be read, so it is not lifted.
aws eks update-addon --cluster-name prod --addon-name vpc-cni \
  --resolve-conflicts "OVERWRITE  # expect: EKS001
