"""EKS302: an explicit max pods above what the VPC CNI can address on an allowed type.

Capacity is the hard limit (ENIs x (IPv4 per ENI - 1) [x 16 with prefix delegation] + 2,
see :mod:`eksguard.model.instances`), not the 110/250 recommendation. Prefix delegation
is read generously (on if any source turns it on), custom networking and ``MAX_ENI``
only when certain, so doubt never lowers the capacity. Stays quiet when prefix
delegation's state is unknown, when the instance types are unknown, or when a NodePool
has requirements the instance table cannot resolve.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.fixes import Fix, ReplaceToken
from eksguard.model import Platform
from eksguard.model.aws import Setting
from eksguard.model.cni import PREFIX_DELEGATION, CniConfig, cni_config
from eksguard.model.instances import MaxPods
from eksguard.model.karpenter import smallest
from eksguard.model.nodes import node_definitions


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    cni = cni_config(platform)
    pd = cni.prefix_delegation()
    if pd is None:
        return
    custom, max_eni = cni.custom_networking(), cni.max_eni()
    cni_related = _cni_related(cni, pd)
    # A NodePool's own maxPods is reported once, whatever class it names, even when several
    # EC2NodeClasses answer to that name (a repo with one folder per cluster, scanned at once).
    reported: set[tuple] = set()
    for node in node_definitions(platform):
        if node.windows:
            continue
        # (setting, smallest type's arithmetic, what allows that type) per max-pods setting
        worst: dict[int, tuple[Setting, MaxPods, str, object, list[Related]]] = {}
        if node.karpenter:
            for use in node.pools:
                setting = use.max_pods or node.max_pods
                if setting is None or not isinstance(setting.value, int):
                    continue
                if not use.admitted.resolved or not use.admitted.types:
                    continue
                pods = use.admitted.smallest(pd, custom, max_eni)
                where = f"{use.pool.kind} {use.pool.display_name} admits"
                owner = use.pool if use.max_pods is not None else node.obj
                _keep(worst, setting, pods, where, owner, Related(use.pool.kind_location(), f"{where} {pods.instance.name}"))
        elif node.instance_types and node.max_pods is not None and isinstance(node.max_pods.value, int):
            pods = smallest(node.instance_types, pd, custom, max_eni)
            _keep(worst, node.max_pods, pods, f"{node.label} runs", node.obj, None)
        for setting, pods, where, owner, related in worst.values():
            at = (setting.location.path, setting.location.line, setting.location.column)
            if at in reported:
                continue
            reported.add(at)
            yield Violation(
                location=setting.location,
                message=(
                    f"max pods {setting.value} is more than the VPC CNI can address on {pods.instance.name}, "
                    f"which {where}: {pods.explain()}"
                ),
                object=getattr(owner, "ref", None),
                json_path=node.json_path if owner is node.obj else "/spec/template/spec/kubelet/maxPods",
                related=related + cni_related,
                # the number as written is replaced where it is written (YAML, HCL, user data, a flag)
                fix=Fix(f"lower max pods to {pods.recommended} ({pods.instance.name})",
                        (ReplaceToken(setting.location, str(setting.value), str(pods.recommended)),)),
            )


def _keep(worst: dict, setting: Setting, pods: MaxPods | None, where: str, owner: object,
          related: Related | None) -> None:
    """Remember the type with the least capacity below ``setting`` (one finding per setting)."""
    if pods is None or setting.value <= pods.capacity:
        return
    key = id(setting)
    if key not in worst:
        worst[key] = (setting, pods, where, owner, [])
    elif pods.capacity < worst[key][1].capacity:
        worst[key] = (setting, pods, where, owner, worst[key][4])
    if related is not None:
        worst[key][4].append(related)


def _cni_related(cni: CniConfig, pd: bool) -> list[Related]:
    if pd:
        return [Related(s.location, f"prefix delegation is turned on here ({src.label})")
                for src, s in cni.enabled(PREFIX_DELEGATION)]
    written = cni.settings(PREFIX_DELEGATION)
    if written:
        return [Related(s.location, f"prefix delegation is off here ({src.label})") for src, s in written]
    return [Related(src.location, f"{src.label} leaves prefix delegation off (the default)")
            for src in cni.sources if src.complete]


CHECK = Check("max-pods-exceeds-ip-capacity", check)
