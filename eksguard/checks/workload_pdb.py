"""EKS406: a replicated workload with no PodDisruptionBudget selecting its pods.

Replicated means ``replicas >= min_replicas`` (default 2) or scaled by a
HorizontalPodAutoscaler that may go that high. A PDB counts only in the workload's
namespace and only when its selector matches the pod template labels; near misses
(other namespace; in the namespace, a selector sharing a label with the pods) are listed
as related locations.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import HorizontalPodAutoscaler, Platform, PodDisruptionBudget, Workload
from eksguard.model.kubernetes import as_int


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    minimum = params.get("min_replicas", 2)
    pdbs = platform.of_kind(PodDisruptionBudget)
    hpas = platform.of_kind(HorizontalPodAutoscaler)
    for workload in platform.kinds("Deployment", "StatefulSet"):
        assert isinstance(workload, Workload)
        hpa = next((h for h in hpas if h.scales(workload)), None)
        replicas = workload.effective_replicas
        if hpa is not None:
            most = as_int(hpa.get("spec", "maxReplicas"))
            if most is not None and most < minimum:
                continue
            why = f"is scaled by HorizontalPodAutoscaler {hpa.name}" + (f" (up to {most} replicas)" if most else "")
        elif replicas is not None and replicas >= minimum:
            why = f"runs {replicas} replicas"
        else:
            continue
        if workload.is_unknown("spec", "template", "metadata", "labels") or any(
            pdb.namespace == workload.namespace and pdb.is_unknown("spec", "selector") for pdb in pdbs
        ):
            continue  # unresolved labels or selectors: whether a PDB matches cannot be told
        if any(pdb.selects(workload) for pdb in pdbs):
            continue
        labels = workload.pod_labels
        shown = ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "no labels"
        related = []
        if hpa is not None:
            related.append(Related(hpa.kind_location(), f"HorizontalPodAutoscaler {hpa.name} scales it"))
        elsewhere = [p for p in pdbs if p.namespace != workload.namespace and p.selector.matches(labels)]
        for pdb in elsewhere:
            related.append(Related(pdb.kind_location(),
                                   f"PodDisruptionBudget {pdb.display_name} matches these labels in another namespace"))
        for pdb in _same_namespace_misses(pdbs, workload.namespace, labels, explained=bool(elsewhere)):
            related.append(Related(pdb.kind_location(),
                                   f"PodDisruptionBudget {pdb.name} in this namespace does not select these pods"))
        yield Violation(
            location=workload.kind_location(),
            message=(
                f"{workload.kind} {workload.display_name} {why} and no PodDisruptionBudget "
                f"in namespace {workload.namespace} selects its pods ({shown})"
            ),
            object=workload.ref,
            json_path=workload.json_path(*workload.prefix),
            related=related,
        )


def _same_namespace_misses(pdbs: list, namespace: str | None, labels: dict[str, str], explained: bool) -> list:
    """The namespace's PDBs worth showing as near misses: those whose selector shares a
    label with the pods (a stale or mistyped selector); when none does and nothing else
    explains the finding (a matching PDB in another namespace), the first few. A namespace
    with thirty PDBs for thirty other workloads is not thirty near misses."""
    here = [p for p in pdbs if p.namespace == namespace]
    close = [p for p in here if _overlaps(p.selector, labels)]
    return close or ([] if explained else here[:3])


def _overlaps(selector, labels: dict[str, str]) -> bool:
    if any(labels.get(key) == value for key, value in selector.match_labels.items()):
        return True
    for expr in selector.expressions:
        values = expr.get("values")
        if expr.get("operator") == "In" and isinstance(values, list) and labels.get(str(expr.get("key"))) in values:
            return True
    return False


CHECK = Check(
    "workload-without-pdb",
    check,
    params_schema={
        "type": "object",
        "additionalProperties": False,
        "properties": {"min_replicas": {"type": "integer", "minimum": 1}},
    },
    defaults={"min_replicas": 2},
)
