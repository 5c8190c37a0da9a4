#!/usr/bin/env bash
# Two upgrades in a row, one minor each: the script walks through 1.31 itself.
set -euo pipefail
aws eks update-cluster-version --name batch --kubernetes-version 1.31
aws eks wait cluster-active --name batch
aws eks update-cluster-version --name batch --kubernetes-version 1.32
