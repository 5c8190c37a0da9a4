"""EKS402: a Karpenter NodePool whose consolidation is disabled or weakened.

Fires on ``consolidateAfter: Never``; on ``consolidationPolicy: WhenEmpty`` unless the pool
admits only GPU/accelerator instance types; on a disruption budget of ``nodes: "0"`` that
has no ``schedule`` (always active) and covers the ``Underutilized`` or ``Empty`` reason
(a budget without ``reasons`` covers all of them); and on ``karpenter.sh/do-not-disrupt:
"true"`` in the pool's template annotations, which every node inherits. A v1alpha5
Provisioner consolidates only with ``consolidation.enabled: true``. Static NodePools
(``spec.replicas``) are never consolidated by design and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import gpu_check
from eksguard.findings import Violation
from eksguard.model import NodePool, Platform, text
from eksguard.model.kubernetes import DO_NOT_DISRUPT, GPU_CATEGORIES

CONSOLIDATION_REASONS = frozenset({"Underutilized", "Empty"})


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    gpu = params.get("gpu_categories", list(GPU_CATEGORIES))
    for pool in platform.of_kind(NodePool):
        if pool.is_static:
            continue
        if pool.is_provisioner:
            yield from _provisioner(pool, gpu)
            continue
        if pool.consolidate_after == "Never":
            yield _at(pool, ("spec", "disruption", "consolidateAfter"),
                      f"NodePool {pool.name} sets consolidateAfter: Never: Karpenter never consolidates its nodes")
        elif pool.consolidation_policy == "WhenEmpty" and not pool.accelerator_only(gpu):
            yield _at(pool, ("spec", "disruption", "consolidationPolicy"),
                      f"NodePool {pool.name} sets consolidationPolicy: WhenEmpty on a pool that is not GPU-only: "
                      f"underused nodes are never replaced or packed, only empty ones removed")
        for index, budget in pool.budgets():
            if not _blocks_consolidation(budget):
                continue
            reasons = budget.get("reasons")
            listed = [str(r) for r in reasons] if isinstance(reasons, list) and reasons else []
            scope = f"for {', '.join(listed)}" if listed else "for every reason"
            effect = ("never removes its empty nodes" if listed and "Underutilized" not in listed
                      else "never consolidates its underused nodes" if listed and "Empty" not in listed
                      else "never consolidates its nodes")
            yield _at(pool, ("spec", "disruption", "budgets", index, "nodes"),
                      f"NodePool {pool.name} has a disruption budget of nodes: \"{budget.get('nodes')}\" {scope} "
                      f"with no schedule: it is always active, so Karpenter {effect}")
        if pool.template_annotations.get(DO_NOT_DISRUPT) == "true":
            yield _at(pool, ("spec", "template", "metadata", "annotations", DO_NOT_DISRUPT),
                      f"NodePool {pool.name} annotates every node karpenter.sh/do-not-disrupt: \"true\": "
                      f"its nodes are never consolidated or drifted")


def _blocks_consolidation(budget: dict) -> bool:
    nodes = budget.get("nodes")
    if isinstance(nodes, bool):
        return False
    value = text(nodes)
    if value is None or value.strip() not in ("0", "0%"):
        return False
    if budget.get("schedule") not in (None, ""):
        return False
    reasons = budget.get("reasons")
    if not isinstance(reasons, list) or not reasons:
        return True
    return any(r in CONSOLIDATION_REASONS for r in reasons)


def _provisioner(pool: NodePool, gpu: list[str]) -> Iterator[Violation]:
    if pool.get("spec", "consolidation", "enabled") is True:
        return
    if pool.has("spec", "ttlSecondsAfterEmpty"):
        if not pool.accelerator_only(gpu):
            yield _at(pool, ("spec", "ttlSecondsAfterEmpty"),
                      f"Provisioner {pool.name} removes only empty nodes (ttlSecondsAfterEmpty) and does not "
                      f"enable consolidation")
        return
    path = ("spec", "consolidation", "enabled") if pool.has("spec", "consolidation", "enabled") else ()
    yield _at(pool, path,
              f"Provisioner {pool.name} enables neither consolidation nor ttlSecondsAfterEmpty: its nodes are "
              f"never removed for cost")


def _at(pool: NodePool, path: tuple, message: str) -> Violation:
    return Violation(
        location=pool.location(*path) if path else pool.kind_location(),
        message=message,
        object=pool.ref,
        json_path=pool.json_path(*pool.prefix, *path),
    )


CHECK = gpu_check("nodepool-consolidation-off", check)
