"""Who may do what on a cluster: the identity facts several rules share.

Access (EKS101-EKS104) and workload identity (EKS201-EKS205) rules ask the same
questions of the model: does anything in scope make someone cluster-admin, which node
roles can join, which ServiceAccounts Pod Identity binds, what an IAM trust policy
allows, which cluster an object belongs to. The answers live here, once.

Every answer may be "cannot tell" (None): a value an adapter could not resolve
(:data:`~eksguard.model.UNKNOWN`, a ``${VAR}``, a Terraform reference) never counts as
evidence either way, so a rule that gets None stays quiet.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eksguard.findings import Related
from eksguard.model.aws import UNKNOWN, AccessEntry, Addon, Cluster, HelmRelease, IamRole, PodIdentityAssociation
from eksguard.model.base import text
from eksguard.model.kubernetes import ConfigMap

if TYPE_CHECKING:
    from eksguard.model import Platform

CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
NODE_ENTRY_TYPES = frozenset({"EC2_LINUX", "EC2_WINDOWS"})
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")
POD_IDENTITY_AGENT = "eks-pod-identity-agent"

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(.+)$")
_ANY_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):")
#: Text that is a placeholder, not a value: shell/Helm/Terraform interpolation, eksctl's
#: ``<role created by eksctl>``, or a Terraform reference kept as text.
_PLACEHOLDER = re.compile(r"\$\{|\{\{|\$\(|<|^(?:var|local|data|module|aws_[a-z0-9_]+)\.")


def unresolved(value: object) -> bool:
    """True for anything that is not a plain, fully written string."""
    return value is UNKNOWN or not isinstance(value, str) or not value or bool(_PLACEHOLDER.search(value))


def arn_account(value: object) -> str | None:
    """The account id of an ARN (``arn:aws:iam::111122223333:role/x`` -> ``111122223333``)."""
    match = _ANY_ARN.match(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def role_name(value: object) -> str | None:
    """The IAM role name of a role ARN (its path dropped) or of a bare role name, as EKS
    and Karpenter accept either; None when unresolved or not a role."""
    if unresolved(value):
        return None
    match = _ROLE_ARN.match(value)  # type: ignore[arg-type]
    if match:
        return match.group(2).rsplit("/", 1)[-1]
    if ":" in value:  # type: ignore[operator]
        return None  # another kind of ARN (instance profile, assumed role...)
    return value.rsplit("/", 1)[-1]  # type: ignore[union-attr]


def is_cluster_admin_policy(arn: object) -> bool:
    return isinstance(arn, str) and arn.endswith(f":cluster-access-policy/{CLUSTER_ADMIN_POLICY}")


# -- which cluster ------------------------------------------------------------------------


def cluster_names(platform: Platform) -> frozenset[str]:
    return platform.derived("cluster_names", lambda: frozenset(c.name for c in platform.of_kind(Cluster) if c.name))


def may_share_cluster(platform: Platform, a: str | None, b: str | None) -> bool:
    """Could two objects naming clusters ``a`` and ``b`` be about the same cluster? Yes
    unless both name different clusters defined in scope (an unnamed or unresolved
    cluster, or one defined elsewhere, could be any)."""
    if a is None or b is None or a == b:
        return True
    names = cluster_names(platform)
    return a not in names or b not in names


def clusters_named(platform: Platform, name: str | None) -> list[Cluster]:
    """Cluster objects that may be the cluster ``name`` (all of them for None), in scan
    order: checks ask once per node role, access entry or association."""
    return _about_cluster(platform, Cluster, name)


def access_entries_for(platform: Platform, cluster: str | None) -> list[AccessEntry]:
    """Access entries that may be about the cluster ``cluster`` (all of them for None),
    in scan order: checks ask once per node role or cluster."""
    return _about_cluster(platform, AccessEntry, cluster)


def _about_cluster(platform: Platform, view: type, cluster: str | None) -> list:
    """Objects of ``view`` that may be about the cluster ``cluster`` (by
    :func:`may_share_cluster`), in scan order, from an index built once per scan: walking
    every object for each question grew with clusters times objects (EKS104, EKS103)."""
    objects = platform.of_kind(view)
    if cluster is None or cluster not in cluster_names(platform):
        return objects
    anywhere, by_cluster = _cluster_index(platform, view)
    return [objects[i] for i in sorted([*anywhere, *by_cluster.get(cluster, ())])]


def _cluster_index(platform: Platform, view: type) -> tuple[list[int], dict[str, list[int]]]:
    """Positions (in ``of_kind(view)``) of the objects that may be about any cluster
    (naming none, or one not defined in scope), and of every object by the cluster it
    names: a cluster object's own name, anything else's ``cluster``."""

    def build() -> tuple[list[int], dict[str, list[int]]]:
        names = cluster_names(platform)
        anywhere: list[int] = []
        by_cluster: dict[str, list[int]] = {}
        for position, obj in enumerate(platform.of_kind(view)):
            named = obj.name if view is Cluster else obj.cluster
            if named is not None:
                by_cluster.setdefault(named, []).append(position)
            if named is None or named not in names:
                anywhere.append(position)
        return anywhere, by_cluster

    return platform.derived(("cluster_index", view), build)


def auth_modes(platform: Platform, cluster: str | None) -> frozenset[str]:
    """The authentication modes, upper case, of the clusters that may be ``cluster``
    (``"?"`` for one that writes none). Kept per name: EKS104 asks for every node role."""
    return platform.derived(("auth_modes", cluster), lambda: frozenset(
        str(c.value("authentication_mode", "?")).upper() for c in clusters_named(platform, cluster)))


def cluster_setting(platform: Platform, cluster: Cluster, key: str):
    """``cluster``'s setting ``key``, or, when it does not write it, the one setting of
    that key among other declarations of the same cluster name (an eksctl config and the
    ``aws eks update-cluster-config`` that later flips its mode are one cluster)."""
    own = cluster.setting(key)
    if own is not None or cluster.name is None:
        return own
    clusters = platform.of_kind(Cluster)
    found = [clusters[i].setting(key) for i in _cluster_index(platform, Cluster)[1].get(cluster.name, ())
             if clusters[i] is not cluster]
    found = [s for s in found if s is not None]
    values = {repr(s.value) for s in found}
    return found[0] if len(values) == 1 else None


# -- access -------------------------------------------------------------------------------


@dataclass
class AdminVerdict:
    """Does anything in scope give someone cluster-admin on a cluster?

    ``granted`` is True (see ``grants``), False (nothing does, every fact known) or
    None (cannot tell). ``near_misses`` are grants that look like admin but are not.
    """

    granted: bool | None
    grants: list[Related] = field(default_factory=list)
    near_misses: list[Related] = field(default_factory=list)


def cluster_admin_groups(platform: Platform) -> frozenset[str]:
    """Kubernetes groups bound to ClusterRole ``cluster-admin`` by a ClusterRoleBinding in
    scope. Once per scan: :func:`cluster_admin` asks for every cluster."""
    return platform.derived("cluster_admin_groups", lambda: _cluster_admin_groups(platform))


def _cluster_admin_groups(platform: Platform) -> frozenset[str]:
    groups: set[str] = set()
    for binding in platform.kinds("ClusterRoleBinding"):
        if binding.get("roleRef", "kind") != "ClusterRole" or binding.get("roleRef", "name") != "cluster-admin":
            continue
        subjects = binding.get("subjects")
        for subject in subjects if isinstance(subjects, list) else ():
            if isinstance(subject, dict) and subject.get("kind") == "Group" and isinstance(subject.get("name"), str):
                groups.add(subject["name"])
    return frozenset(groups)


def cluster_admin(platform: Platform, cluster: Cluster) -> AdminVerdict:
    """Whether access entries in scope (or the tool creating the cluster) make someone
    cluster-admin of ``cluster``: AmazonEKSClusterAdminPolicy at cluster scope, or a
    Kubernetes group a ClusterRoleBinding in scope binds to ``cluster-admin``. The
    creator bootstrap flag is the caller's business."""
    verdict = AdminVerdict(False)
    unknown = False
    creator = cluster.setting("enable_cluster_creator_admin_permissions")
    if creator is not None:
        if not creator.known:
            unknown = True
        elif creator.value is True:
            verdict.grants.append(Related(creator.location, "the creator is added as cluster admin"))
    entries_setting = cluster.setting("access_entries")
    if entries_setting is not None and not entries_setting.known:
        unknown = True
    admin_groups = cluster_admin_groups(platform)
    for entry in access_entries_for(platform, cluster.name):
        who = entry.display_name
        associations = entry.setting("policy_associations")
        if associations is not None and not associations.known:
            unknown = True
        for policy in entry.policies:
            arn = policy.policy_arn.value
            if unresolved(arn):
                unknown = True
                continue
            if not is_cluster_admin_policy(arn):
                continue
            scope = policy.scope_type
            if scope is None or unresolved(scope.value):
                unknown = True
            elif scope.value.lower() == "cluster":
                verdict.grants.append(Related(policy.policy_arn.location,
                                              f"access entry {who} has {CLUSTER_ADMIN_POLICY} at cluster scope"))
            else:
                verdict.near_misses.append(Related(scope.location,
                                                   f"access entry {who} has {CLUSTER_ADMIN_POLICY} only at "
                                                   f"{scope.value} scope"))
        groups = entry.setting("kubernetes_groups")
        if groups is not None and not groups.known:
            unknown = True
        elif groups is not None and isinstance(groups.value, list):
            bound = sorted(g for g in groups.value if g in admin_groups)
            if bound:
                verdict.grants.append(Related(groups.location, f"access entry {who} is in group {bound[0]}, "
                                                               f"bound to cluster-admin"))
    if verdict.grants:
        verdict.granted = True
    elif unknown:
        verdict.granted = None
    return verdict


