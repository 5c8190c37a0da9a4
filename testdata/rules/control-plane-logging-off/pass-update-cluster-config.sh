#!/usr/bin/env bash
set -euo pipefail
aws eks update-cluster-config --name platform-prod \
  --logging '{"clusterLogging":[{"types":["api","audit","authenticator"],"enabled":true}]}'
# turning only the noisy optional types off is fine
aws eks update-cluster-config --name platform-prod \
  --logging '{"clusterLogging":[{"types":["controllerManager","scheduler"],"enabled":false}]}'
