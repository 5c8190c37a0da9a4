"""EKS703: the control-plane logs that answer "who did what" are not all enabled.

Reads the cluster's ``log_types``, tool defaults included: eksctl and a bare
``aws_eks_cluster`` enable none, the terraform-aws-modules/eks module enables ``audit``,
``api`` and ``authenticator``. Reports those of the three that are missing. Absent or
unknown: quiet. A partial change (``update-cluster-config --logging`` naming only some
types) that turns one of the three off is reported too.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Violation
from eksguard.model import Cluster, Platform

#: log type -> what is lost without it
REQUIRED = {
    "api": "API server requests",
    "audit": "the audit trail of who changed what",
    "authenticator": "IAM authentication decisions",
}


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for cluster in platform.of_kind(Cluster):
        yield from _turned_off(cluster)
        setting = cluster.setting("log_types")
        if setting is None or not setting.known or not isinstance(setting.value, list):
            continue
        enabled = {str(t).strip().lower() for t in setting.value if t is not None}
        if enabled & {"all", "*"}:
            continue
        missing = [t for t in REQUIRED if t not in enabled]
        if not missing:
            continue
        if not enabled:
            how = "enables no control-plane logs" + (" (the tool's default)" if setting.default else "")
        else:
            how = f"enables control-plane logs {', '.join(sorted(enabled))} but not {', '.join(missing)}"
        lost = ", ".join(REQUIRED[t] for t in missing)
        yield Violation(
            location=setting.location,
            message=(f"EKS cluster {cluster.display_name} {how}: {lost} leave no record in CloudWatch Logs to "
                     f"investigate an incident or a lockout with"),
            object=cluster.ref,
            json_path="/log_types",
        )


CHECK = Check("control-plane-logging-off", check)


def _turned_off(cluster: Cluster) -> Iterator[Violation]:
    """A partial change that disables some of the three (``aws eks update-cluster-config
    --logging '{"clusterLogging":[{"types":["audit"],"enabled":false}]}'``)."""
    disabled = cluster.setting("log_types_disabled")
    if disabled is None or not disabled.known or not isinstance(disabled.value, list):
        return
    off = [t for t in REQUIRED if t in {str(v).strip().lower() for v in disabled.value}]
    if off:
        lost = ", ".join(REQUIRED[t] for t in off)
        yield Violation(
            location=disabled.location,
            message=(f"EKS cluster {cluster.display_name} has control-plane logs {', '.join(off)} turned off: {lost} "
                     f"leave no record in CloudWatch Logs to investigate an incident or a lockout with"),
            object=cluster.ref,
            json_path="/log_types_disabled",
        )
