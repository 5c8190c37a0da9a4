"""Karpenter: which instance types a NodePool admits, and which EC2NodeClass it uses.

Requirements are resolved against the shipped instance table
(:mod:`eksguard.model.instances`) with the labels Karpenter derives for each type
(aws/karpenter-provider-aws ``computeRequirements``):

- ``node.kubernetes.io/instance-type``: the name;
- ``karpenter.k8s.aws/instance-family``: the part before the dot (``m5``);
- ``karpenter.k8s.aws/instance-size``: the part after it (``large``);
- ``karpenter.k8s.aws/instance-category`` / ``-generation``: the family's leading
  letters and the digits after them (``m`` and ``5``; ``u-6tb1`` gives ``u`` and ``1``);
- ``karpenter.k8s.aws/instance-cpu``: the ``vcpus`` column;
- ``karpenter.k8s.aws/instance-hypervisor``: ``nitro`` or ``xen``;
- ``kubernetes.io/arch``: ``arm64`` for Graviton families, else ``amd64``.

Operators follow the NodePool CRD: ``In``, ``NotIn``, ``Exists``, ``DoesNotExist``,
``Gt``, ``Lt``, ``Gte``, ``Lte``; requirements are ANDed. A type whose label the table
cannot tell (21 types have no vCPU figure) fails any requirement on that label, so the
admitted set never grows by guessing. Keys that only place or price a node (zone,
capacity type, OS, custom labels Karpenter merely applies) do not narrow the set. Any
other well-known key (memory, GPU, network bandwidth...) cannot be resolved here: the
result then says ``resolved=False`` and rules that need the set stay quiet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from eksguard.model.base import text
from eksguard.model.instances import InstanceType, MaxPods, instance_table
from eksguard.model.kubernetes import EC2NodeClass, NodePool

INSTANCE_TYPE = "node.kubernetes.io/instance-type"
FAMILY = "karpenter.k8s.aws/instance-family"
CATEGORY = "karpenter.k8s.aws/instance-category"
GENERATION = "karpenter.k8s.aws/instance-generation"
SIZE = "karpenter.k8s.aws/instance-size"
CPU = "karpenter.k8s.aws/instance-cpu"
HYPERVISOR = "karpenter.k8s.aws/instance-hypervisor"
ARCH = "kubernetes.io/arch"

_ALIASES = {
    "beta.kubernetes.io/instance-type": INSTANCE_TYPE,
    "beta.kubernetes.io/arch": ARCH,
}

#: Keys that say where or how a node runs, not what shape it has.
NEUTRAL_KEYS = frozenset({
    "karpenter.sh/capacity-type",
    "karpenter.sh/nodepool",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "topology.k8s.aws/zone-id",
    "kubernetes.io/os",
    "beta.kubernetes.io/os",
    "node.kubernetes.io/windows-build",
    "karpenter.k8s.aws/instance-tenancy",
    "karpenter.k8s.aws/capacity-reservation-id",
    "karpenter.k8s.aws/capacity-reservation-type",
    "karpenter.k8s.aws/capacity-reservation-interruptible",
    "karpenter.k8s.aws/placement-group-id",
    "karpenter.k8s.aws/placement-group-partition",
})

#: Label domains whose other keys Karpenter computes from the instance type.
_WELL_KNOWN_DOMAINS = ("karpenter.k8s.aws/", "karpenter.sh/", "kubernetes.io/", "node.kubernetes.io/",
                       "topology.kubernetes.io/", "topology.k8s.aws/", "beta.kubernetes.io/",
                       "failure-domain.beta.kubernetes.io/", "eks.amazonaws.com/")


def _label(instance: InstanceType, key: str) -> str | None:
    if key == INSTANCE_TYPE:
        return instance.name
    if key == FAMILY:
        return instance.family
    if key == SIZE:
        return instance.size
    if key == CATEGORY:
        return instance.category
    if key == GENERATION:
        return instance.generation
    if key == CPU:
        return str(instance.vcpus) if instance.vcpus is not None else None
    if key == HYPERVISOR:
        return instance.hypervisor
    if key == ARCH:
        return instance.arch
    raise KeyError(key)


RESOLVED_KEYS = frozenset({INSTANCE_TYPE, FAMILY, SIZE, CATEGORY, GENERATION, CPU, HYPERVISOR, ARCH})


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str
    values: tuple[str, ...]

    @classmethod
    def parse(cls, raw: dict) -> "Requirement | None":
        key, operator = text(raw.get("key")), text(raw.get("operator"))
        if key is None or operator is None:
            return None
        values = raw.get("values")
        items = tuple(v for v in (text(x) for x in values) if v is not None) if isinstance(values, list) else ()
        return cls(_ALIASES.get(key, key), operator, items)

    def admits(self, instance: InstanceType) -> bool:
        value = _label(instance, self.key)
        return value is not None and self.admits_value(value)  # unknown: never admit by guessing

    def admits_value(self, value: str) -> bool:
        """Whether a node whose label :attr:`key` is ``value`` meets the requirement."""
        op = self.operator
        if op == "In":
            return value in self.values
        if op == "NotIn":
            return value not in self.values
        if op == "Exists":
            return True
        if op == "DoesNotExist":
            return False
        if op in ("Gt", "Lt", "Gte", "Lte"):
            try:
                have, bound = int(value), int(self.values[0])
            except (ValueError, IndexError):
                return False
            return {"Gt": have > bound, "Lt": have < bound, "Gte": have >= bound, "Lte": have <= bound}[op]
        return False


@dataclass
class Admitted:
    """The instance types a set of requirements admits."""

    types: list[InstanceType] = field(default_factory=list)
    resolved: bool = True
    unresolved_keys: list[str] = field(default_factory=list)

    def smallest(self, prefix_delegation: bool = False, custom_networking: bool = False,
                 max_eni: int | None = None) -> MaxPods | None:
        """The admitted type with the fewest pods the CNI can address (ties: fewer
        vCPUs, then name), with its arithmetic; None when nothing is admitted."""
        return smallest(self.types, prefix_delegation, custom_networking, max_eni)


def smallest(types: Iterable[InstanceType], prefix_delegation: bool = False, custom_networking: bool = False,
             max_eni: int | None = None) -> MaxPods | None:
    """The type of ``types`` with the fewest pods the CNI can address (ties: fewer
    vCPUs, then name), with its arithmetic; None for no types. The order of ``types``
    and repeats in it do not matter (the tie-break is total), so the answer is kept
    per set: checks ask for the same admitted sets again and again (every pool of a
    node class, concatenated, by EKS301 and EKS302; pools share requirements), and
    judging each type of a few hundred was most of EKS301 (bench/)."""
    distinct = {id(t): t for t in types}
    key = (frozenset(distinct), prefix_delegation, custom_networking, max_eni)
    hit = _SMALLEST.get(key)
    if hit is not None:
        return hit[0]
    best: MaxPods | None = None
    for instance in distinct.values():
        pods = instance.max_pods(prefix_delegation, custom_networking, max_eni)
        rank = (pods.capacity, instance.vcpus or 0, instance.name)
        if best is None or rank < (best.capacity, best.instance.vcpus or 0, best.instance.name):
            best = pods
    if len(_SMALLEST) >= _SMALLEST_KEPT:
        _SMALLEST.clear()
    _SMALLEST[key] = (best, tuple(distinct.values()))  # the types stay alive, so their ids stay theirs
    return best


#: :func:`smallest` by (identities of the set, configuration): (answer, the set's types).
_SMALLEST: dict[tuple, tuple[MaxPods | None, tuple[InstanceType, ...]]] = {}
_SMALLEST_KEPT = 1024


def admitted_types(requirements: Iterable[dict]) -> Admitted:
    """Resolve raw NodePool requirements (dicts) against the instance table."""
    parsed: list[Requirement] = []
    unresolved: list[str] = []
    for raw in requirements:
        if not isinstance(raw, dict):
            continue
        requirement = Requirement.parse(raw)
        if requirement is None:
            unresolved.append(str(raw.get("key")))
            continue
        if requirement.key in RESOLVED_KEYS:
            parsed.append(requirement)
        elif requirement.key in NEUTRAL_KEYS or not requirement.key.startswith(_WELL_KNOWN_DOMAINS):
            continue  # placement, pricing, or a custom label Karpenter just applies
        else:
            unresolved.append(requirement.key)
    return Admitted(list(_admitting(tuple(parsed))), not unresolved, unresolved)


@lru_cache(maxsize=1024)
def _admitting(parsed: tuple[Requirement, ...]) -> tuple[InstanceType, ...]:
    """The instance types every requirement admits, by name. Memoised, and built from
    the memoised set of each single requirement: pools differ in a requirement or two
    and share the rest, and filtering the whole table per pool was most of the rules
    stage (bench/)."""
    table = instance_table()
    names = frozenset(table).intersection(*(_admitted_by(r) for r in parsed))
    return tuple(table[name] for name in sorted(names))


@lru_cache(maxsize=4096)
def _admitted_by(requirement: Requirement) -> frozenset[str]:
    """Names of the instance types one requirement admits: the types of each label
    value it admits (a family, a size...), so a requirement costs its key's few dozen
    values, not the whole table (bench/: the first resolution of a scan's pools was
    ~0.1 s)."""
    by_value = _names_by_label(requirement.key)
    return frozenset().union(*(names for value, names in by_value.items() if requirement.admits_value(value)))


@lru_cache(maxsize=None)
def _names_by_label(key: str) -> dict[str, frozenset[str]]:
    """Label value -> names of the types that carry it (types the table cannot tell
    the label of carry none)."""
    out: dict[str, set[str]] = {}
    for instance in instance_table().values():
        value = _label(instance, key)
        if value is not None:
            out.setdefault(value, set()).add(instance.name)
    return {value: frozenset(names) for value, names in out.items()}


def nodepool_admitted(pool: NodePool) -> Admitted:
    return admitted_types(pool.requirements)


def node_class_name(pool: NodePool) -> str | None:
    """The EC2NodeClass a NodePool launches from (``spec.template.spec.nodeClassRef``;
    ``providerRef`` on a v1alpha5 Provisioner)."""
    if pool.kind == "Provisioner":
        ref = pool.get("spec", "providerRef")
    else:
        ref = pool.get("spec", "template", "spec", "nodeClassRef")
    if not isinstance(ref, dict):
        return None
    kind = text(ref.get("kind"))
    if kind is not None and kind not in ("EC2NodeClass", "AWSNodeTemplate"):
        return None  # e.g. an EKS Auto Mode NodeClass
    return text(ref.get("name"))


def node_class_of(platform, pool: NodePool) -> EC2NodeClass | None:
    name = node_class_name(pool)
    if name is None:
        return None
    for kind in ("EC2NodeClass", "AWSNodeTemplate"):
        found = platform.find(kind, name)
        if isinstance(found, EC2NodeClass):
            return found
    return None


def pools_of(platform, node_class: EC2NodeClass) -> list[NodePool]:
    """The NodePools in scope that launch from ``node_class``."""
    return list(platform.derived("pools_by_node_class", lambda: _pools_by_node_class(platform)).get(node_class.name, ()))


def _pools_by_node_class(platform) -> dict:
    pools: dict = {}
    for pool in platform.of_kind(NodePool):
        name = node_class_name(pool)
        if isinstance(name, str):
            pools.setdefault(name, []).append(pool)
    return pools


def node_class_family(node_class: EC2NodeClass) -> str | None:
    """The AMI family, lower-cased: ``amiFamily``, or the family of an ``alias`` term
    (``al2023@latest`` -> ``al2023``); None when neither says."""
    family = text(node_class.get("spec", "amiFamily"))
    if family:
        return family.lower()
    terms = node_class.get("spec", "amiSelectorTerms")
    for term in terms if isinstance(terms, list) else ():
        alias = text(term.get("alias")) if isinstance(term, dict) else None
        if alias:
            return alias.split("@", 1)[0].lower()
    return None