def aws_auth_role_names(platform: Platform) -> tuple[frozenset[str], bool]:
    """Role names that aws-auth maps (ConfigMaps in scope and tool-written mappings such
    as eksctl ``iamIdentityMappings``), and whether some mapping could not be read.
    Computed once per scan: checks ask for every node role."""
    return platform.derived("aws_auth_role_names", lambda: _aws_auth_role_names(platform))


def _aws_auth_role_names(platform: Platform) -> tuple[frozenset[str], bool]:
    names: set[str] = set()
    unknown = False

    def add(arn: object) -> None:
        nonlocal unknown
        name = role_name(arn)
        if name is None:
            unknown = True
        else:
            names.add(name)

    for cm in platform.of_kind(ConfigMap):
        if cm.is_aws_auth:
            arns = cm.aws_auth_role_arns
            if arns is None:
                unknown = True
            for arn in arns or ():
                add(arn)
    for cluster in platform.of_kind(Cluster):
        mappings = cluster.setting("aws_auth_mappings")
        if mappings is None:
            continue
        if not mappings.known or not isinstance(mappings.value, list):
            unknown = True
            continue
        for row in mappings.value:
            if not isinstance(row, dict):
                unknown = True
                continue
            arn = row.get("rolearn", row.get("arn"))
            if arn is None:
                continue  # a service mapping (eksctl ``serviceName: emr-containers``)
            if unresolved(arn) or ":role/" in arn:
                add(arn)
    return frozenset(names), unknown


