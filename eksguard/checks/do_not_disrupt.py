"""EKS408: ``karpenter.sh/do-not-disrupt: "true"`` on the pods of a replicated workload.

The annotation blocks consolidation (and, without a NodeClaim ``terminationGracePeriod``,
drift) of every node such a pod runs on. That is meant for a long batch job or a singleton;
on a workload with ``min_replicas`` or more pods (default 2, counting an HPA's
``maxReplicas``) it pins that many nodes, and on a DaemonSet it pins every node, since
Karpenter honours the annotation on DaemonSet pods too. Only the exact value ``"true"``
counts: a duration (``"30m"``) protects the pod for a while and then lets go.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import HorizontalPodAutoscaler, Platform, Workload
from eksguard.model.kubernetes import DO_NOT_DISRUPT


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    minimum = params.get("min_replicas", 2)
    hpas = platform.of_kind(HorizontalPodAutoscaler)
    for workload in platform.of_kind(Workload):
        if workload.pod_annotations.get(DO_NOT_DISRUPT) != "true":
            continue
        related: list[Related] = []
        if workload.kind == "DaemonSet":
            why = "runs a pod on every node it targets, so none of those nodes can be consolidated or drifted"
        else:
            hpa = next((h for h in hpas if h.scales(workload)), None)
            most = hpa.max_replicas if hpa is not None else None
            replicas = workload.effective_replicas
            if hpa is not None and most is not None and most >= minimum:
                why = f"is scaled by HorizontalPodAutoscaler {hpa.shown_name} up to {most} pods, each pinning the node it runs on"
                related.append(Related(hpa.kind_location(), f"HorizontalPodAutoscaler {hpa.shown_name} scales it"))
            elif hpa is None and replicas is not None and replicas >= minimum:
                why = f"runs {replicas} pods, each pinning the node it runs on"
            else:
                continue
        path = ("spec", "template", "metadata", "annotations", DO_NOT_DISRUPT)
        yield Violation(
            location=workload.location(*path),
            message=f"{workload.kind} {workload.display_name} sets karpenter.sh/do-not-disrupt: \"true\" and {why}",
            object=workload.ref,
            json_path=workload.json_path(*workload.prefix, *path),
            related=related,
        )


CHECK = Check(
    "do-not-disrupt-everywhere",
    check,
    params_schema={
        "type": "object",
        "additionalProperties": False,
        "properties": {"min_replicas": {"type": "integer", "minimum": 2}},
    },
    defaults={"min_replicas": 2},
)
