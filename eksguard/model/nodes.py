"""Node definitions and their max pods: who sets it, who lets EKS compute it.

A node definition is anything that launches nodes with a kubelet: a Karpenter
``EC2NodeClass`` (with the NodePools that launch from it), or a :class:`NodeGroup`
(eksctl ``managedNodeGroups``/``nodeGroups``, Terraform node groups and launch
templates). For each, this module answers the questions the max-pods rules share:

- does it get EKS's own max-pods calculation (a managed node group on an EKS AMI: EKS
  computes max pods itself, prefix delegation included), or must max pods be explicit
  (Karpenter, self-managed groups, any custom AMI)? Windows nodes are out of scope: their
  IPs come from the VPC resource controller, not from aws-node's env;
- the explicit max pods, as a :class:`Setting` (``UNKNOWN`` when present but not
  literal, e.g. written inside a custom bootstrap command);
- which instance types it may run on, resolved against the instance table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eksguard.findings import Location
from eksguard.model.aws import UNKNOWN, NodeGroup, Setting
from eksguard.model.base import K8sObject, text
from eksguard.model.instances import InstanceType, instance_type
from eksguard.model.karpenter import Admitted, node_class_family, nodepool_admitted, pools_of
from eksguard.model.kubernetes import EC2NodeClass, NodePool, as_int


@dataclass
class PoolUse:
    """A NodePool launching from an EC2NodeClass: what it admits and, for v1beta1 pools
    (kubelet on the NodePool) or v1alpha5 Provisioners, its own max pods."""

    pool: NodePool
    admitted: Admitted
    max_pods: Setting | None = None


@dataclass
class NodeDefinition:
    label: str  # "EC2NodeClass default", "self-managed node group ng-1"
    obj: object  # the K8sObject or AwsObject
    location: Location  # where a missing setting is reported
    max_pods: Setting | None  # explicit on the definition itself
    needs_explicit: bool  # False when EKS computes max pods, or out of scope
    why_explicit: str  # what computes max pods otherwise, for messages
    fix: str  # where to write it
    pools: list[PoolUse] = field(default_factory=list)  # Karpenter only
    instance_types: list[InstanceType] | None = None  # node groups with known types
    json_path: str = ""
    windows: bool = False  # pod IPs come from the VPC resource controller: out of scope

    @property
    def karpenter(self) -> bool:
        return isinstance(self.obj, EC2NodeClass)

    def explicit(self) -> bool:
        """Max pods is set: on the definition, or on every NodePool that uses it."""
        if self.max_pods is not None:
            return True
        return bool(self.pools) and all(use.max_pods is not None for use in self.pools)


def node_definitions(platform) -> list[NodeDefinition]:
    """Every node definition in scope; built once per scan (resolving a NodePool's
    requirements to instance types is the costly part, and several checks ask)."""
    return list(platform.derived("node_definitions", lambda: _node_definitions(platform)))


def _node_definitions(platform) -> list[NodeDefinition]:
    out = [_node_class(platform, nc) for nc in platform.of_kind(EC2NodeClass)]
    groups = platform.of_kind(NodeGroup)
    out.extend(_node_group(ng, groups) for ng in groups)
    return out


def _int_setting(obj: K8sObject, *path: str) -> Setting | None:
    if not obj.has(*path):
        return None
    value = as_int(obj.get(*path))
    return Setting(UNKNOWN if value is None else value, obj.location(*path))


def _node_class(platform, node_class: EC2NodeClass) -> NodeDefinition:
    family = node_class_family(node_class)
    max_pods = _int_setting(node_class, "spec", "kubelet", "maxPods")
    if max_pods is None and node_class.has("spec", "kubelet", "maxPodsExpression"):
        max_pods = Setting(UNKNOWN, node_class.location("spec", "kubelet", "maxPodsExpression"))
    pools = []
    for pool in pools_of(platform, node_class):
        if pool.kind == "Provisioner":
            own = _int_setting(pool, "spec", "kubeletConfiguration", "maxPods")
        else:
            own = _int_setting(pool, "spec", "template", "spec", "kubelet", "maxPods")
        pools.append(PoolUse(pool, nodepool_admitted(pool), own))
    windows = family is not None and family.startswith("windows")
    return NodeDefinition(
        label=f"{node_class.kind} {node_class.display_name}",
        obj=node_class,
        location=node_class.kind_location(),
        max_pods=max_pods,
        needs_explicit=not windows,
        why_explicit="Karpenter and the node keep the per-IP ENI limit",
        fix="spec.kubelet.maxPods",
        pools=pools,
        json_path=node_class.json_path(*node_class.prefix, "spec", "kubelet", "maxPods"),
        windows=windows,
    )


_BOOTSTRAP_MAX_PODS = ("max-pods", "maxpods", "max_pods")


def _node_group(group: NodeGroup, groups: list[NodeGroup]) -> NodeDefinition:
    managed = group.value("managed")
    custom = group.setting("custom_ami")
    ami_type = group.value("ami_type")
    ami_text = ami_type.lower() if isinstance(ami_type, str) else ""
    custom_ami = (custom is not None and custom.value is True) or ami_text == "custom"
    windows = "windows" in ami_text
    max_pods = group.setting("max_pods")
    if max_pods is not None and as_int(max_pods.value) is None:
        max_pods = Setting(UNKNOWN, max_pods.location)
    bootstrap = group.setting("override_bootstrap_command")
    if max_pods is None and bootstrap is not None:
        if bootstrap.value is UNKNOWN or any(k in (text(bootstrap.value) or "").lower() for k in _BOOTSTRAP_MAX_PODS):
            max_pods = Setting(UNKNOWN, bootstrap.location)
    eksctl = group.origin.format == "eksctl"
    template = (group.name or "").startswith("aws_launch_template.")
    if managed is True and custom_ami:
        kind = "launch template (custom AMI) of a managed node group" if template else "managed node group with a custom AMI"
        needs = True
        fix = "--max-pods in overrideBootstrapCommand" if eksctl else "max pods in the AMI's bootstrap user data"
    elif managed is False:
        kind, needs = "self-managed node group", True
        fix = "maxPodsPerNode" if eksctl else "max pods in the bootstrap user data"
    elif managed is None and custom_ami:
        # A launch template no node group in scope uses: it may boot an EKS node through a
        # self-managed Auto Scaling group, or a bastion. Its user data tells: a nodeadm
        # NodeConfig, bootstrap.sh or Bottlerocket settings join a cluster, and with a custom
        # AMI nothing computes max pods for them; anything else (or unreadable): stay quiet.
        kind, needs = "launch template with a custom AMI", group.value("eks_bootstrap") is True
        fix = "max pods in the user data (nodeadm kubelet.config.maxPods, bootstrap.sh --max-pods)"
    else:
        # managed on an EKS AMI (EKS computes max pods), or not known to be either
        kind, needs = "managed node group" if managed else "node group", False
        fix = "maxPodsPerNode" if eksctl else "max pods"
    if custom is not None and not custom.known and managed is not False:
        needs = False  # cannot tell whether EKS computes max pods
    if managed is True and group.setting("launch_template") is not None:
        needs = False  # the launch template decides (and is judged on its own when in scope)
    types = group.value("instance_types")
    if group.setting("instance_types") is None:
        # a launch template without instance_type: the node groups that use it choose
        users = [g for g in groups if g is not group and group.name and g.value("launch_template") == group.name]
        names = [n for g in users for n in (g.value("instance_types") or ()) if isinstance(g.value("instance_types"), list)]
        types = names if users and all(isinstance(g.value("instance_types"), list) for g in users) else None
    known = [t for t in (instance_type(n) for n in types if isinstance(n, str))] if isinstance(types, list) else []
    known = [t for t in known if t is not None]
    return NodeDefinition(
        label=f"{kind} {group.display_name}",
        obj=group,
        location=group.location,
        max_pods=max_pods,
        needs_explicit=needs and not windows,
        why_explicit=_node_default(ami_text),
        fix=fix,
        instance_types=known or None,
        json_path="/max_pods",
        windows=windows,
    )


def _node_default(ami_text: str) -> str:
    if "bottlerocket" in ami_text:
        return "Bottlerocket keeps the per-IP ENI limit"
    if "al2023" in ami_text or "amazonlinux2023" in ami_text:
        return "nodeadm on AL2023 keeps the per-IP ENI limit, with no prefix-delegation awareness"
    if ami_text.startswith("al2") or ami_text.startswith("amazonlinux2"):
        return "bootstrap.sh keeps the per-IP ENI limit of eni-max-pods.txt"
    return "the node keeps the per-IP ENI limit"
