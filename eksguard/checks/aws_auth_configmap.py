"""EKS102: the kube-system/aws-auth ConfigMap managed as code.

Fires on the ConfigMap itself (YAML, Helm output, ``kubernetes_config_map(_v1)(_data)``,
``kubectl_manifest``) and on aws-auth rows a tool writes for you (eksctl
``iamIdentityMappings``, the module's aws-auth submodule), which the model keeps as the
cluster setting ``aws_auth_mappings``.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Violation
from eksguard.model import Cluster, ConfigMap, Platform

WHY = "one malformed edit can lock every admin out with no API error; access entries are validated and audited"


def _mode_note(platform: Platform) -> str:
    modes = {c.value("authentication_mode") for c in platform.of_kind(Cluster)}
    if modes and all(isinstance(m, str) and m.upper() == "API" for m in modes):
        return ", and authentication mode API does not even read it"
    return ""


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    note = _mode_note(platform)
    for cm in platform.of_kind(ConfigMap):
        if not cm.is_aws_auth:
            continue
        roles = cm.aws_auth_role_arns
        count = f" (it maps {len(roles)} role{'s' if len(roles) != 1 else ''})" if roles else ""
        yield Violation(
            location=cm.kind_location(),
            message=f"ConfigMap kube-system/aws-auth is managed as code{count}{note}: {WHY}",
            object=cm.ref,
            json_path=cm.json_path(*cm.prefix),
        )
    for cluster in platform.of_kind(Cluster):
        mappings = cluster.setting("aws_auth_mappings")
        if mappings is None or mappings.default or (isinstance(mappings.value, list) and not mappings.value):
            continue
        count = f"{len(mappings.value)} " if isinstance(mappings.value, list) else ""
        yield Violation(
            location=mappings.location,
            message=(
                f"cluster {cluster.display_name} writes {count}IAM identity mapping(s) into the aws-auth "
                f"ConfigMap{note}: {WHY}"
            ),
            object=cluster.ref,
            json_path="/aws_auth_mappings",
        )


CHECK = Check("aws-auth-configmap", check)