@dataclass
class NodeAccess:
    """How a node role joins: ``entry`` (an EC2_LINUX/EC2_WINDOWS access entry),
    ``wrong-type`` (an entry of another type), ``none`` or ``unknown``."""

    status: str
    entry: AccessEntry | None = None


def node_access(platform: Platform, role: str, cluster: str | None) -> NodeAccess:
    """The access entry that lets nodes with role name ``role`` join ``cluster``: the
    first node entry for the role in scan order; else ``unknown`` when an entry of the
    role has no readable type or a node entry's principal cannot be read; else the last
    entry of the role of another type; else none."""
    by_role, unreadable = platform.derived("node_entries", lambda: _node_entries(platform))
    unknown = any(may_share_cluster(platform, entry.cluster, cluster) for entry in unreadable)
    other: AccessEntry | None = None
    for entry, type_value in by_role.get(role, ()):
        if not may_share_cluster(platform, entry.cluster, cluster):
            continue
        if type_value in NODE_ENTRY_TYPES:
            return NodeAccess("entry", entry)
        if type_value is None or unresolved(type_value):
            unknown = True
        else:
            other = entry
    if unknown:
        return NodeAccess("unknown")
    return NodeAccess("wrong-type", other) if other is not None else NodeAccess("none")


def _node_entries(platform: Platform) -> tuple[dict[str, list[tuple[AccessEntry, str | None]]], list[AccessEntry]]:
    """Each access entry's role name and type (upper case), read once per scan: entries
    by role name, and those that may be node entries but whose principal cannot be read.
    :func:`node_access` is asked for every node role, so reading every entry each time
    grew with node roles times entries."""
    by_role: dict[str, list[tuple[AccessEntry, str | None]]] = {}
    unreadable: list[AccessEntry] = []
    for entry in platform.of_kind(AccessEntry):
        etype = entry.setting("type")
        type_value = etype.value.upper() if etype is not None and isinstance(etype.value, str) else None
        principal = entry.setting("principal_arn")
        name = role_name(principal.value if principal is not None else entry.name)
        if name is not None:
            by_role.setdefault(name, []).append((entry, type_value))
        elif type_value is None or type_value in NODE_ENTRY_TYPES:
            unreadable.append(entry)
    return by_role, unreadable


