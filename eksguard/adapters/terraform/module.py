"""The terraform-aws-modules/eks module, read from its inputs (majors v20 and v21).

v21 dropped the ``cluster_`` prefix from about thirty inputs (``cluster_addons`` ->
``addons``, ``cluster_version`` -> ``kubernetes_version``...; ../shared/FACTS.md 1.8).
The major is taken from the ``version`` constraint (or a git ``?ref=``) when it pins
one, else from which spellings the block uses (Terraform refuses the other major's
names, so they never mix), else v21.

The module's defaults matter to rules and are recorded with ``default=True``: private
endpoint only, public CIDRs ``0.0.0.0/0`` (used once the endpoint is made public),
a KMS key for Secrets, log types ``audit``/``api``/``authenticator``, authentication
mode ``API_AND_CONFIG_MAP``, creator admin bootstrap off (the module hard-codes it and
adds the creator through an access entry when ``enable_cluster_creator_admin_permissions
= true``, recorded as that cluster setting, default false), and per add-on
``resolve_conflicts_on_update = OVERWRITE`` located at the add-on's map key.
"""

from __future__ import annotations

import re

from eksguard.adapters import Sink
from eksguard.adapters.terraform.resources import Declarations, pod_identity_from
from eksguard.adapters.terraform.values import (
    Body,
    Decl,
    embedded_object,
    max_pods,
    plain,
    string_list,
    upper,
)
from eksguard.model import (
    UNKNOWN,
    AccessEntry,
    AccessPolicy,
    Addon,
    Cluster,
    NodeGroup,
    Origin,
    PodIdentityAssociation,
    Setting,
    make_object,
    version_text,
)

_SOURCE = re.compile(
    r"^(?:(?:registry\.terraform\.io|registry\.opentofu\.org)/)?terraform-aws-modules/eks/aws$"
    r"|^(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/terraform-aws-eks(?:\.git)?(?:\?.*)?$"
)
_KARPENTER = re.compile(
    r"^(?:(?:registry\.terraform\.io|registry\.opentofu\.org)/)?terraform-aws-modules/eks/aws//modules/karpenter$"
    r"|^(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/terraform-aws-eks(?:\.git)?"
    r"//modules/karpenter(?:\?.*)?$"
)
_AWS_AUTH = re.compile(
    r"^(?:(?:registry\.terraform\.io|registry\.opentofu\.org)/)?terraform-aws-modules/eks/aws//modules/aws-auth$"
    r"|^(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/terraform-aws-eks(?:\.git)?"
    r"//modules/aws-auth(?:\?.*)?$"
)
_REF = re.compile(r"[?&]ref=v?(\d+)")
_CONSTRAINT = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*v?(\d+)(?:\.(\d+))?")

#: canonical input -> (v20 name, v21 name)
INPUTS = {
    "name": ("cluster_name", "name"),
    "version": ("cluster_version", "kubernetes_version"),
    "log_types": ("cluster_enabled_log_types", "enabled_log_types"),
    "endpoint_public_access": ("cluster_endpoint_public_access", "endpoint_public_access"),
    "endpoint_private_access": ("cluster_endpoint_private_access", "endpoint_private_access"),
    "public_access_cidrs": ("cluster_endpoint_public_access_cidrs", "endpoint_public_access_cidrs"),
    "encryption": ("cluster_encryption_config", "encryption_config"),
    "addons": ("cluster_addons", "addons"),
    "compute_config": ("cluster_compute_config", "compute_config"),
    "upgrade_policy": ("cluster_upgrade_policy", "upgrade_policy"),
}
_V20_ONLY = {v20 for v20, _ in INPUTS.values()} | {"eks_managed_node_group_defaults", "self_managed_node_group_defaults",
                                                   "bootstrap_self_managed_addons", "enable_efa_support"}
_V21_ONLY = {v21 for _, v21 in INPUTS.values()} | {"deletion_protection", "control_plane_scaling_config"}
DEFAULT_LOG_TYPES = ["audit", "api", "authenticator"]


def is_eks_module(source: object) -> bool:
    return isinstance(source, str) and bool(_SOURCE.match(source.strip()))


