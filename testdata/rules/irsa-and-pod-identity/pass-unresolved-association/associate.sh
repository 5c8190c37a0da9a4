#!/bin/sh
# The namespace comes from the caller: it cannot be matched.
aws eks create-pod-identity-association --cluster-name platform-prod \
  --namespace "$1" --service-account checkout-sa \
  --role-arn arn:aws:iam::111122223333:role/checkout-app
