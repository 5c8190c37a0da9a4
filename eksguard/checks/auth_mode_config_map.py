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
from eksguard.fixes import Fix, ReplaceToken
from eksguard.model import Cluster, Platform

#: The key the mode is written under, per format (the replaced token must follow it).
_KEY = {"terraform": "authentication_mode", "eksctl": "authenticationMode"}


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
            # only a mode that is written: adding an access config to a cluster that has
            # none can replace it in Terraform (see the rule's fix safety)
            fix=None if mode.default else Fix(
                "move the authentication mode to API_AND_CONFIG_MAP",
                (ReplaceToken(mode.location, "CONFIG_MAP", "API_AND_CONFIG_MAP",
                              follows=_KEY.get(cluster.origin.format, "")),)),
        )


CHECK = Check("auth-mode-config-map", check)
