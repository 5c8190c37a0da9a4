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
from eksguard.fixes import Fix, SetKey
from eksguard.model import NodeGroup, Platform
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
            related=extra + related,  # its own pools first: reports list only the first places
            fix=_fix(platform, node, custom, max_eni),
        )


class _EksctlDocument:
    """The ClusterConfig document an eksctl node group was read from, as a structural
    edit addresses it (the model keeps node groups, not the document)."""

    def __init__(self, origin):
        self.origin, self.prefix, self.body = origin, (), None


def _fix(platform: Platform, node: NodeDefinition, custom: bool, max_eni: int | None) -> Fix | None:
    """Pin max pods to what the CNI allows on the smallest type the definition may run
    (so EKS302 stays quiet), where that type is known and every admitted type takes
    prefixes: ``spec.kubelet.maxPods`` of a v1 EC2NodeClass, the kubelet of each
    v1beta1 NodePool or v1alpha5 Provisioner that launches from an older node class,
    ``maxPodsPerNode`` of an eksctl self-managed node group. Terraform and custom
    bootstrap commands are left to a person (the value goes into user data)."""
    if node.karpenter:
        version = node.obj.api_version.rpartition("/")[2]
        if not node.pools or not all(use.admitted.resolved and use.admitted.types for use in node.pools):
            return None
        if version == "v1":
            pods = _pinned([t for use in node.pools for t in use.admitted.types], custom, max_eni)
            return pods and Fix(f"set spec.kubelet.maxPods: {pods.recommended} ({pods.instance.name})",
                                (SetKey(node.obj, ("spec", "kubelet", "maxPods"), pods.recommended),))
        changes = []
        for use in node.pools:
            path = _POOL_KUBELET.get((use.pool.kind, use.pool.version))
            pods = _pinned(use.admitted.types, custom, max_eni)
            if use.max_pods is not None:
                continue
            if path is None or pods is None:
                return None
            changes.append(SetKey(use.pool, path, pods.recommended))
        return Fix("set maxPods in the kubelet of each NodePool", tuple(changes)) if changes else None
    group = node.obj
    if not isinstance(group, NodeGroup) or group.origin.format != "eksctl" or group.value("managed") is not False:
        return None
    pods = _pinned(node.instance_types or [], custom, max_eni)
    index = _eksctl_index(platform, group)
    if pods is None or index is None:
        return None
    return Fix(f"set maxPodsPerNode: {pods.recommended} ({pods.instance.name})",
               (SetKey(_EksctlDocument(group.origin), ("nodeGroups", index, "maxPodsPerNode"), pods.recommended),))


#: Where a NodePool of an older API keeps its kubelet's max pods.
_POOL_KUBELET = {
    ("NodePool", "v1beta1"): ("spec", "template", "spec", "kubelet", "maxPods"),
    ("Provisioner", "v1alpha5"): ("spec", "kubeletConfiguration", "maxPods"),
}


def _pinned(types, custom: bool, max_eni: int | None) -> MaxPods | None:
    """The smallest type's arithmetic, when every type takes prefixes (a Xen type in the
    set would pin every node to its per-IP count)."""
    if not types or not all(t.supports_prefix_delegation for t in types):
        return None
    pods = smallest(types, True, custom, max_eni)
    return pods if pods is not None and pods.prefix_delegation_applied else None


def _eksctl_index(platform: Platform, group: NodeGroup) -> int | None:
    """The position of ``group`` in its ClusterConfig's ``nodeGroups``: the eksctl
    adapter adds one NodeGroup per item, in order."""
    siblings = [g for g in platform.of_kind(NodeGroup)
                if g.origin == group.origin and g.value("managed") is False]
    siblings.sort(key=lambda g: (g.location.line, g.location.column))
    return next((i for i, g in enumerate(siblings) if g is group), None)


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