def major(body: Body) -> int:
    """20 or 21: from the version constraint or git ref when it pins a major, else by names."""
    source = body.get("source")
    ref = _REF.search(source) if isinstance(source, str) else None
    if ref:
        return int(ref.group(1))
    constraint = body.get("version")
    if isinstance(constraint, str):
        lower, upper_bound = None, None
        for part in constraint.split(","):
            match = _CONSTRAINT.match(part)
            if not match:
                continue
            op, first, second = match.group(1) or "=", int(match.group(2)), match.group(3)
            if op == "=" or (op == "~>" and second is not None):
                lower = upper_bound = first
            elif op in (">=", ">"):
                lower = first
            elif op == "<":
                upper_bound = first - 1 if second in (None, "0") else first
            elif op == "<=":
                upper_bound = first
        if lower is not None and lower == upper_bound and lower in (20, 21):
            return lower
    names = set(body.map)
    if names & _V20_ONLY and not names & _V21_ONLY:
        return 20
    if names & _V21_ONLY and not names & _V20_ONLY:
        return 21
    return 21


def eks_module(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    source = body.get("source")
    if isinstance(source, str) and _KARPENTER.match(source.strip()):
        karpenter_module(decl, decls, sink)
        return
    if isinstance(source, str) and _AWS_AUTH.match(source.strip()):
        aws_auth_module(decl, sink)
        return
    if not is_eks_module(source):
        return
    v = major(body)
    origin = Origin(decl.origin.path, decl.origin.format, decl.origin.document, decl.origin.template,
                    module=decl.address)
    body = Body(decl.body, origin, decl.mark)

    def name_of(canonical: str) -> str:
        return INPUTS[canonical][0 if v == 20 else 1]

    cluster_name = body.get(name_of("name"))
    name = str(cluster_name) if isinstance(cluster_name, str) else decl.address
    cluster = Cluster(name, origin, body.here)
    body.put(cluster, "version", name_of("version"), convert=version_text)
    body.put(cluster, "authentication_mode", "authentication_mode", default="API_AND_CONFIG_MAP", convert=upper)
    # The module always sends bootstrap false and, when asked, adds the creator as an
    # AmazonEKSClusterAdminPolicy access entry instead.
    cluster.set("bootstrap_cluster_creator_admin_permissions", False, cluster.location, default=True)
    body.put(cluster, "enable_cluster_creator_admin_permissions", "enable_cluster_creator_admin_permissions",
             default=False)
    body.put(cluster, "endpoint_public_access", name_of("endpoint_public_access"), default=False)
    body.put(cluster, "endpoint_private_access", name_of("endpoint_private_access"), default=True)
    body.put(cluster, "public_access_cidrs", name_of("public_access_cidrs"), default=["0.0.0.0/0"], convert=string_list)
    body.put(cluster, "log_types", name_of("log_types"), default=list(DEFAULT_LOG_TYPES), convert=string_list)
    _encryption(body, name_of("encryption"), cluster)
    compute = body.block(name_of("compute_config"))
    if compute is not None and compute.has("enabled"):
        compute.put(cluster, "auto_mode", "enabled")
    else:
        cluster.set("auto_mode", False, cluster.location, default=True)
    upgrade = body.block(name_of("upgrade_policy"))
    if upgrade is not None:
        upgrade.put(cluster, "support_type", "support_type", convert=upper)
    sink.add(cluster)

    create_default = "OVERWRITE" if v == 20 and body.get("bootstrap_self_managed_addons") is not False else "NONE"
    _unreadable(body, name_of("addons"), cluster, "addons")
    for key, entry in body.entries(name_of("addons")):
        _addon(key, entry, name, create_default, origin, decls, sink)
    _unreadable(body, "access_entries", cluster, "access_entries")
    for key, entry in body.entries("access_entries"):
        _access_entry(key, entry, name, origin, sink)
    defaults = body.block("eks_managed_node_group_defaults") if v == 20 else None
    for key, entry in body.entries("eks_managed_node_groups"):
        _node_group(key, entry, defaults, True, v, name, origin, sink)
    defaults = body.block("self_managed_node_group_defaults") if v == 20 else None
    for key, entry in body.entries("self_managed_node_groups"):
        _node_group(key, entry, defaults, False, v, name, origin, sink)


def _unreadable(body: Body, input_name: str, obj, key: str) -> None:
    """An input written as something we cannot read (``var.x`` without a default, a
    ``for`` expression): say so on the object, so rules that need it stay quiet."""
    if input_name in body.map and body.map[input_name] is UNKNOWN:
        obj.set(key, UNKNOWN, body.at(input_name))


def _encryption(body: Body, input_name: str, cluster: Cluster) -> None:
    """v20 ``cluster_encryption_config = {}`` and v21 ``encryption_config = null`` turn the
    module's KMS envelope encryption off; by default the module creates a key."""
    if input_name not in body.map:
        cluster.set("secrets_encryption", True, cluster.location, default=True)
        return
    value = body.map[input_name]
    where = body.at(input_name)
    if value is UNKNOWN:
        cluster.set("secrets_encryption", UNKNOWN, where)
    elif value is None or value == {} or value == []:
        cluster.set("secrets_encryption", False, where)
    else:
        cluster.set("secrets_encryption", True, where)


def _addon(key: str, entry: Body, cluster: str, create_default: str, origin: Origin, decls: Declarations,
           sink: Sink) -> None:
    addon = Addon(entry.text("name") or key, origin, entry.here, cluster=cluster)
    entry.put(addon, "version", "addon_version", convert=version_text)
    entry.put(addon, "resolve_conflicts_on_create", "resolve_conflicts_on_create", default=create_default, convert=upper)
    entry.put(addon, "resolve_conflicts_on_update", "resolve_conflicts_on_update", default="OVERWRITE", convert=upper)
    if entry.has("configuration_values"):
        where = entry.at("configuration_values")
        addon.set("configuration_values", embedded_object(entry.get("configuration_values"),
                                                          entry.expr("configuration_values"), where, sink,
                                                          f"add-on {key} configuration_values"), where)
    entry.put(addon, "service_account_role_arn", "service_account_role_arn")
    decl_like = Decl("module", "eks", key, origin.module or "", entry.map, origin, entry.mark)
    _unreadable(entry, "pod_identity_association", addon, "pod_identity_associations")
    for assoc in entry.blocks("pod_identity_association"):
        addon.pod_identity_associations.append(pod_identity_from(assoc, "kube-system", cluster, decl_like, sink, decls))
    sink.add(addon)


def _access_entry(key: str, item: Body, cluster: str, origin: Origin, sink: Sink) -> None:
    principal = item.text("principal_arn")
    entry = AccessEntry(principal or key, origin, item.here, cluster=cluster)
    item.put(entry, "principal_arn", "principal_arn")
    item.put(entry, "type", "type", default="STANDARD", convert=upper)
    item.put(entry, "kubernetes_groups", "kubernetes_groups", convert=string_list)
    _unreadable(item, "policy_associations", entry, "policy_associations")
    for _, assoc in item.entries("policy_associations"):
        scope = assoc.block("access_scope")
        entry.policies.append(AccessPolicy(
            policy_arn=Setting(plain(assoc.get("policy_arn", UNKNOWN)), assoc.at("policy_arn")),
            scope_type=Setting(plain(scope.get("type", UNKNOWN)), scope.at("type")) if scope is not None and scope.has("type") else None,
            namespaces=Setting(string_list(scope.get("namespaces")), scope.at("namespaces"))
            if scope is not None and scope.has("namespaces") else None,
        ))
    sink.add(entry)


def _node_group(key: str, item: Body, defaults: Body | None, managed: bool, v: int, cluster: str, origin: Origin,
                sink: Sink) -> None:
    group = NodeGroup(item.text("name") or key, origin, item.here, cluster=cluster)
    group.set("managed", managed, group.location)

    def pick(attr: str) -> Body | None:
        if item.has(attr):
            return item
        if defaults is not None and defaults.has(attr):
            return defaults
        return None

    if managed:
        src = pick("instance_types")
        if src is not None:
            src.put(group, "instance_types", "instance_types", convert=string_list)
        else:
            group.set("instance_types", ["t3.medium"], group.location, default=True)
    else:
        src = pick("instance_type")
        if src is not None:
            value = src.get("instance_type")
            group.set("instance_types", [str(value)] if isinstance(value, str) else UNKNOWN, src.at("instance_type"))
    src = pick("ami_type")
    if src is not None:
        src.put(group, "ami_type", "ami_type")
    elif v == 21:
        group.set("ami_type", "AL2023_x86_64_STANDARD", group.location, default=True)
    src = pick("ami_id")
    if src is not None and src.get("ami_id") != "":
        group.set("custom_ami", True, src.at("ami_id"))
    else:
        group.set("custom_ami", False, group.location, default=True)
    for attr in ("capacity_type",):
        src = pick(attr)
        if src is not None:
            src.put(group, attr, attr, convert=upper)
    src = pick("iam_role_arn")
    if src is not None:
        src.put(group, "node_role", "iam_role_arn")
    if not managed:  # the module creates the EC2_LINUX/EC2_WINDOWS access entry of its groups
        src = pick("create_access_entry")
        if src is not None:
            src.put(group, "access_entry", "create_access_entry")
        else:
            group.set("access_entry", True, group.location, default=True)
    found = None
    for part in item.blocks("cloudinit_pre_nodeadm"):
        if part.has("content"):
            found = found or max_pods(part.get("content"), part.expr("content"), part.at("content"))
    for attr in ("bootstrap_extra_args", "pre_bootstrap_user_data", "post_bootstrap_user_data"):
        src = pick(attr)
        if found is None and src is not None:
            found = max_pods(src.get(attr), src.expr(attr), src.at(attr))
    if found is not None:
        group.set("max_pods", found[0], found[1])
    sink.add(group)


def karpenter_module(decl: Decl, decls: Declarations, sink: Sink) -> None:
    """``modules/karpenter`` (../shared/FACTS.md 1.9): the controller's Pod Identity
    association (default on in v21, off in v20) and the EC2_LINUX access entry of the
    node role it creates (``create_access_entry``, default on)."""
    from eksguard.adapters.terraform.resources import cluster_name

    origin = Origin(decl.origin.path, decl.origin.format, decl.origin.document, decl.origin.template,
                    module=decl.address)
    body = Body(decl.body, origin, decl.mark)
    v = 20 if body.has("enable_v1_permissions") or body.has("enable_irsa") or body.has("enable_pod_identity") else major(body)
    cluster = cluster_name(body, "cluster_name", decls)
    create = body.get("create_pod_identity_association", v != 20)
    if create is True:
        namespace = body.text("namespace") or "kube-system"
        account = body.text("service_account") or "karpenter"
        where = body.at("create_pod_identity_association")
        pia = PodIdentityAssociation(PodIdentityAssociation.name_for(namespace, account), origin, where, cluster=cluster)
        body.put(pia, "namespace", "namespace", default="kube-system")
        body.put(pia, "service_account", "service_account", default="karpenter")
        pia.set("role_arn", UNKNOWN, where)  # the controller role the module creates
        sink.add(pia)
    if body.get("create_access_entry", True) is True and body.get("create_node_iam_role", True) is not False:
        where = body.at("create_access_entry")
        entry = AccessEntry(f"{decl.address} node role", origin, where, cluster=cluster)
        entry.set("principal_arn", UNKNOWN, where)  # the node role the module creates
        body.put(entry, "type", "access_entry_type", default="EC2_LINUX", convert=upper)
        sink.add(entry)


#: aws-auth ``data`` keys and the submodule inputs they are written from
_AWS_AUTH_DATA = {"mapRoles": "aws_auth_roles", "mapUsers": "aws_auth_users", "mapAccounts": "aws_auth_accounts"}


def aws_auth_module(decl: Decl, sink: Sink) -> None:
    """``modules/aws-auth`` (v20; removed in v21): it writes ``kube-system/aws-auth``, with
    ``kubernetes_config_map_v1_data`` when ``manage_aws_auth_configmap`` (default true) or
    ``kubernetes_config_map`` when ``create_aws_auth_configmap`` (default false), its
    ``mapRoles``/``mapUsers``/``mapAccounts`` the ``yamlencode`` of ``aws_auth_roles``/
    ``_users``/``_accounts``. Lifted as that ConfigMap, located at the module block; a list
    that cannot be read leaves its key unknown. Nothing is lifted when ``create`` is off,
    or when neither switch is known to be on."""
    import yaml

    from eksguard.yaml_loader import YMap

    body = decl.read()
    if body.get("create", True) is not True:
        return
    if body.get("manage_aws_auth_configmap", True) is not True and body.get("create_aws_auth_configmap") is not True:
        return
    origin = Origin(decl.origin.path, decl.origin.format, decl.origin.document, decl.origin.template,
                    module=decl.address)

    def node(items: dict, marks: dict | None = None) -> YMap:
        out = YMap()
        out.mark = decl.mark
        for key, value in items.items():
            mark = (marks or {}).get(key, decl.mark)
            out.put(key, value, mark, mark)
        return out

    data: dict = {}
    marks: dict = {}
    for key, attr in _AWS_AUTH_DATA.items():
        value = plain(body.get(attr, []))
        marks[key] = body.key_mark(attr)
        data[key] = yaml.safe_dump(_literal(value), default_flow_style=False) if _is_literal(value) else UNKNOWN
    manifest = node({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": node({"name": "aws-auth", "namespace": "kube-system"}),
                     "data": node(data, marks)})
    sink.add(make_object(manifest, origin))


def _is_literal(value: object) -> bool:
    if isinstance(value, dict):
        return all(_is_literal(v) for v in value.values())
    if isinstance(value, list):
        return all(_is_literal(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _literal(value: object) -> object:
    """Plain dicts and lists (YAML-dumpable) from the positioned ones."""
    if isinstance(value, dict):
        return {str(k): _literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    return value


MAPPERS = {"module": eks_module}
