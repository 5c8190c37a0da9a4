"""EKS401: a Karpenter NodePool with nothing capping how much capacity it launches.

``spec.limits`` (``spec.limits.resources`` on a v1alpha5 Provisioner) stops provisioning
once any listed resource is reached, so a limit bounds the pool only when every node
counts against it: ``cpu``, ``memory``, ``nodes``, ``pods`` or ``ephemeral-storage``. An
extended resource (``nvidia.com/gpu``) bounds it only when the pool admits nothing but
accelerated instance types. Static NodePools (``spec.replicas``) keep a fixed node count
and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import gpu_check
from eksguard.findings import Violation
from eksguard.model import NodePool, Platform
from eksguard.model.kubernetes import GPU_CATEGORIES

#: Resources every node has, so a limit on any of them caps the pool.
BOUNDING = frozenset({"cpu", "memory", "nodes", "pods", "ephemeral-storage"})


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    gpu = params.get("gpu_categories", list(GPU_CATEGORIES))
    for pool in platform.of_kind(NodePool):
        if pool.is_static:
            continue
        where = ".".join(pool.limits_path)
        limits = pool.limits
        if not limits:
            written = pool.has(*pool.limits_path)
            yield Violation(
                location=pool.location(*pool.limits_path) if written else pool.kind_location(),
                message=(
                    f"{pool.kind} {pool.name} sets " + (f"an empty {where}" if written else f"no {where}")
                    + ": nothing caps how much capacity it launches"
                ),
                object=pool.ref,
                json_path=pool.json_path(*pool.prefix, *pool.limits_path),
            )
            continue
        keys = {str(k) for k in limits}
        if keys & BOUNDING:
            continue
        if any("/" in k for k in keys) and pool.accelerator_only(gpu):
            continue
        yield Violation(
            location=pool.location(*pool.limits_path),
            message=(
                f"{pool.kind} {pool.name} limits only {', '.join(sorted(keys))}, which not every node it "
                f"launches consumes: no cpu, memory or nodes limit caps the pool"
            ),
            object=pool.ref,
            json_path=pool.json_path(*pool.prefix, *pool.limits_path),
        )


CHECK = gpu_check("nodepool-without-limits", check)
