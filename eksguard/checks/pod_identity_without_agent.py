"""EKS202: Pod Identity associations on a cluster whose add-on list lacks the agent.

Per cluster named by the associations: quiet unless that cluster's add-on list is in
scope (at least one add-on of that cluster declared as code; an eksctl config without
``addons:`` is not a list, nor is an ``aws eks update-addon`` line, nor a module
``addons = var.x``); quiet when the agent is there in any form (the add-on, its
DaemonSet, a Helm release of its chart); quiet for EKS Auto Mode, which runs the agent.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import Addon, Cluster, Platform, PodIdentityAssociation
from eksguard.model.identity import (
    POD_IDENTITY_AGENT,
    cluster_names,
    clusters_named,
    declares_addon,
    is_pod_identity_agent,
    may_share_cluster,
)


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    pias = platform.pod_identity_associations()
    addons = [a for a in platform.of_kind(Addon) if declares_addon(a)]
    if not pias or not addons:
        return
    named = cluster_names(platform) | {o.cluster for o in [*addons, *pias] if o.cluster}
    agents = [o for o in platform.objects if is_pod_identity_agent(o)]
    groups: dict[str | None, list[PodIdentityAssociation]] = {}
    for pia in pias:
        groups.setdefault(pia.cluster, []).append(pia)
    by_cluster: dict[str | None, list[Addon]] = {}
    for addon in addons:
        by_cluster.setdefault(addon.cluster, []).append(addon)
    for key, group in groups.items():
        if len(named) <= 1:  # one cluster in scope at most: an add-on or association naming none is its
            listed = [a for a in addons if a.cluster == key or a.cluster is None or key is None]
        else:
            listed = by_cluster.get(key, [])
        if not listed:
            continue  # this cluster's add-on list is not in scope
        if any(not isinstance(a, Addon) or may_share_cluster(platform, a.cluster, key) for a in agents):
            continue
        clusters = clusters_named(platform, key)
        if any(c.setting("auto_mode") is not None and c.value("auto_mode", True) is not False for c in clusters):
            continue  # EKS Auto Mode runs the agent itself (or we cannot tell)
        if any(c.setting("addons") is not None and not c.setting("addons").known for c in clusters):
            continue  # part of the add-on list cannot be read (the module's ``addons = var.x``)
        cluster = _home(clusters, key, listed)
        who = f"cluster {key}" if key else "the cluster"
        accounts = ", ".join(sorted({p.display_name for p in group}))
        names = ", ".join(sorted({a.display_name for a in listed}))
        yield Violation(
            location=cluster.location if cluster is not None else group[0].location,
            message=(
                f"{who} has Pod Identity associations ({accounts}) but its add-ons ({names}) do not include "
                f"{POD_IDENTITY_AGENT}: those pods get no Pod Identity credentials and fall back to the node role"
            ),
            object=cluster.ref if cluster is not None else group[0].ref,
            json_path="/addons",
            related=[Related(p.location, f"Pod Identity association {p.display_name}") for p in group],
        )


def _home(clusters: list[Cluster], key: str | None, listed: list[Addon]) -> Cluster | None:
    """The cluster declaration the add-on list belongs to (same file first)."""
    candidates = [c for c in clusters if key is None or c.name == key]
    paths = {a.origin.path for a in listed}
    return next((c for c in candidates if c.origin.path in paths), candidates[0] if len(candidates) == 1 else None)


CHECK = Check("pod-identity-without-agent", check)
