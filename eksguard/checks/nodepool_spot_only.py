"""EKS404: a Karpenter NodePool that may launch only Spot capacity.

``karpenter.sh/capacity-type`` terms are intersected over ``spot``, ``on-demand`` and
``reserved``. Without any term the pool launches on-demand (Karpenter's default), so it is
fine. A pool left with Spot and ``reserved`` but not ``on-demand`` is fine when it names
``reserved`` in an ``In`` term, or when its EC2NodeClass (in scope) selects capacity
reservations: then reserved capacity is the fallback. ``NotIn [on-demand]`` with no
reservations is the classic Spot-only idiom and is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import EC2NodeClass, NodePool, Platform, text
from eksguard.model.kubernetes import CAPACITY_TYPE

CAPACITY_TYPES = frozenset({"spot", "on-demand", "reserved"})


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for pool in platform.of_kind(NodePool):
        terms = pool.requirements_for(CAPACITY_TYPE)
        if not terms:
            continue
        allowed = pool.allowed_values(CAPACITY_TYPE, CAPACITY_TYPES)
        if allowed is None or "spot" not in allowed or "on-demand" in allowed:
            continue
        related: list[Related] = []
        if "reserved" in allowed:
            if any(t.operator == "In" and "reserved" in t.values for t in terms):
                continue
            node_class = _node_class(platform, pool)
            if node_class is not None and node_class.selects_capacity_reservations:
                continue
            if node_class is not None:
                related.append(Related(node_class.kind_location(),
                                       f"EC2NodeClass {node_class.name} selects no capacity reservations"))
        term = next((t for t in terms if (t.operator == "In" and "on-demand" not in t.values)
                     or (t.operator == "NotIn" and "on-demand" in t.values)), terms[0])
        written = f"{term.written_key} {term.operator} [{', '.join(term.values)}]"
        yield Violation(
            location=pool.location(*term.path, "values") if term.values else pool.location(*term.path),
            message=f"{pool.kind} {pool.name} admits only Spot capacity ({written}): no on-demand fallback",
            object=pool.ref,
            json_path=pool.json_path(*pool.prefix, *term.path),
            related=related,
        )


def _node_class(platform: Platform, pool: NodePool) -> EC2NodeClass | None:
    ref = pool.node_class_ref
    name = text(ref.get("name")) if ref else None
    if pool.is_provisioner:
        name = text(pool.get("spec", "providerRef", "name"))
        found = platform.find("AWSNodeTemplate", name) if name else None
        return found if isinstance(found, EC2NodeClass) else None
    found = platform.find("EC2NodeClass", name) if name else None
    return found if isinstance(found, EC2NodeClass) else None


CHECK = Check("nodepool-spot-only", check)
