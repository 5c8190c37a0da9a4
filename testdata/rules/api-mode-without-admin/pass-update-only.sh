#!/bin/sh
# Only the mode change is in scope: how the cluster was bootstrapped is unknown.
aws eks update-cluster-config --name platform-prod --access-config authenticationMode=API
