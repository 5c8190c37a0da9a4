"""Fix changes for a Kubernetes-shaped object, whatever format wrote it.

A check says "this annotation should be ``ip``"; how that can be written depends on the
format. YAML (a file, an eksctl file, a heredoc in ``kubectl_manifest``) is edited
structurally (:class:`~eksguard.fixes.SetKey`, ruamel.yaml round-trip). An object written
as HCL blocks of a ``kubernetes_*`` resource can only have a literal value replaced in
place (:class:`~eksguard.fixes.ReplaceToken`); adding or removing an HCL attribute is
left to the user. These helpers return None when no faithful change exists, so a check
offers no fix rather than one that would be refused.
"""

from __future__ import annotations

from eksguard.fixes import RemoveKey, ReplaceToken, SetKey


def written_in_hcl(obj) -> bool:
    """The object comes from the HCL blocks of a ``kubernetes_*`` resource (not YAML
    text): the Terraform adapter positions its ``apiVersion`` and ``kind`` both at the
    resource block, which YAML never does (two keys, two places)."""
    return obj.origin.format == "terraform" and obj.location("apiVersion") == obj.location("kind")


def set_value(obj, path: tuple, value: str) -> tuple | None:
    """The changes that make the string at ``path`` (relative to the object) ``value``:
    a SetKey in YAML; in HCL the replacement of the literal written there. ``()`` when
    it already is; None when it cannot be written faithfully (the value is not known
    statically, or HCL would need a new attribute)."""
    current = obj.get(*path)
    if current == value:
        return ()
    if any(obj.is_unknown(*path[:i]) for i in range(1, len(path) + 1)):
        return None
    if not written_in_hcl(obj):
        return (SetKey(obj, tuple(path), value),)
    if isinstance(current, str) and current.strip():
        return (ReplaceToken(obj.location(*path), current, value, follows=str(path[-1])),)
    return None


def remove_value(obj, path: tuple) -> tuple | None:
    """The change that removes the key at ``path``; YAML only (None for HCL)."""
    if obj.get(*path) is None:
        return ()
    if written_in_hcl(obj):
        return None
    return (RemoveKey(obj, tuple(path)),)


def all_of(*parts: tuple | None) -> tuple | None:
    """The changes of a fix that needs every part; None when one part cannot be made
    or when there is nothing to change at all."""
    if any(part is None for part in parts):
        return None
    changes = tuple(change for part in parts for change in part)
    return changes or None
