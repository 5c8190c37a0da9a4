"""EKS301: prefix delegation is on and a node definition leaves max pods to a per-IP default.

Who computes max pods when nothing sets it (../shared/FACTS.md section 5): EKS itself for
managed node groups on EKS AMIs (prefix delegation included: exempt), Karpenter's
ENI-limited count for EC2NodeClasses, nodeadm on AL2023 (ENIs x (IPs - 1) + 2, no cap,
no prefix-delegation awareness), bootstrap.sh's eni-max-pods.txt on AL2. Every one of
those but the first ignores prefix delegation, so the node keeps the per-IP limit.
Stays quiet unless some CNI source in scope turns prefix delegation on.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import Platform
from eksguard.model.cni import PREFIX_DELEGATION, cni_config
from eksguard.model.instances import MaxPods, instance_type
from eksguard.model.karpenter import smallest
from eksguard.model.nodes import NodeDefinition, node_definitions


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    cni = cni_config(platform)
    turned_on = cni.enabled(PREFIX_DELEGATION)
    if not turned_on:
        return
    custom, max_eni = cni.custom_networking(), cni.max_eni()
    related = [Related(setting.location, f"prefix delegation is turned on here ({source.label})")
               for source, setting in turned_on]
    for node in node_definitions(platform):
        if not node.needs_explicit or node.explicit():
            continue
        example = _example(node, custom, max_eni)
        extra = [Related(use.pool.kind_location(), f"{use.pool.kind} {use.pool.display_name} launches from it")
                 for use in node.pools]
        yield Violation(
            location=node.location,
            message=(
                f"{node.label} sets no max pods while prefix delegation is on: {node.why_explicit}"
                f"{example}; set {node.fix}"
            ),
            object=getattr(node.obj, "ref", None),
            json_path=node.json_path,
            related=related + extra,
        )


def _example(node: NodeDefinition, custom: bool, max_eni: int | None) -> str:
    """`` (m5.large: 29 pods, where prefix delegation allows 110)`` for the definition's
    smallest known type, or for m5.large when its types are not known."""
    pods: MaxPods | None = None
    if node.instance_types:
        pods = smallest(node.instance_types, True, custom, max_eni)
    else:
        sets = [use.admitted for use in node.pools if use.admitted.resolved and use.admitted.types]
        if sets:
            pods = smallest([t for s in sets for t in s.types], True, custom, max_eni)
    if pods is None or not pods.prefix_delegation_applied:
        fallback = instance_type("m5.large")
        pods = fallback.max_pods(True, custom, max_eni) if fallback else None
    if pods is None or pods.nodeadm >= pods.recommended:
        return ""
    return f" ({pods.instance.name}: {pods.nodeadm} pods, where prefix delegation allows {pods.recommended})"


CHECK = Check("prefix-delegation-without-max-pods", check)
