"""EKS702: Kubernetes Secrets of the cluster are not envelope-encrypted with a KMS key you control.

Reads the cluster's ``secrets_encryption`` setting (a KMS key for Secrets is configured),
tool defaults included: eksctl and a bare ``aws_eks_cluster`` configure no key, the
terraform-aws-modules/eks module creates one unless told otherwise. Absent or unknown:
quiet. Since Kubernetes 1.28 EKS envelope-encrypts all API data with an AWS-owned key
by default, so the message tells apart clusters known to be older (no envelope
encryption at all) from the rest (encrypted, but under a key you cannot see or revoke).
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.checks.cluster_version import parse_version
from eksguard.findings import Violation
from eksguard.model import Cluster, Platform

DEFAULT_ENVELOPE = (1, 28)  # EKS default envelope encryption with an AWS-owned key


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for cluster in platform.of_kind(Cluster):
        setting = cluster.setting("secrets_encryption")
        if setting is None or setting.value is not False:
            continue
        how = "no KMS key for Secrets (the tool's default)" if setting.default else "no KMS key for Secrets"
        version = parse_version(cluster.value("version"))
        if version is not None and version < DEFAULT_ENVELOPE:
            effect = (f"on Kubernetes {version[0]}.{version[1]} Secrets are stored in etcd without envelope "
                      f"encryption, readable by anyone who gets an etcd snapshot")
        else:
            effect = ("Secrets are envelope-encrypted only with EKS's AWS-owned key: no key policy of yours, no "
                      "CloudTrail record of decryptions, no way to revoke access to stored Secrets")
        yield Violation(
            location=setting.location,
            message=f"EKS cluster {cluster.display_name} has {how}: {effect}",
            object=cluster.ref,
            json_path="/secrets_encryption",
        )


CHECK = Check("secrets-not-encrypted", check)
