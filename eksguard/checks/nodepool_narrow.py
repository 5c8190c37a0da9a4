"""EKS403: a Karpenter NodePool whose requirements leave a single instance type, family or
category.

The terms on one key are intersected the way Karpenter does (``In`` narrows, ``NotIn``
removes, beta label keys count as the stable ones), and the three levels constrain each
other: types imply their family and category, families their category. One finding per
pool, for the first level left with a single value (type, then family, then category), at
the ``values`` of the finest ``In`` term, where widening has to start. Pins on GPU/accelerator shapes
(``gpu_categories``: categories or families, default ``g``, ``p``, ``inf``, ``trn``) are
deliberate and not reported, nor are static NodePools (``spec.replicas``), whose node count
is fixed anyway.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import gpu_check
from eksguard.findings import Violation
from eksguard.model import NodePool, Platform
from eksguard.model.kubernetes import (
    GPU_CATEGORIES,
    INSTANCE_CATEGORY,
    INSTANCE_FAMILY,
    INSTANCE_TYPE,
    instance_category,
    instance_family,
    is_gpu,
)

LABELS = {INSTANCE_TYPE: "instance type", INSTANCE_FAMILY: "instance family", INSTANCE_CATEGORY: "instance category"}


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    gpu = frozenset(str(c).lower() for c in params.get("gpu_categories", GPU_CATEGORIES))
    for pool in platform.of_kind(NodePool):
        if pool.is_static:
            continue
        found = narrowest(pool)
        if found is None:
            continue
        level, value, key = found
        if is_gpu(level, value, gpu):
            continue
        term = next((t for t in pool.requirements_for(key) if t.operator == "In"), None)
        if term is None:
            continue
        label = LABELS[level]
        written = f"{term.written_key} {term.operator} [{', '.join(term.values)}]"
        if level == key and len(set(term.values)) > 1:
            written += " with its other requirements"
        yield Violation(
            location=pool.location(*term.path, "values"),
            message=f"{pool.kind} {pool.shown_name} admits a single {label}: {value} ({written})",
            object=pool.ref,
            json_path=pool.json_path(*pool.prefix, *term.path, "values"),
        )


def narrowest(pool: NodePool) -> tuple[str, str, str] | None:
    """``(level, value, key)``: the level (type, family, category) at which the pool's
    requirements leave exactly one value, that value, and the finest key constraining it
    (where the fix goes). Types and families imply their family and category, and the
    levels are intersected (``instance-type In [m5.large, c5.large]`` with
    ``instance-category In [m]`` leaves ``m5.large``). None when nothing pins a single
    value, or the terms contradict each other."""
    types = pool.allowed_values(INSTANCE_TYPE)
    families = pool.allowed_values(INSTANCE_FAMILY)
    categories = pool.allowed_values(INSTANCE_CATEGORY)
    if families is not None and categories is not None:
        families = frozenset(f for f in families if instance_category(f) in categories)
    if types is not None:
        types = frozenset(
            t for t in types
            if (families is None or instance_family(t) in families)
            and (categories is None or instance_category(t) in categories)
        )
        families = frozenset(instance_family(t) for t in types)
    if families is not None:
        categories = frozenset(instance_category(f) for f in families)
    finest = INSTANCE_TYPE if types is not None else INSTANCE_FAMILY if families is not None else INSTANCE_CATEGORY
    for level, allowed in ((INSTANCE_TYPE, types), (INSTANCE_FAMILY, families), (INSTANCE_CATEGORY, categories)):
        if allowed is None:
            continue
        if not allowed:
            return None
        if len(allowed) == 1:
            return level, next(iter(allowed)), finest
    return None


CHECK = gpu_check("nodepool-narrow", check)
