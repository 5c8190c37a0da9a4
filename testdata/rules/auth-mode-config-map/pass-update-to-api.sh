#!/bin/sh
# Moving an existing cluster forward: nothing here is CONFIG_MAP.
aws eks update-cluster-config --name platform-prod \
  --access-config authenticationMode=API_AND_CONFIG_MAP
