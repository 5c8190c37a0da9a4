"""``aws_*`` resources mapped onto the platform model, for HCL and plan JSON alike.

Each mapper takes a :class:`~eksguard.adapters.terraform.values.Decl` (a positioned
body in the shape both HCL and ``terraform show -json`` use: nested blocks are lists
of objects) and the other declarations of the same Terraform module, which it needs
for references (a launch template's AMI, the cluster an add-on names through
``aws_eks_cluster.this.name``, the trust policy of a ``data.aws_iam_policy_document``).

Provider defaults that rules depend on are recorded with ``default=True`` at the
block (hashicorp/terraform-provider-aws, ../shared/FACTS.md 1.1-1.6):
``vpc_config`` public endpoint on, private off, CIDRs ``0.0.0.0/0``; no Secrets
encryption and no control-plane logs unless configured; the EKS API's
``authentication_mode`` default ``CONFIG_MAP`` when ``access_config`` does not set one
(EKS API reference, ``CreateAccessConfigRequest``); creator admin bootstrap ``true``
when ``access_config`` is absent but ``false`` when the block is present without it
(the provider sends Go's zero value); managed node groups ``t3.medium``.

A launch template is a :class:`~eksguard.model.NodeGroup` of its own carrying the AMI
and max-pods facts (``managed`` is true when an ``aws_eks_node_group`` in the same
module uses it); the node group that uses it records ``launch_template`` (its
address) rather than a copy, so one fact is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from eksguard.adapters import Sink
from eksguard.adapters.terraform.values import (
    Body,
    Decl,
    embedded_object,
    eks_bootstrap,
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
    IamRole,
    NodeGroup,
    PodIdentityAssociation,
    Setting,
    version_text,
)
from eksguard.yaml_loader import YMap, YSeq

ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
_INDEX = re.compile(r"\[[^\]]*\]$")


class Declarations:
    """The declarations of one Terraform module (an HCL folder or a plan module)."""

    def __init__(self, decls: list[Decl]):
        self.decls = decls
        self._by_address = {d.address: d for d in decls}
        self._by_type: dict[str, list[Decl]] = {}
        for d in decls:
            self._by_type.setdefault(d.type, []).append(d)

    def find(self, address: str) -> Decl | None:
        return self._by_address.get(address)

    def of_type(self, type_: str) -> list[Decl]:
        return self._by_type.get(type_, [])


def _ref_parts(body: Body, key: str) -> list[str]:
    """The traversal an unknown attribute names (``aws_eks_cluster.this.name`` -> parts)."""
    expr = body.expr(key)
    if expr is None or not expr.ref:
        return []
    return [_INDEX.sub("", p) for p in expr.ref.split(".")]


def referenced(body: Body, key: str, decls: Declarations, type_: str) -> Decl | None:
    """The declaration of type ``type_`` that ``body[key]`` refers to (same module)."""
    parts = _ref_parts(body, key)
    if len(parts) >= 2 and parts[0] == type_:
        return decls.find(f"{type_}.{parts[1]}")
    if len(parts) >= 3 and parts[0] == "data" and parts[1] == type_:
        return decls.find(f"data.{type_}.{parts[2]}")
    return None


def cluster_name(body: Body, key: str, decls: Declarations) -> str | None:
    """The cluster a resource belongs to: the literal name, or the name of the
    ``aws_eks_cluster``/EKS module it references, or that declaration's address."""
    value = body.get(key)
    if isinstance(value, str):
        return str(value)
    parts = _ref_parts(body, key)
    if len(parts) >= 2 and parts[0] == "aws_eks_cluster":
        target = decls.find(f"aws_eks_cluster.{parts[1]}")
        name = target.read().get("name") if target is not None else None
        return str(name) if isinstance(name, str) else f"aws_eks_cluster.{parts[1]}"
    if len(parts) >= 3 and parts[0] == "module":
        target = decls.find(f"module.{parts[1]}")
        if target is not None:
            read = target.read()
            for input_name in ("cluster_name", "name"):
                if isinstance(read.get(input_name), str):
                    return str(read.get(input_name))
        return f"module.{parts[1]}"
    return None


