"""EKS504: a change raises a cluster's Kubernetes version by more than one minor.

Only with ``scan --diff-base REF``: the platform at REF (``platform.base``, see
:mod:`eksguard.engine.diffbase`) is compared with today's. A cluster is the same one when
it is declared in the same format, in the same file (renames followed) and under the same
name; failing that, the one cluster of that name and format on both sides. The version
at REF is the highest one the file declared for it; a file that walks through every
minor on the way (a script running ``update-cluster-version`` 1.31, then 1.32) is fine.
Versions not written (EKS picks its newest), unresolved or unparseable are left alone,
as are downgrades (EKS rejects those itself) and major version changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.checks.cluster_version import parse_version
from eksguard.findings import Location, Related, Violation
from eksguard.model import Cluster, Platform


def _versions(clusters, path_of) -> dict[tuple, list[tuple[tuple[int, int], Cluster, Location]]]:
    out: dict[tuple, list] = defaultdict(list)
    for cluster in clusters:
        setting = cluster.setting("version")
        if setting is None or not setting.known or setting.default:
            continue
        version = parse_version(setting.value)
        if version is not None:
            out[(cluster.origin.format, path_of(cluster.location.path), cluster.name)].append(
                (version, cluster, setting.location))
    return out


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    base = getattr(platform, "base", None)
    if base is None:
        return
    now = _versions(platform.of_kind(Cluster), lambda path: path)
    if not now:
        return
    before = _versions(base.platform.of_kind(Cluster), base.current)

    def by_name(side: dict) -> dict[tuple, list]:
        names: dict[tuple, list] = defaultdict(list)
        for (fmt, _path, name), entries in side.items():
            names[(fmt, name)].append(entries)
        return names

    before_names, now_names = by_name(before), by_name(now)
    for key, entries in now.items():
        old = before.get(key)
        fmt, _, name = key
        if old is None and name is not None and len(before_names.get((fmt, name), ())) == 1 \
                and len(now_names.get((fmt, name), ())) == 1:
            old = before_names[(fmt, name)][0]  # the cluster moved to another file
        if not old:
            continue
        old_version, _, old_location = max(old, key=lambda entry: entry[0])
        steps = {version for version, _, _ in entries}
        for version, cluster, location in entries:
            if version[0] != old_version[0] or version[1] - old_version[1] <= 1:
                continue
            skipped = [(version[0], minor) for minor in range(old_version[1] + 1, version[1])]
            if all(step in steps for step in skipped):
                continue  # the file goes through every minor itself
            was, shown = f"{old_version[0]}.{old_version[1]}", f"{version[0]}.{version[1]}"
            through = ", ".join(f"{major}.{minor}" for major, minor in skipped)
            yield Violation(
                location=location,
                message=(f"EKS cluster {cluster.display_name} goes from Kubernetes {was} (at {base.label}) to "
                         f"{shown}: EKS upgrades the control plane one minor version at a time and rejects this "
                         f"update; upgrade through {through} first, add-ons and nodes at each step"),
                object=cluster.ref,
                json_path="/version",
                related=[Related(Location(base.shown(old_location.path), old_location.line, old_location.column),
                                 f"Kubernetes {was} at {base.label}")],
            )


CHECK = Check("cluster-version-skip", check, compares_base=True, base_reads=(Cluster,))
