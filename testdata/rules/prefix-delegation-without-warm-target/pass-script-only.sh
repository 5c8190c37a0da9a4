#!/usr/bin/env bash
# Only the prefix-delegation switch: the DaemonSet this changes (EKS-installed, with
# WARM_PREFIX_TARGET=1) is not in scope, so nothing can be said about its warm target.
kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true
