"""EKS407: a PodDisruptionBudget that allows no voluntary disruption at all.

Single-object cases: ``maxUnavailable: 0`` (or ``"0%"``) and ``minAvailable`` of ``100%`` or
more. Cross-object case: ``minAvailable`` (a count, or a percentage rounded up the way the
disruption controller does) that reaches the number of pods of the workloads the PDB
selects (same namespace, selector matching the pod template labels). A workload scaled by a
HorizontalPodAutoscaler counts with the HPA's ``minReplicas``, the size it sits at when
load is low, which is when consolidation wants to move it. When a selected workload's size
is unknown (a DaemonSet, an unreadable ``replicas``) or the PDB selects nothing in scope,
the rule stays quiet.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import Platform, PodDisruptionBudget
from eksguard.model.base import UNRESOLVED_NAMESPACE
from eksguard.model.kubernetes import scaled_int_or_percent


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    index = platform.pod_index()
    for pdb in platform.of_kind(PodDisruptionBudget):
        name = pdb.display_name
        max_unavailable = pdb.max_unavailable
        if scaled_int_or_percent(max_unavailable, 100) == 0:
            yield _at(pdb, "maxUnavailable",
                      f"PodDisruptionBudget {name} sets maxUnavailable: {max_unavailable}: no pod it selects can "
                      f"ever be evicted")
            continue
        min_available = pdb.min_available
        if min_available is None or isinstance(min_available, bool):
            continue
        if isinstance(min_available, str) and min_available.endswith("%"):
            full = scaled_int_or_percent(min_available, 100)
            if full is not None and full >= 100:
                yield _at(pdb, "minAvailable",
                          f"PodDisruptionBudget {name} sets minAvailable: {min_available}: no pod it selects can "
                          f"ever be evicted")
                continue
        if pdb.namespace == UNRESOLVED_NAMESPACE:
            continue  # which workloads it selects cannot be told
        selected = index.selected_by(pdb)
        if not selected:
            continue
        total = 0
        parts: list[str] = []
        related: list[Related] = []
        for workload in selected:
            hpa = index.hpa_for(workload)
            size = hpa.min_replicas if hpa is not None else workload.effective_replicas
            if size is None:
                total = -1
                break
            total += size
            if hpa is not None:
                parts.append(f"{workload.kind} {workload.shown_name}: {size} at its HorizontalPodAutoscaler minimum")
                related.append(Related(hpa.location("spec", "minReplicas"),
                                       f"HorizontalPodAutoscaler {hpa.shown_name} scales {workload.shown_name} down to {size}"))
            else:
                parts.append(f"{workload.kind} {workload.shown_name}: {size} replica{'s' if size != 1 else ''}")
            related.append(Related(workload.kind_location(), f"{workload.kind} {workload.display_name} runs the selected pods"))
        if total <= 0:
            continue
        needed = scaled_int_or_percent(min_available, total)
        if needed is None or needed < total:
            continue
        rounded = f" ({needed} once rounded up)" if isinstance(min_available, str) else ""
        yield _at(pdb, "minAvailable",
                  f"PodDisruptionBudget {name} requires minAvailable: {min_available}{rounded} of the {total} "
                  f"pod{'s' if total != 1 else ''} it selects ({'; '.join(parts)}): none can be evicted",
                  related)


def _at(pdb: PodDisruptionBudget, field: str, message: str, related: list[Related] | None = None) -> Violation:
    return Violation(
        location=pdb.location("spec", field),
        message=message,
        object=pdb.ref,
        json_path=pdb.json_path(*pdb.prefix, "spec", field),
        related=related or [],
    )


CHECK = Check("pdb-blocks-eviction", check)
