"""EKS406: a replicated workload with no PodDisruptionBudget selecting its pods.

Replicated means ``replicas >= min_replicas`` (default 2) or scaled by a
HorizontalPodAutoscaler that may go that high. A PDB counts only in the workload's
namespace and only when its selector matches the pod template labels; near misses
(other namespace; in the namespace, a selector sharing a label with the pods) are listed
as related locations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.checks.fixing import written_in_hcl
from eksguard.findings import Related, Violation
from eksguard.fixes import AddDocument, Fix
from eksguard.model import Platform, PodDisruptionBudget, Workload
from eksguard.model.base import UNRESOLVED_NAMESPACE
from eksguard.model.kubernetes import as_int


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    minimum = params.get("min_replicas", 2)
    pdbs = platform.of_kind(PodDisruptionBudget)
    # indexes, so a repo with tens of thousands of workloads stays linear
    unresolved = {pdb.namespace for pdb in pdbs if pdb.is_unknown("spec", "selector")}
    anywhere = [pdb for pdb in pdbs if pdb.namespace == UNRESOLVED_NAMESPACE]  # could be any namespace
    index = platform.pod_index()
    workloads = platform.kinds("Deployment", "StatefulSet")
    same_name = Counter((w.namespace, w.name) for w in workloads)
    for workload in workloads:
        assert isinstance(workload, Workload)
        hpa = index.hpa_for(workload)
        replicas = workload.effective_replicas
        if hpa is not None:
            most = as_int(hpa.get("spec", "maxReplicas"))
            if most is not None and most < minimum:
                continue
            why = f"is scaled by HorizontalPodAutoscaler {hpa.shown_name}" + (f" (up to {most} replicas)" if most else "")
        elif replicas is not None and replicas >= minimum:
            why = f"runs {replicas} replicas"
        else:
            continue
        if workload.is_unknown("spec", "template", "metadata", "labels") or workload.namespace in unresolved \
                or workload.namespace == UNRESOLVED_NAMESPACE:
            continue  # unresolved labels, selectors or namespace: whether a PDB matches cannot be told
        if any(pdb.selector.matches(workload.pod_labels) for pdb in anywhere):
            continue
        if index.pdbs_selecting(workload):
            continue
        labels = workload.pod_labels
        here = index.pdbs_in(workload.namespace)
        shown = ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "no labels"
        related = []
        if hpa is not None:
            related.append(Related(hpa.kind_location(), f"HorizontalPodAutoscaler {hpa.shown_name} scales it"))
        elsewhere = [p for p in index.pdbs_matching(labels) if p.namespace != workload.namespace]
        for pdb in elsewhere:
            related.append(Related(pdb.kind_location(),
                                   f"PodDisruptionBudget {pdb.display_name} matches these labels in another namespace"))
        for pdb in _same_namespace_misses(here, labels, explained=bool(elsewhere)):
            related.append(Related(pdb.kind_location(),
                                   f"PodDisruptionBudget {pdb.shown_name} in this namespace does not select these pods"))
        yield Violation(
            location=workload.kind_location(),
            message=(
                f"{workload.kind} {workload.display_name} {why} and no PodDisruptionBudget "
                f"in namespace {workload.namespace} selects its pods ({shown})"
            ),
            object=workload.ref,
            json_path=workload.json_path(*workload.prefix),
            related=related,
            fix=_fix(workload, here, same_name[(workload.namespace, workload.name)] > 1),
        )


def _fix(workload: Workload, here: list, shared_name: bool):
    """A policy/v1 PodDisruptionBudget written as the document after the workload's:
    its namespace as written (none when the workload names none), the workload's own
    selector (``matchLabels``, with its ``matchExpressions`` if any), ``maxUnavailable:
    1``. No fix without ``matchLabels`` to copy, or for HCL."""
    selector = workload.get("spec", "selector")
    if written_in_hcl(workload) or workload.is_unknown("spec", "selector") or not isinstance(selector, dict):
        return None
    labels = selector.get("matchLabels")
    if not isinstance(labels, dict) or not labels or any(workload.is_unknown("spec", "selector", k) for k in selector):
        return None
    taken = {p.name for p in here}  # the namespace's PDBs
    names = [workload.name, f"{workload.name}-pdb"]
    if shared_name:  # a Deployment and a StatefulSet "web"
        names = [f"{workload.name}-{workload.kind.lower()}"]
    name = next((n for n in names if n and n not in taken), None)
    if name is None:
        return None
    metadata = {"name": name}
    if workload.get("metadata", "namespace") is not None:
        metadata["namespace"] = workload.namespace
    spec_selector = {"matchLabels": {str(k): _plain(v) for k, v in labels.items()}}
    if isinstance(selector.get("matchExpressions"), list) and selector["matchExpressions"]:
        spec_selector["matchExpressions"] = _plain(selector["matchExpressions"])
    body = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata,
            "spec": {"maxUnavailable": 1, "selector": spec_selector}}
    return Fix(f"add PodDisruptionBudget {name} (maxUnavailable: 1)", (AddDocument(workload, body),))


def _plain(value: object) -> object:
    """A copy with plain dicts, lists and strings (what a YAML dumper writes cleanly)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _same_namespace_misses(here: list, labels: dict[str, str], explained: bool) -> list:
    """The namespace's PDBs worth showing as near misses: those whose selector shares a
    label with the pods (a stale or mistyped selector); when none does and nothing else
    explains the finding (a matching PDB in another namespace), the first few. A namespace
    with thirty PDBs for thirty other workloads is not thirty near misses."""
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
