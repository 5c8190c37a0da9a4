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
from eksguard.fixes import Fix, RemoveKey, SetKey
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
        gpu_only = pool.accelerator_only(gpu)
        if pool.consolidate_after == "Never":
            yield _at(pool, ("spec", "disruption", "consolidateAfter"),
                      f"NodePool {pool.shown_name} sets consolidateAfter: Never: Karpenter never consolidates its nodes",
                      _policy_fix(pool, gpu_only, never=True))
        elif pool.consolidation_policy == "WhenEmpty" and not gpu_only:
            yield _at(pool, ("spec", "disruption", "consolidationPolicy"),
                      f"NodePool {pool.shown_name} sets consolidationPolicy: WhenEmpty on a pool that is not GPU-only: "
                      f"underused nodes are never replaced or packed, only empty ones removed",
                      _policy_fix(pool, gpu_only, never=False))
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
                      f"NodePool {pool.shown_name} has a disruption budget of nodes: \"{budget.get('nodes')}\" {scope} "
                      f"with no schedule: it is always active, so Karpenter {effect}",
                      _budget_fix(pool))
        if pool.template_annotations.get(DO_NOT_DISRUPT) == "true":
            yield _at(pool, ("spec", "template", "metadata", "annotations", DO_NOT_DISRUPT),
                      f"NodePool {pool.shown_name} annotates every node karpenter.sh/do-not-disrupt: \"true\": "
                      f"its nodes are never consolidated or drifted",
                      Fix(f"remove the {DO_NOT_DISRUPT} annotation from the node template",
                          (RemoveKey(pool, ("spec", "template", "metadata", "annotations", DO_NOT_DISRUPT)),)))


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
            # v1alpha5 rejects ttlSecondsAfterEmpty together with consolidation.enabled
            yield _at(pool, ("spec", "ttlSecondsAfterEmpty"),
                      f"Provisioner {pool.shown_name} removes only empty nodes (ttlSecondsAfterEmpty) and does not "
                      f"enable consolidation",
                      Fix("enable consolidation instead of ttlSecondsAfterEmpty",
                          (SetKey(pool, ("spec", "consolidation", "enabled"), True),
                           RemoveKey(pool, ("spec", "ttlSecondsAfterEmpty")))))
        return
    path = ("spec", "consolidation", "enabled") if pool.has("spec", "consolidation", "enabled") else ()
    yield _at(pool, path,
              f"Provisioner {pool.shown_name} enables neither consolidation nor ttlSecondsAfterEmpty: its nodes are "
              f"never removed for cost",
              Fix("set consolidation.enabled: true", (SetKey(pool, ("spec", "consolidation", "enabled"), True),)))


#: The consolidating policy of each NodePool API version, and whether consolidateAfter
#: may stay next to it (v1beta1 rejects it with WhenUnderutilized; v1 requires it).
_POLICY = {"v1": ("WhenEmptyOrUnderutilized", True), "v1beta1": ("WhenUnderutilized", False)}
#: What v1 consolidateAfter becomes instead of Never: Karpenter's own default.
CONSOLIDATE_AFTER = "0s"


def _policy_fix(pool: NodePool, gpu_only: bool, never: bool) -> Fix | None:
    """Field names and values differ per API version: only v1 and v1beta1 get a fix."""
    if pool.version not in _POLICY:
        return None
    policy, keeps_after = _POLICY[pool.version]
    disruption = ("spec", "disruption")
    changes: list = []
    if pool.consolidation_policy == "WhenEmpty" and not gpu_only:
        changes.append(SetKey(pool, (*disruption, "consolidationPolicy"), policy))
    elif pool.consolidation_policy == "WhenEmpty" and not keeps_after:
        return None  # a v1beta1 GPU pool: WhenEmpty needs a consolidateAfter; which one is a choice
    if keeps_after and never:
        changes.append(SetKey(pool, (*disruption, "consolidateAfter"), CONSOLIDATE_AFTER))
    elif not keeps_after and pool.has(*disruption, "consolidateAfter"):
        changes.append(RemoveKey(pool, (*disruption, "consolidateAfter")))
    what = " and ".join(
        f"set {c.path[-1]}: {c.value}" if isinstance(c, SetKey) else f"remove {c.path[-1]}" for c in changes)
    return Fix(what, tuple(changes)) if changes else None


def _budget_fix(pool: NodePool) -> Fix:
    """Drop every always-active zero budget of the pool, or only its consolidation reasons
    when it also freezes another one (``Drifted``). All in one fix: removing one budget
    shifts the index (and the finding) of the next."""
    reasons_dropped, budgets_dropped = [], []
    for index, budget in pool.budgets():
        if not _blocks_consolidation(budget):
            continue
        path = ("spec", "disruption", "budgets", index)
        reasons = budget.get("reasons")
        listed = [str(r) for r in reasons] if isinstance(reasons, list) else []
        if not listed or all(r in CONSOLIDATION_REASONS for r in listed):
            budgets_dropped.append(RemoveKey(pool, path))
        else:
            reasons_dropped += [RemoveKey(pool, (*path, "reasons", i))
                                for i in reversed(range(len(listed))) if listed[i] in CONSOLIDATION_REASONS]
    title = ("remove the always-active zero-node disruption budget" if budgets_dropped
             else "remove the consolidation reasons from the always-active zero-node budget")
    # reasons first (budget indices still as written), then budgets from the last one up
    return Fix(title, tuple(reasons_dropped + budgets_dropped[::-1]))


def _at(pool: NodePool, path: tuple, message: str, fix: Fix | None = None) -> Violation:
    return Violation(
        location=pool.location(*path) if path else pool.kind_location(),
        message=message,
        object=pool.ref,
        json_path=pool.json_path(*pool.prefix, *path),
        fix=fix,
    )


CHECK = gpu_check("nodepool-consolidation-off", check)
