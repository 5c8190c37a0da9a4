"""``eksguard max-pods``: the VPC CNI max-pods math for named instance types.

The same arithmetic EKS301/EKS302 use (:mod:`eksguard.model.instances`), printed with
its working, to replace the ``max-pods-calculator.sh`` that was removed from
amazon-eks-ami in 2026. ``--format json`` prints one object per instance type.
"""

from __future__ import annotations

import json
import sys

from eksguard.model.instances import CAP_VCPU_THRESHOLD, MaxPods, instance_type


class UnknownInstanceType(Exception):
    pass


def compute(names: list[str], prefix_delegation: bool, custom_networking: bool, max_eni: int | None) -> list[MaxPods]:
    out = []
    for name in names:
        found = instance_type(name)
        if found is None:
            raise UnknownInstanceType(
                f"unknown instance type {name!r} (not in eksguard's instance table)"
            )
        out.append(found.max_pods(prefix_delegation, custom_networking, max_eni))
    return out


def render_text(result: MaxPods) -> str:
    it = result.instance
    hypervisor = it.hypervisor or ("bare metal" if it.bare_metal else "hypervisor unknown")
    vcpus = f"{it.vcpus} vCPUs" if it.vcpus is not None else "vCPUs unknown"
    uncapped = " (uncapped: vCPUs unknown)" if result.cap is None else ""
    lines = [f"{it.name}: max pods {result.recommended}{uncapped}"]
    lines.append(f"  {vcpus}, {hypervisor}; {it.max_enis} ENIs on the default network card, "
                 f"{it.ipv4_per_eni} IPv4 addresses per ENI")
    enis = f"  ENIs for pods: {result.enis}"
    notes = []
    if result.max_eni is not None and result.max_eni < it.max_enis:
        notes.append(f"MAX_ENI={result.max_eni}")
    if result.custom_networking:
        notes.append("custom networking: the primary ENI carries no pods")
    lines.append(enis + (f" ({'; '.join(notes)})" if notes else ""))
    if result.prefix_delegation_applied:
        lines.append(f"  prefix delegation: {result.prefixes} /28 prefixes x 16 IPs")
    elif result.prefix_delegation:
        lines.append("  prefix delegation: not supported on this instance type (nitro or bare metal only); "
                     "secondary IPs")
    else:
        lines.append("  prefix delegation: off; one secondary IP per slot")
    lines.append(f"  IP capacity: {result.formula()}")
    if result.cap is None:
        lines.append("  cap: unknown (no vCPU figure for this type); max pods = IP capacity")
    else:
        rule = f"{'more than' if it.vcpus > CAP_VCPU_THRESHOLD else 'at most'} {CAP_VCPU_THRESHOLD} vCPUs"
        lines.append(f"  cap: {result.cap} ({rule}); max pods = min({result.capacity}, {result.cap}) "
                     f"= {result.recommended}")
    lines.append(f"  nodeadm (AL2023) with no maxPods set: {result.nodeadm} "
                 f"(ENI limit; no cap, no prefix delegation, no custom networking)")
    return "\n".join(lines)


def run(names: list[str], prefix_delegation: bool, custom_networking: bool, max_eni: int | None,
        fmt: str, stream=None) -> None:
    """Print the math for ``names``; raises :class:`UnknownInstanceType` before printing anything."""
    stream = stream or sys.stdout
    results = compute(names, prefix_delegation, custom_networking, max_eni)
    if fmt == "json":
        json.dump([r.as_dict() for r in results], stream, indent=2)
        stream.write("\n")
    else:
        stream.write("\n\n".join(render_text(r) for r in results) + "\n")
