"""EKS104: a node role that nothing lets join the cluster, where access entries are managed.

Node roles: Karpenter ``EC2NodeClass.spec.role`` (a role name; entries hold ARNs, so
roles are compared by name) and self-managed node groups' ``node_role``. Managed node
groups and Fargate profiles get their entries from EKS; self-managed groups created
by eksctl or the EKS module's submodule get theirs from the tool: all exempt.

Quiet unless access entries for the cluster are in scope, when the mode is CONFIG_MAP,
when an entry's principal cannot be read, or when (outside mode API) aws-auth in scope
maps the role or cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Location, ObjectRef, Related, Violation
from eksguard.model import EC2NodeClass, NodeGroup, Platform
from eksguard.model.identity import access_entries_for, auth_modes, aws_auth_role_names, node_access, role_name


def _node_roles(platform: Platform) -> Iterator[tuple[str, str | None, Location, str, ObjectRef, str]]:
    """(role, cluster, where, what, ref, json path) of every node role to check."""
    for node_class in platform.of_kind(EC2NodeClass):
        if node_class.kind == "EC2NodeClass" and isinstance(node_class.role, str):
            yield (node_class.role, None, node_class.value_location("spec", "role"),
                   f"EC2NodeClass {node_class.shown_name}", node_class.ref,
                   node_class.json_path(*node_class.prefix, "spec", "role"))
    for group in platform.of_kind(NodeGroup):
        role = group.setting("node_role")
        if group.value("managed") is not False or role is None or not role.known:
            continue
        if group.value("access_entry") is True:
            continue  # the tool that declares the group creates its entry (eksctl, the EKS module)
        yield (role.value, group.cluster, role.location, f"self-managed node group {group.display_name}",
               group.ref, "/node_role")


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for role, cluster, where, what, ref, path in _node_roles(platform):
        name = role_name(role)
        if name is None:
            continue
        entries = access_entries_for(platform, cluster)
        if not entries:
            continue  # access entries are not managed in scope
        modes = auth_modes(platform, cluster)
        if modes == {"CONFIG_MAP"}:
            continue
        access = node_access(platform, name, cluster)
        if access.status in ("entry", "unknown"):
            continue
        if modes != {"API"}:
            mapped, unreadable = aws_auth_role_names(platform)
            if name in mapped or unreadable:
                continue  # aws-auth still lets these nodes join
        if access.status == "wrong-type" and access.entry is not None:
            entry_type = access.entry.value("type")
            related = [Related(access.entry.location_of("type"), f"access entry for {name} has type {entry_type}")]
            message = (f"{what} uses node role {name}, whose access entry has type {entry_type}, not EC2_LINUX "
                       f"or EC2_WINDOWS: its nodes cannot join the cluster")
        else:
            related = [Related(e.location, f"access entry {e.display_name}") for e in entries[:5]]
            message = (f"{what} uses node role {name}, and no EC2_LINUX or EC2_WINDOWS access entry in scope "
                       f"names it: its nodes launch but never join the cluster")
        yield Violation(location=where, message=message, object=ref, json_path=path, related=related)


CHECK = Check("node-role-without-access-entry", check)
