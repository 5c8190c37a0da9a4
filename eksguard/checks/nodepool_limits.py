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

from dataclasses import replace

from eksguard.checks import gpu_check
from eksguard.findings import Violation
from eksguard.fixes import Fix, SetKey
from eksguard.model import NodePool, Platform
from eksguard.model.kubernetes import GPU_CATEGORIES

#: Resources every node has, so a limit on any of them caps the pool.
BOUNDING = frozenset({"cpu", "memory", "nodes", "pods", "ephemeral-storage"})

#: The ``cpu`` limit the fix writes unless ``fix_cpu_limit`` says otherwise: a ceiling
#: against runaway scale-out, not a sizing (the rule's docs say how to size it).
FIX_CPU_LIMIT = "1000"
#: A Kubernetes quantity as a limit takes it (``1000``, ``500``, ``1.5k``).
_QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    gpu = params.get("gpu_categories", list(GPU_CATEGORIES))
    cpu = str(params.get("fix_cpu_limit", FIX_CPU_LIMIT))
    for pool in platform.of_kind(NodePool):
        if pool.is_static:
            continue
        where = ".".join(pool.limits_path)
        raw = pool.get(*pool.limits_path)
        if raw is not None and not isinstance(raw, dict):
            continue  # unresolved, or a wrong type the API server rejects: not a missing limit
        limits = pool.limits
        if not limits:
            written = pool.has(*pool.limits_path)
            yield Violation(
                location=pool.location(*pool.limits_path) if written else pool.kind_location(),
                message=(
                    f"{pool.kind} {pool.shown_name} sets " + (f"an empty {where}" if written else f"no {where}")
                    + ": nothing caps how much capacity it launches"
                ),
                object=pool.ref,
                json_path=pool.json_path(*pool.prefix, *pool.limits_path),
                fix=_fix(pool, cpu),
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
                f"{pool.kind} {pool.shown_name} limits only {', '.join(sorted(keys))}, which not every node it "
                f"launches consumes: no cpu, memory or nodes limit caps the pool"
            ),
            object=pool.ref,
            json_path=pool.json_path(*pool.prefix, *pool.limits_path),
            fix=_fix(pool, cpu),
        )


def _fix(pool: NodePool, cpu: str) -> Fix | None:
    """``cpu: <fix_cpu_limit>`` in ``spec.limits`` (``spec.limits.resources`` on a
    Provisioner); nothing when the limits are not a mapping that can take it."""
    where = pool.get(*pool.limits_path)
    if where is not None and not isinstance(where, dict):
        return None
    return Fix(f"add {'.'.join(pool.limits_path)}.cpu: \"{cpu}\"", (SetKey(pool, (*pool.limits_path, "cpu"), cpu),))


_BASE = gpu_check("nodepool-without-limits", check)
CHECK = replace(
    _BASE,
    params_schema={**_BASE.params_schema, "properties": {
        **_BASE.params_schema["properties"],
        "fix_cpu_limit": {"type": "string", "pattern": _QUANTITY},
    }},
    defaults={**_BASE.defaults, "fix_cpu_limit": FIX_CPU_LIMIT},
)
