"""EKS101: a cluster whose authentication mode is CONFIG_MAP, written or by the tool's default.

The mode comes from the model's ``authentication_mode`` setting, whatever wrote it:
eksctl ``accessConfig.authenticationMode``, ``aws_eks_cluster.access_config``, the
terraform-aws-modules/eks ``authentication_mode`` input, ``aws eks create-cluster``.
Where the tool's default is CONFIG_MAP (the EKS API, so a raw ``aws_eks_cluster`` or
``create-cluster`` without access config) the adapter records it as a default located
at the cluster, and the finding says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Violation
from eksguard.model import Cluster, Platform


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for cluster in platform.of_kind(Cluster):
        mode = cluster.setting("authentication_mode")
        if mode is None or not isinstance(mode.value, str) or mode.value.upper() != "CONFIG_MAP":
            continue
        how = " (the default when no authentication mode is set)" if mode.default else ""
        yield Violation(
            location=mode.location,
            message=(
                f"cluster {cluster.display_name} uses authentication mode CONFIG_MAP{how}: access is granted "
                f"only by the kube-system/aws-auth ConfigMap, and access entries are refused"
            ),
            object=cluster.ref,
            json_path="/authentication_mode",
        )


CHECK = Check("auth-mode-config-map", check)
