"""EKS502: a core add-on workload applied as a plain manifest.

The workloads EKS manages as add-ons: DaemonSet ``kube-system/aws-node`` (``vpc-cni``),
DaemonSet ``kube-system/kube-proxy`` (``kube-proxy``) and Deployment
``kube-system/coredns`` (``coredns``), whatever format carried them (YAML, Helm output,
Terraform manifests). Exports of live objects (``metadata.uid`` or
``resourceVersion`` set: ``kubectl get -o yaml`` kept for reference) are not applied
manifests and are left alone. When the same scan also declares the managed add-on, the
add-on is a related location: on the same cluster both write the same object.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import Addon, Platform

#: (kind, name in kube-system) -> the EKS add-on that manages it
CORE = {
    ("DaemonSet", "aws-node"): "vpc-cni",
    ("DaemonSet", "kube-proxy"): "kube-proxy",
    ("Deployment", "coredns"): "coredns",
}


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    addons = platform.of_kind(Addon)
    for workload in platform.kinds("DaemonSet", "Deployment"):
        addon_name = CORE.get((workload.kind, workload.name))
        if addon_name is None or workload.namespace != "kube-system":
            continue
        if workload.has("metadata", "uid") or workload.has("metadata", "resourceVersion"):
            continue
        managed = [a for a in addons if a.name == addon_name]
        if managed:
            also = (f"; the managed add-on {addon_name} is declared in scope too, and on the same cluster the two "
                    f"overwrite each other's {workload.kind}")
        else:
            also = (f" instead of the EKS managed add-on {addon_name}: its version is not checked against the "
                    f"control plane on upgrades")
        yield Violation(
            location=workload.kind_location(),
            message=f"{workload.kind} kube-system/{workload.shown_name} is applied as a plain manifest{also}",
            object=workload.ref,
            json_path=workload.json_path(*workload.prefix),
            related=[Related(a.location, f"EKS managed add-on {addon_name}") for a in managed],
        )


CHECK = Check("core-addon-as-manifest", check)
