#!/bin/sh
# The playbook's lockout: the mode flips before any admin access entry exists.
aws eks update-cluster-config --name platform-prod --access-config authenticationMode=API  # expect: EKS103
