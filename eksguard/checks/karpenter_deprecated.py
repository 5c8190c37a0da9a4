"""EKS405: Karpenter objects written for an API that current Karpenter no longer serves.

Karpenter v1.1 and later serve only ``karpenter.sh/v1`` and ``karpenter.k8s.aws/v1``.
Reported, each at the line that has to change:

- any object of ``karpenter.sh/v1alpha5`` (Provisioner, Machine), ``karpenter.sh/v1beta1``
  (NodePool, NodeClaim), ``karpenter.k8s.aws/v1alpha1`` (AWSNodeTemplate) or
  ``karpenter.k8s.aws/v1beta1`` (EC2NodeClass): at ``apiVersion``;
- a v1 NodePool that still carries v1beta1 fields: ``consolidationPolicy:
  WhenUnderutilized``, ``spec.template.spec.kubelet`` (moved to the EC2NodeClass),
  ``spec.disruption.expireAfter`` (moved to ``spec.template.spec.expireAfter``), a
  ``nodeClassRef`` without ``group`` or ``kind`` (or with the old ``apiVersion``);
- a v1 EC2NodeClass with ``amiFamily: Ubuntu`` (removed) or without ``amiSelectorTerms``
  (required in v1);
- the pre-v1 annotations ``karpenter.sh/do-not-evict`` and ``karpenter.sh/do-not-consolidate``
  on Pods, pod templates (workloads, Jobs, CronJobs) or NodePool templates, which v1 ignores.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Violation
from eksguard.model import EC2NodeClass, K8sObject, NodePool, Platform, Workload, string_map

REPLACEMENT = {
    "Provisioner": "NodePool karpenter.sh/v1",
    "Machine": "NodeClaim karpenter.sh/v1",
    "AWSNodeTemplate": "EC2NodeClass karpenter.k8s.aws/v1",
    "NodePool": "karpenter.sh/v1",
    "NodeClaim": "karpenter.sh/v1",
    "EC2NodeClass": "karpenter.k8s.aws/v1",
}
OLD_VERSIONS = frozenset({"karpenter.sh/v1alpha5", "karpenter.sh/v1beta1",
                          "karpenter.k8s.aws/v1alpha1", "karpenter.k8s.aws/v1beta1"})
#: Where each kind keeps the annotations of the pods (or, for NodePools, nodes) it makes.
POD_ANNOTATIONS = {
    "Pod": ("metadata", "annotations"),
    "Deployment": ("spec", "template", "metadata", "annotations"),
    "StatefulSet": ("spec", "template", "metadata", "annotations"),
    "DaemonSet": ("spec", "template", "metadata", "annotations"),
    "ReplicaSet": ("spec", "template", "metadata", "annotations"),
    "Job": ("spec", "template", "metadata", "annotations"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata", "annotations"),
}
OLD_ANNOTATIONS = {
    "karpenter.sh/do-not-evict": "karpenter.sh/do-not-disrupt",
    "karpenter.sh/do-not-consolidate": "karpenter.sh/do-not-disrupt",
}


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for obj in platform.objects:
        if not isinstance(obj, K8sObject):
            continue
        if obj.api_version in OLD_VERSIONS:
            target = REPLACEMENT.get(obj.kind, "the v1 API")
            yield _at(obj, ("apiVersion",),
                      f"{obj.kind} {obj.display_name} uses {obj.api_version}, which Karpenter v1.1 and later no "
                      f"longer serve (v1 equivalent: {target})")
            continue
        if isinstance(obj, NodePool) and obj.api_version == "karpenter.sh/v1":
            yield from _nodepool(obj)
        elif isinstance(obj, EC2NodeClass) and obj.api_version == "karpenter.k8s.aws/v1":
            yield from _node_class(obj)
        path = POD_ANNOTATIONS.get(obj.kind)
        if isinstance(obj, NodePool) and obj.api_version == "karpenter.sh/v1":
            path = ("spec", "template", "metadata", "annotations")
        if path is not None and (isinstance(obj, (Workload, NodePool)) or obj.kind in ("Pod", "Job", "CronJob")):
            yield from _annotations(obj, path, string_map(obj.get(*path)))


def _nodepool(pool: NodePool) -> Iterator[Violation]:
    name = pool.name
    if pool.consolidation_policy == "WhenUnderutilized":
        yield _at(pool, ("spec", "disruption", "consolidationPolicy"),
                  f"NodePool {name} sets consolidationPolicy: WhenUnderutilized, which karpenter.sh/v1 rejects "
                  f"(v1: WhenEmptyOrUnderutilized)")
    if pool.has("spec", "template", "spec", "kubelet"):
        yield _at(pool, ("spec", "template", "spec", "kubelet"),
                  f"NodePool {name} sets spec.template.spec.kubelet, which karpenter.sh/v1 no longer has "
                  f"(v1: EC2NodeClass spec.kubelet)")
    if pool.has("spec", "disruption", "expireAfter"):
        yield _at(pool, ("spec", "disruption", "expireAfter"),
                  f"NodePool {name} sets spec.disruption.expireAfter, which karpenter.sh/v1 no longer has "
                  f"(v1: spec.template.spec.expireAfter)")
    ref = pool.node_class_ref
    if ref is not None:
        missing = [f for f in ("group", "kind") if f not in ref]
        if missing or "apiVersion" in ref:
            detail = " and ".join(
                ([f"without {' and '.join(missing)}"] if missing else [])
                + (["with the v1beta1 apiVersion field"] if "apiVersion" in ref else []))
            yield _at(pool, ("spec", "template", "spec", "nodeClassRef"),
                      f"NodePool {name} has a nodeClassRef {detail}: karpenter.sh/v1 requires group, kind and "
                      f"name (group: karpenter.k8s.aws, kind: EC2NodeClass)")


def _node_class(node_class: EC2NodeClass) -> Iterator[Violation]:
    if node_class.ami_family == "Ubuntu":
        yield _at(node_class, ("spec", "amiFamily"),
                  f"EC2NodeClass {node_class.shown_name} sets amiFamily: Ubuntu, which karpenter.k8s.aws/v1 removed")
    if not node_class.has("spec", "amiSelectorTerms"):
        yield _at(node_class, (),
                  f"EC2NodeClass {node_class.shown_name} has no amiSelectorTerms, which karpenter.k8s.aws/v1 requires "
                  f"(v1beta1 picked AMIs from amiFamily alone)")


def _annotations(obj: K8sObject, path: tuple, annotations: dict[str, str]) -> Iterator[Violation]:
    for old, new in OLD_ANNOTATIONS.items():
        if old in annotations:
            yield _at(obj, (*path, old),
                      f"{obj.kind} {obj.display_name} uses the annotation {old}, which Karpenter v1 ignores "
                      f"(v1: {new})")


def _at(obj: K8sObject, path: tuple, message: str) -> Violation:
    return Violation(
        location=obj.location(*path) if path else obj.kind_location(),
        message=message,
        object=obj.ref,
        json_path=obj.json_path(*obj.prefix, *path),
    )


CHECK = Check("karpenter-deprecated-api", check)
