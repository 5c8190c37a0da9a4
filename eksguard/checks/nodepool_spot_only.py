"""EKS404: a Karpenter NodePool that may launch only Spot capacity.

``karpenter.sh/capacity-type`` terms are intersected over ``spot``, ``on-demand`` and
``reserved``. Without any term the pool launches on-demand (Karpenter's default), so it is
fine. A pool left with Spot and ``reserved`` but not ``on-demand`` is fine when it names
``reserved`` in an ``In`` term, or when its EC2NodeClass (in scope) selects capacity
reservations: then reserved capacity is the fallback. ``NotIn [on-demand]`` with no
reservations is the classic Spot-only idiom and is reported.

Not reported either: a weighted Spot pool with an on-demand fallback in scope, the
layered idiom of Karpenter's weighted NodePools. Karpenter tries pools from the highest
``spec.weight`` down, and when Spot is unavailable for a pool (insufficient capacity),
the next one launches. The fallback counts when its weight is lower, it admits
on-demand, it has the same requirements apart from ``karpenter.sh/capacity-type`` and
no taint the Spot pool lacks: every pod the Spot pool takes, it takes too.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.fixes import AppendItem, Fix, RemoveKey
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
        if _on_demand_fallback(platform, pool) is not None:
            continue
        if "reserved" in allowed:
            if any(t.operator == "In" and "reserved" in t.values for t in terms):
                continue
            node_class = _node_class(platform, pool)
            if node_class is not None and node_class.selects_capacity_reservations:
                continue
            if node_class is not None:
                related.append(Related(node_class.kind_location(),
                                       f"EC2NodeClass {node_class.shown_name} selects no capacity reservations"))
        term = next((t for t in terms if (t.operator == "In" and "on-demand" not in t.values)
                     or (t.operator == "NotIn" and "on-demand" in t.values)), terms[0])
        written = f"{term.written_key} {term.operator} [{', '.join(term.values)}]"
        yield Violation(
            location=pool.location(*term.path, "values") if term.values else pool.location(*term.path),
            message=f"{pool.kind} {pool.shown_name} admits only Spot capacity ({written}): no on-demand fallback",
            object=pool.ref,
            json_path=pool.json_path(*pool.prefix, *term.path),
            related=related,
            fix=_fix(pool, terms),
        )


def _fix(pool: NodePool, terms) -> Fix | None:
    """Admit on-demand: add it to every ``In`` term that lacks it and take it out of every
    ``NotIn`` term (the whole term when on-demand is all it lists). A ``DoesNotExist`` or
    ``Exists`` term, or values that are not a plain list, leave the fix to a person."""
    changes: list = []
    dropped: list = []  # whole terms, removed last and from the highest index down
    for term in terms:
        raw = pool.get(*term.path, "values")
        if term.operator == "In" and isinstance(raw, list) and "on-demand" not in term.values:
            changes.append(AppendItem(pool, (*term.path, "values"), "on-demand"))
        elif term.operator == "NotIn" and isinstance(raw, list) and "on-demand" in term.values:
            if all(text(v) == "on-demand" for v in raw):
                dropped.append(RemoveKey(pool, term.path))
            else:  # from the last index down, so earlier indices stay right
                changes += [RemoveKey(pool, (*term.path, "values", i))
                            for i in reversed(range(len(raw))) if text(raw[i]) == "on-demand"]
        elif term.operator not in ("In", "NotIn"):
            return None
    if not changes and not dropped:
        return None
    title = "add on-demand to karpenter.sh/capacity-type" if changes else "drop the NotIn [on-demand] requirement"
    return Fix(title, tuple(changes + dropped[::-1]))


def _weight(pool: NodePool) -> int | None:
    value = pool.get("spec", "weight")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    raw = text(value)
    return int(raw) if raw is not None and raw.strip().isdigit() else None


def _shape(pool: NodePool) -> frozenset:
    """The requirement terms apart from capacity type, order-insensitive."""
    return frozenset((t.key, t.operator, frozenset(t.values)) for t in pool.requirement_terms()
                     if t.key != CAPACITY_TYPE)


def _taints(pool: NodePool) -> frozenset | None:
    raw = pool.get("spec", "template", "spec", "taints")
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        return None
    return frozenset((text(t.get("key")), text(t.get("value")), text(t.get("effect"))) for t in raw)


def _on_demand_fallback(platform: Platform, pool: NodePool) -> NodePool | None:
    """A lower-weight NodePool that takes every pod this weighted Spot pool takes, on-demand."""
    weight = _weight(pool)
    if pool.is_provisioner or weight is None:
        return None
    shape, taints = _shape(pool), _taints(pool)
    if taints is None:
        return None
    for other in platform.of_kind(NodePool):
        if other is pool or other.is_provisioner or other.is_static or (_weight(other) or 0) >= weight:
            continue
        admits = (other.allowed_values(CAPACITY_TYPE, CAPACITY_TYPES) if other.requirements_for(CAPACITY_TYPE)
                  else frozenset({"on-demand"}))  # no term: Karpenter launches on-demand
        other_taints = _taints(other)
        if admits and "on-demand" in admits and _shape(other) == shape and other_taints is not None \
                and other_taints <= taints:
            return other
    return None


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