def _display(body: Body, key: str, decl: Decl) -> str:
    value = body.get(key)
    return str(value) if isinstance(value, str) else decl.address


# -- aws_eks_cluster ------------------------------------------------------------------------
def cluster(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    obj = Cluster(_display(body, "name", decl), decl.origin, decl.location)
    body.put(obj, "version", "version", convert=version_text)
    access = body.block("access_config")
    generated = body.dynamic("access_config")
    if access is None and generated is not None:
        obj.set("authentication_mode", UNKNOWN, generated)
        obj.set("bootstrap_cluster_creator_admin_permissions", UNKNOWN, generated)
    elif access is None:
        obj.set("authentication_mode", "CONFIG_MAP", obj.location, default=True)
        obj.set("bootstrap_cluster_creator_admin_permissions", True, obj.location, default=True)
    else:
        access.put(obj, "authentication_mode", "authentication_mode", default="CONFIG_MAP", convert=upper)
        if not access.put(obj, "bootstrap_cluster_creator_admin_permissions", "bootstrap_cluster_creator_admin_permissions"):
            # The block is there without the attribute: the provider sends false.
            obj.set("bootstrap_cluster_creator_admin_permissions", False, access.here, default=True)
    vpc = body.block("vpc_config")
    generated = body.dynamic("vpc_config")
    if vpc is None and generated is not None:
        for key in ("endpoint_public_access", "endpoint_private_access", "public_access_cidrs"):
            obj.set(key, UNKNOWN, generated)
    else:
        vpc = vpc or Body(YMap(), decl.origin, decl.mark)
        vpc.put(obj, "endpoint_public_access", "endpoint_public_access", default=True)
        vpc.put(obj, "endpoint_private_access", "endpoint_private_access", default=False)
        vpc.put(obj, "public_access_cidrs", "public_access_cidrs", default=["0.0.0.0/0"], convert=string_list)
    encryption = body.block("encryption_config")
    generated = body.dynamic("encryption_config")
    if encryption is None and generated is not None:
        obj.set("secrets_encryption", UNKNOWN, generated)
    elif encryption is not None:
        provider = encryption.block("provider")
        where = provider.at("key_arn") if provider is not None and provider.has("key_arn") else encryption.here
        obj.set("secrets_encryption", True, where)
    else:
        obj.set("secrets_encryption", False, obj.location, default=True)
    body.put(obj, "log_types", "enabled_cluster_log_types", default=[], convert=string_list)
    compute = body.block("compute_config")
    if compute is not None and compute.has("enabled"):
        compute.put(obj, "auto_mode", "enabled")
    elif compute is None and body.dynamic("compute_config") is not None:
        obj.set("auto_mode", UNKNOWN, body.dynamic("compute_config"))
    else:
        obj.set("auto_mode", False, obj.location, default=True)
    upgrade = body.block("upgrade_policy")
    if upgrade is not None:
        upgrade.put(obj, "support_type", "support_type", convert=upper)
    sink.add(obj)


# -- aws_eks_addon --------------------------------------------------------------------------
def addon(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    name = body.get("addon_name")
    obj = Addon(str(name) if isinstance(name, str) else decl.address, decl.origin, decl.location,
                cluster=cluster_name(body, "cluster_name", decls))
    body.put(obj, "version", "addon_version", convert=version_text)
    if body.has("resolve_conflicts"):  # deprecated in provider v5, removed in v6: both phases
        body.put(obj, "resolve_conflicts_on_create", "resolve_conflicts", convert=upper)
        body.put(obj, "resolve_conflicts_on_update", "resolve_conflicts", convert=upper)
    body.put(obj, "resolve_conflicts_on_create", "resolve_conflicts_on_create", convert=upper)
    body.put(obj, "resolve_conflicts_on_update", "resolve_conflicts_on_update", convert=upper)
    if body.has("configuration_values"):
        where = body.at("configuration_values")
        obj.set("configuration_values", embedded_object(body.get("configuration_values"), body.expr("configuration_values"),
                                                        where, sink, "add-on configuration_values"), where)
    body.put(obj, "service_account_role_arn", "service_account_role_arn")
    generated = body.dynamic("pod_identity_association")
    if generated is not None:
        obj.set("pod_identity_associations", UNKNOWN, generated)
    for assoc in body.blocks("pod_identity_association"):
        pia = pod_identity_from(assoc, "kube-system", obj.cluster, decl, sink, decls)
        obj.pod_identity_associations.append(pia)
    sink.add(obj)


def role_ref(body: Body, key: str, pia: PodIdentityAssociation, decls: Declarations) -> None:
    """``role_ref``: the :class:`IamRole` (by the name :func:`iam_role` gives it) that an
    ARN attribute references when the role is declared in the same module."""
    role = referenced(body, key, decls, "aws_iam_role")
    if role is not None:
        pia.set("role_ref", _display(role.read(), "name", role), body.at(key))


def pod_identity_from(item: Body, namespace_default: str | None, cluster: str | None, decl: Decl,
                      sink: Sink, decls: Declarations | None = None) -> PodIdentityAssociation:
    """A Pod Identity association written inside an add-on (namespace: the add-on's)."""
    namespace = item.text("namespace") or namespace_default
    account = item.text("service_account")
    pia = PodIdentityAssociation(PodIdentityAssociation.name_for(namespace, account), decl.origin, item.here, cluster=cluster)
    if not item.put(pia, "namespace", "namespace") and namespace is not None:
        pia.set("namespace", namespace, pia.location, default=True)
    item.put(pia, "service_account", "service_account")
    item.put(pia, "role_arn", "role_arn")
    if decls is not None:
        role_ref(item, "role_arn", pia, decls)
    sink.add(pia)
    return pia


# -- aws_eks_pod_identity_association -----------------------------------------------------
def pod_identity(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    namespace, account = body.text("namespace"), body.text("service_account")
    name = f"{namespace}/{account}" if namespace and account else decl.address
    pia = PodIdentityAssociation(name, decl.origin, decl.location, cluster=cluster_name(body, "cluster_name", decls))
    body.put(pia, "namespace", "namespace")
    body.put(pia, "service_account", "service_account")
    body.put(pia, "role_arn", "role_arn")
    role_ref(body, "role_arn", pia, decls)
    body.put(pia, "target_role_arn", "target_role_arn")
    body.put(pia, "disable_session_tags", "disable_session_tags")
    sink.add(pia)


# -- access entries -------------------------------------------------------------------------
def _same_principal(entry_decl: Decl, assoc: Body, decls: Declarations) -> bool:
    parts = _ref_parts(assoc, "principal_arn")
    if len(parts) >= 3 and parts[0] == "aws_eks_access_entry":
        return f"aws_eks_access_entry.{parts[1]}" == entry_decl.address and parts[2] == "principal_arn"
    principal = assoc.get("principal_arn")
    entry_principal = entry_decl.read().get("principal_arn")
    if isinstance(principal, str) and isinstance(entry_principal, str):
        return str(principal) == str(entry_principal)
    entry_expr = entry_decl.read().expr("principal_arn")
    assoc_expr = assoc.expr("principal_arn")
    return entry_expr is not None and assoc_expr is not None and entry_expr.text == assoc_expr.text


def _same_cluster(a: Body, b: Body, decls: Declarations) -> bool:
    first, second = cluster_name(a, "cluster_name", decls), cluster_name(b, "cluster_name", decls)
    return first is None or second is None or first == second


def policy_from(assoc: Body) -> AccessPolicy:
    scope = assoc.block("access_scope")
    return AccessPolicy(
        policy_arn=Setting(plain(assoc.get("policy_arn", UNKNOWN)), assoc.at("policy_arn")),
        scope_type=Setting(plain(scope.get("type", UNKNOWN)), scope.at("type")) if scope is not None and scope.has("type") else None,
        namespaces=Setting(string_list(scope.get("namespaces")), scope.at("namespaces"))
        if scope is not None and scope.has("namespaces") else None,
    )


def access_entry(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    entry = AccessEntry(_display(body, "principal_arn", decl), decl.origin, decl.location,
                        cluster=cluster_name(body, "cluster_name", decls))
    body.put(entry, "principal_arn", "principal_arn")
    body.put(entry, "type", "type", default="STANDARD", convert=upper)
    body.put(entry, "kubernetes_groups", "kubernetes_groups", convert=string_list)
    for assoc_decl in decls.of_type("aws_eks_access_policy_association"):
        assoc = assoc_decl.read()
        if _same_principal(decl, assoc, decls) and _same_cluster(body, assoc, decls):
            entry.policies.append(policy_from(assoc))
    sink.add(entry)


def access_policy_association(decl: Decl, decls: Declarations, sink: Sink) -> None:
    """Attached to the access entry of the same principal and cluster when one is
    declared in the module (see :func:`access_entry`); otherwise an entry of its own,
    so a policy given to a principal whose entry lives elsewhere is not lost."""
    body = decl.read()
    for entry_decl in decls.of_type("aws_eks_access_entry"):
        if _same_principal(entry_decl, body, decls) and _same_cluster(entry_decl.read(), body, decls):
            return
    entry = AccessEntry(_display(body, "principal_arn", decl), decl.origin, decl.location,
                        cluster=cluster_name(body, "cluster_name", decls))
    body.put(entry, "principal_arn", "principal_arn")
    entry.policies.append(policy_from(body))
    sink.add(entry)


# -- node groups and launch templates ------------------------------------------------------
def node_group(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    name = body.get("node_group_name") or body.get("node_group_name_prefix")
    group = NodeGroup(str(name) if isinstance(name, str) else decl.address, decl.origin, decl.location,
                      cluster=cluster_name(body, "cluster_name", decls))
    group.set("managed", True, group.location)
    body.put(group, "instance_types", "instance_types", default=["t3.medium"], convert=string_list)
    body.put(group, "ami_type", "ami_type")
    body.put(group, "capacity_type", "capacity_type", default="ON_DEMAND", convert=upper)
    body.put(group, "node_role", "node_role_arn")
    template = body.block("launch_template")
    if template is None and body.dynamic("launch_template") is not None:
        group.set("launch_template", UNKNOWN, body.dynamic("launch_template"))
    if template is not None:
        target = None
        for key in ("id", "name"):
            target = target or referenced(template, key, decls, "aws_launch_template")
        key = "id" if template.has("id") else "name"
        if target is not None:
            group.set("launch_template", target.address, template.at(key))
        elif template.has(key):
            group.set("launch_template", plain(template.get(key)), template.at(key))
    sink.add(group)


def _uses_template(group: Decl, template: Decl, decls: Declarations) -> bool:
    block = group.read().block("launch_template")
    if block is None:
        return False
    return any(referenced(block, key, decls, "aws_launch_template") is template for key in ("id", "name"))


def launch_template(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    group = NodeGroup(decl.address, decl.origin, decl.location)
    if any(_uses_template(g, decl, decls) for g in decls.of_type("aws_eks_node_group")):
        group.set("managed", True, group.location)
    image = body.get("image_id")
    if body.has("image_id") and image != "":
        group.set("custom_ami", True, body.at("image_id"))
    else:
        group.set("custom_ami", False, group.location, default=True)
    if body.has("instance_type"):
        value = body.get("instance_type")
        group.set("instance_types", [str(value)] if isinstance(value, str) else UNKNOWN, body.at("instance_type"))
    if body.has("user_data"):
        found = max_pods(body.get("user_data"), body.expr("user_data"), body.at("user_data"))
        if found is not None:
            group.set("max_pods", found[0], found[1])
        joins = eks_bootstrap(body.get("user_data"), body.expr("user_data"))
        group.set("eks_bootstrap", UNKNOWN if joins is None else joins, body.at("user_data"))
    sink.add(group)


# -- IAM roles ------------------------------------------------------------------------------
def iam_role(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    role = IamRole(_display(body, "name", decl), decl.origin, decl.location)
    if body.has("assume_role_policy"):
        where = body.at("assume_role_policy")
        document = referenced(body, "assume_role_policy", decls, "aws_iam_policy_document")
        if document is not None:
            role.set("trust_policy", plain(policy_document(document)), where)
        else:
            role.set("trust_policy", embedded_object(body.get("assume_role_policy"), body.expr("assume_role_policy"),
                                                     where, sink, "assume_role_policy"), where)
    body.put(role, "arn", "arn")
    sink.add(role)


def _node(mark, items: dict) -> YMap:
    out = YMap()
    out.mark = mark
    for key, (value, key_mark) in items.items():
        out.put(key, value, key_mark, key_mark)
    return out


def policy_document(decl: Decl) -> object:
    """A ``data "aws_iam_policy_document"`` as the JSON policy it renders (statement
    blocks to ``Statement``; ``principals``/``condition`` blocks grouped the way the
    provider does), positioned at the HCL that wrote each part."""
    body = decl.read()
    statements = YSeq()
    statements.mark = body.key_mark("statement")
    for stmt in body.blocks("statement"):
        items: dict = {"Effect": (stmt.get("effect", "Allow"), stmt.key_mark("effect") if stmt.has("effect") else stmt.mark)}
        if stmt.has("sid"):
            items["Sid"] = (stmt.get("sid"), stmt.key_mark("sid"))
        for attr, key in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource")):
            if stmt.has(attr):
                items[key] = (stmt.get(attr), stmt.key_mark(attr))
        for block_name, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            found = stmt.blocks(block_name)
            if found:
                grouped: dict = {}
                for principal in found:
                    kind = principal.get("type")
                    ids = principal.get("identifiers")
                    if isinstance(kind, str):
                        seq = grouped.setdefault(str(kind), (YSeq(), principal.mark))[0]
                        for identifier in ids if isinstance(ids, list) else [ids]:
                            seq.append_marked(identifier, principal.mark)
                items[key] = (_node(found[0].mark, grouped), stmt.key_mark(block_name))
        conditions = stmt.blocks("condition")
        if conditions:
            grouped = {}
            for cond in conditions:
                test, variable = cond.get("test"), cond.get("variable")
                if isinstance(test, str):
                    entry = grouped.setdefault(str(test), (YMap(), cond.mark))[0]
                    entry.put(variable if isinstance(variable, str) else "<unknown>", cond.get("values"), cond.mark,
                              cond.key_mark("values") if cond.has("values") else cond.mark)
            items["Condition"] = (_node(conditions[0].mark, grouped), stmt.key_mark("condition"))
        statements.append_marked(_node(stmt.mark, items), stmt.mark)
    return _node(decl.mark, {"Version": ("2012-10-17", decl.mark), "Statement": (statements, statements.mark)})


MAPPERS: dict[str, Callable[[Decl, Declarations, Sink], None]] = {
    "aws_eks_cluster": cluster,
    "aws_eks_addon": addon,
    "aws_eks_pod_identity_association": pod_identity,
    "aws_eks_access_entry": access_entry,
    "aws_eks_access_policy_association": access_policy_association,
    "aws_eks_node_group": node_group,
    "aws_launch_template": launch_template,
    "aws_iam_role": iam_role,
}