# -- workload identity --------------------------------------------------------------------


def pod_identity_associations(platform: Platform) -> list[PodIdentityAssociation]:
    """Every association in scope: standalone ones and those declared inside add-ons
    (an adapter may list an add-on's associations only on the add-on)."""
    seen: set[int] = set()
    out: list[PodIdentityAssociation] = []
    for pia in [*platform.of_kind(PodIdentityAssociation),
                *(p for addon in platform.of_kind(Addon) for p in addon.pod_identity_associations)]:
        if id(pia) not in seen:
            seen.add(id(pia))
            out.append(pia)
    return out


def association_key(pia: PodIdentityAssociation) -> tuple[str, str] | None:
    """``(namespace, service account)`` of an association, when both are known."""
    namespace, account = pia.value("namespace"), pia.value("service_account")
    if unresolved(namespace) or unresolved(account):
        return None
    return namespace, account  # type: ignore[return-value]


def declares_addon(addon: Addon) -> bool:
    """True when ``addon`` declares the add-on as it is (a config, a resource, a create
    call), not an update that changes some fields of an add-on declared elsewhere. Script
    lines say which (the scripts adapter records ``operation``)."""
    operation = addon.value("operation")
    return operation is None or operation == "create"


def is_pod_identity_agent(obj: object) -> bool:
    """The EKS Pod Identity Agent: the add-on, its DaemonSet, or a Helm release of its chart."""
    if isinstance(obj, Addon):
        return isinstance(obj.name, str) and obj.name.lower() == POD_IDENTITY_AGENT
    if isinstance(obj, HelmRelease):
        chart = obj.value("chart")
        return isinstance(chart, str) and POD_IDENTITY_AGENT in chart
    return getattr(obj, "kind", None) == "DaemonSet" and getattr(obj, "name", None) == POD_IDENTITY_AGENT


def roles_for(platform: Platform, pia: PodIdentityAssociation) -> list[IamRole]:
    """The IAM roles in scope that an association's ``role_arn`` (or ``role_ref``) names."""
    ref = pia.value("role_ref")
    arn = pia.value("role_arn")
    wanted_name = role_name(arn)
    roles, index = platform.derived("iam_roles_by_key", lambda: _iam_role_index(platform))
    candidates: set[int] = set()
    if isinstance(ref, str):
        candidates.update(index.get(("name", ref), ()))
        if ref.endswith(".arn"):
            candidates.update(index.get(("name", ref[:-4]), ()))
    if isinstance(arn, str):
        candidates.update(index.get(("arn", arn), ()))
    if wanted_name is not None:
        candidates.update(index.get(("role_name", wanted_name), ()))
    out = []
    for role in (roles[i] for i in sorted(candidates)):
        role_arn = role.value("arn")
        if isinstance(ref, str) and ref in (role.name, f"{role.name}.arn"):
            out.append(role)
        elif isinstance(arn, str) and isinstance(role_arn, str) and arn == role_arn:
            out.append(role)
        elif wanted_name is not None and wanted_name == (role.value("role_name") or role.name):
            account = arn_account(role_arn)
            if account is None or account == arn_account(arn) or arn_account(arn) is None:
                out.append(role)
    return out


def _iam_role_index(platform: Platform) -> tuple[list[IamRole], dict[tuple[str, str], list[int]]]:
    """The IAM roles in scope and, by Terraform name, ARN and role name, their positions:
    :func:`roles_for` is asked once per association."""
    roles = platform.of_kind(IamRole)
    index: dict[tuple[str, str], list[int]] = {}
    for position, role in enumerate(roles):
        keys = {("name", role.name), ("arn", role.value("arn")), ("role_name", role.value("role_name") or role.name)}
        for key in keys:
            if isinstance(key[1], str):
                index.setdefault(key, []).append(position)
    return roles, index


def _as_list(value: object) -> list | None:
    if isinstance(value, list):
        return value
    if isinstance(value, (str, dict)):
        return [value]
    return None


