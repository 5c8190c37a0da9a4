#!/usr/bin/env bash
# Upgrading the add-on keeps the IAM it was created with.
aws eks update-addon --cluster-name platform-prod --addon-name aws-ebs-csi-driver \
  --addon-version v1.35.0-eksbuild.1 --resolve-conflicts PRESERVE