def _statement_parts(statement: dict) -> tuple[str | None, object, object, bool] | None:
    """(effect, principals, actions, negated) of an IAM statement written as JSON
    (``Effect``/``Principal``/``Action``) or as an ``aws_iam_policy_document`` block."""
    if "Effect" in statement or "Principal" in statement or "Action" in statement:
        negated = "NotAction" in statement or "NotPrincipal" in statement
        return text(statement.get("Effect")), statement.get("Principal"), statement.get("Action"), negated
    negated = "not_actions" in statement or "not_principals" in statement
    principals = statement.get("principals")
    return text(statement.get("effect", "Allow")), principals, statement.get("actions"), negated


def _names_pod_identity(principal: object) -> bool | None:
    """Does a ``Principal`` (JSON) or ``principals`` (policy-document blocks) name the
    Pod Identity service principal? None when it cannot be read."""
    if principal is UNKNOWN:
        return None
    if principal == "*":
        return True
    services: list = []
    if isinstance(principal, dict):
        raw = principal.get("Service", [])
        if raw is UNKNOWN:
            return None
        services = _as_list(raw) or []
    elif isinstance(principal, list):  # [{type = "Service", identifiers = [...]}, ...]
        for block in principal:
            if not isinstance(block, dict):
                return None
            if block.get("type") == "Service":
                identifiers = _as_list(block.get("identifiers"))
                if identifiers is None:
                    return None
                services.extend(identifiers)
    else:
        return False
    if any(s is UNKNOWN or not isinstance(s, str) for s in services):
        return None
    return any(s.lower() == POD_IDENTITY_PRINCIPAL for s in services)


def pod_identity_trust(policy: object) -> tuple[bool | None, list[str]]:
    """Whether a trust policy lets EKS Pod Identity assume the role: ``pods.eks.amazonaws.com``
    allowed both ``sts:AssumeRole`` and ``sts:TagSession`` (wildcards such as ``sts:*``
    count; an unconditional Deny wins). Returns (verdict, actions not allowed); verdict
    None when the policy cannot be read."""
    if isinstance(policy, str):
        import json

        try:
            policy = json.loads(policy)
        except ValueError:
            return None, []
    if not isinstance(policy, dict):
        return None, []
    statements = _as_list(policy.get("Statement", policy.get("statement")))
    if statements is None:
        return None, []
    allowed = {action: False for action in POD_IDENTITY_ACTIONS}
    denied: set[str] = set()
    for statement in statements:
        if not isinstance(statement, dict):
            return None, []
        effect, principal, actions, negated = _statement_parts(statement)
        names = _names_pod_identity(principal)
        patterns = _as_list(actions)
        if negated or names is None or patterns is None or effect is None:
            return None, []
        if not names:
            continue
        if any(p is UNKNOWN or not isinstance(p, str) for p in patterns):
            return None, []
        for action in POD_IDENTITY_ACTIONS:
            if any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns):
                if effect.lower() == "allow":
                    allowed[action] = True
                elif effect.lower() == "deny" and not statement.get("Condition", statement.get("condition")):
                    denied.add(action)
    missing = [a for a in POD_IDENTITY_ACTIONS if not allowed[a] or a in denied]
    return not missing, missing


def cluster_account(platform: Platform, cluster: str | None) -> str | None:
    """The AWS account of ``cluster`` when the scan can tell: a cluster's ``account_id``
    or ARN, else the accounts of its Pod Identity roles (EKS only associates roles of the
    cluster's own account) and node access entries. None when unknown or ambiguous."""
    explicit = set()
    for c in clusters_named(platform, cluster):
        account = c.value("account_id")
        if isinstance(account, str) and re.fullmatch(r"\d{12}", account):
            explicit.add(account)
        elif arn_account(c.value("arn")):
            explicit.add(arn_account(c.value("arn")))
    if explicit:
        return explicit.pop() if len(explicit) == 1 else None
    derived = set()
    for pia in pod_identity_associations(platform):
        if may_share_cluster(platform, pia.cluster, cluster) and arn_account(pia.value("role_arn")):
            derived.add(arn_account(pia.value("role_arn")))
    for entry in platform.of_kind(AccessEntry):
        etype = entry.value("type")
        if may_share_cluster(platform, entry.cluster, cluster) and isinstance(etype, str) \
                and etype.upper() in NODE_ENTRY_TYPES and arn_account(entry.value("principal_arn")):
            derived.add(arn_account(entry.value("principal_arn")))
    return derived.pop() if len(derived) == 1 else None
