"""eksctl ClusterConfig (``eksctl.io/v1alpha5``) lifted into the platform model.

The YAML adapter hands every ``kind: ClusterConfig`` document here (classification by
content, not by file name). Field names and defaults follow eksctl's schema and
``defaults.go`` (see ../shared/FACTS.md section 2): authentication mode
``API_AND_CONFIG_MAP``, public endpoint on with ``0.0.0.0/0``, private endpoint off,
no Secrets encryption, no control-plane logs. Defaults are recorded with
``default=True`` at the ClusterConfig's ``kind:`` line.
"""

from __future__ import annotations

import json

from eksguard.adapters import Sink
from eksguard.findings import Location
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
    text,
    version_text,
)
from eksguard.adapters.userdata import max_pods_in
from eksguard.yaml_loader import YamlProblem, YMap, load_documents, locate

ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


class _Node:
    """A mapping of the config with its origin, for terse, position-keeping reads."""

    def __init__(self, body: object, origin: Origin):
        self.body = body if isinstance(body, dict) else {}
        self.origin = origin

    def get(self, *path: str | int) -> object:
        node: object = self.body
        for key in path:
            if isinstance(node, dict) and not isinstance(key, int) and key in node:
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                node = node[key]
            else:
                return None
        return node

    def at(self, *path: str | int) -> Location:
        mark, _ = locate(self.body, tuple(path))
        return self.origin.at(mark)

    def has(self, *path: str | int) -> bool:
        return locate(self.body, tuple(path))[1]

    def child(self, *path: str | int) -> "_Node":
        return _Node(self.get(*path), self.origin)

    def items(self, *path: str | int) -> list["_Node"]:
        value = self.get(*path)
        return [_Node(v, self.origin) for v in value] if isinstance(value, list) else []

    @property
    def mark_location(self) -> Location:
        return self.origin.at(getattr(self.body, "mark", (1, 1)))


def lift_cluster_config(body: YMap, origin: Origin, sink: Sink) -> None:
    config = _Node(body, origin)
    name = text(config.get("metadata", "name"))
    cluster = Cluster(name, origin, config.at("kind"))
    here = cluster.location

    def put(key: str, path: tuple, value: object = None, default: object = None) -> None:
        if config.has(*path):
            cluster.set(key, config.get(*path) if value is None else value, config.at(*path))
        elif default is not None:
            cluster.set(key, default, here, default=True)

    if config.has("metadata", "version"):
        cluster.set("version", version_text(config.get("metadata", "version")), config.at("metadata", "version"))
    put("authentication_mode", ("accessConfig", "authenticationMode"), default="API_AND_CONFIG_MAP")
    put("bootstrap_cluster_creator_admin_permissions", ("accessConfig", "bootstrapClusterCreatorAdminPermissions"), default=True)
    put("endpoint_public_access", ("vpc", "clusterEndpoints", "publicAccess"), default=True)
    put("endpoint_private_access", ("vpc", "clusterEndpoints", "privateAccess"), default=False)
    put("public_access_cidrs", ("vpc", "publicAccessCIDRs"), default=["0.0.0.0/0"])
    if config.has("secretsEncryption", "keyARN"):
        cluster.set("secrets_encryption", True, config.at("secretsEncryption", "keyARN"))
    else:
        cluster.set("secrets_encryption", False, here, default=True)
    types = config.get("cloudWatch", "clusterLogging", "enableTypes")
    if isinstance(types, list):
        wanted = [t for t in types if isinstance(t, str)]
        if "all" in wanted or "*" in wanted:
            wanted = list(ALL_LOG_TYPES)
        cluster.set("log_types", wanted, config.at("cloudWatch", "clusterLogging", "enableTypes"))
    else:
        cluster.set("log_types", [], here, default=True)
    put("auto_mode", ("autoModeConfig", "enabled"), default=False)
    put("support_type", ("upgradePolicy", "supportType"), default="EXTENDED")
    if config.has("iamIdentityMappings"):
        cluster.set("aws_auth_mappings", config.get("iamIdentityMappings"), config.at("iamIdentityMappings"))
    sink.add(cluster)

    for index, item in enumerate(config.items("addons")):
        _addon(item, config, ("addons", index), name, origin, sink)
    for index, item in enumerate(config.items("accessConfig", "accessEntries")):
        _access_entry(item, config, ("accessConfig", "accessEntries", index), name, origin, sink)
    for index, item in enumerate(config.items("iam", "podIdentityAssociations")):
        _pod_identity(item, config, ("iam", "podIdentityAssociations", index), name, origin, sink)
    for index, item in enumerate(config.items("iam", "serviceAccounts")):
        _irsa_service_account(item, config, ("iam", "serviceAccounts", index), origin, sink)
    for group_key, managed in (("managedNodeGroups", True), ("nodeGroups", False)):
        for index, item in enumerate(config.items(group_key)):
            _node_group(item, config, (group_key, index), managed, name, origin, sink)


def _addon(item: _Node, config: _Node, path: tuple, cluster: str | None, origin: Origin, sink: Sink) -> None:
    addon = Addon(text(item.get("name")), origin, config.at(*path), cluster=cluster)
    if item.has("version"):
        addon.set("version", version_text(item.get("version")), config.at(*path, "version"))
    resolve = item.get("resolveConflicts")
    if item.has("resolveConflicts"):
        value = resolve.upper() if isinstance(resolve, str) else resolve
        where = config.at(*path, "resolveConflicts")
        addon.set("resolve_conflicts_on_create", value, where)
        addon.set("resolve_conflicts_on_update", value, where)
    if item.has("configurationValues"):
        where = config.at(*path, "configurationValues")
        addon.set("configuration_values", parse_configuration_values(item.get("configurationValues"), where, sink), where)
    if item.has("serviceAccountRoleARN"):
        addon.set("service_account_role_arn", item.get("serviceAccountRoleARN"), config.at(*path, "serviceAccountRoleARN"))
    for index, assoc in enumerate(item.items("podIdentityAssociations")):
        pia = _pod_identity(assoc, config, (*path, "podIdentityAssociations", index), cluster, origin, sink,
                            default_namespace=text(item.get("namespaceConfig", "namespace")) or "kube-system")
        addon.pod_identity_associations.append(pia)
    _addon_iam_by_eksctl(item, config, path, addon)
    sink.add(addon)


#: Add-ons for which eksctl attaches recommended IRSA policies when none are given
#: (``setRecommendedPoliciesForIRSA``, ``pkg/actions/addon/create.go``).
_RECOMMENDED_IRSA = frozenset({"vpc-cni", "aws-ebs-csi-driver", "aws-efs-csi-driver"})
_EKSCTL_ROLE = "<role created by eksctl>"


def _addon_iam_by_eksctl(item: _Node, config: _Node, path: tuple, addon: Addon) -> None:
    """IAM that eksctl creates for an add-on on its own (``pkg/actions/addon/create.go``
    ``Create``): explicit IRSA policies with ``iam.withOIDC``; the recommended Pod Identity
    associations with ``useDefaultPodIdentityAssociations`` or
    ``addonsConfig.autoApplyPodIdentityAssociations`` (looked up at create time, so
    unknown here); otherwise the recommended IRSA policies for vpc-cni and the EBS/EFS
    CSI drivers when ``iam.withOIDC`` is on. Without OIDC eksctl only warns."""
    if item.has("serviceAccountRoleARN") or item.has("podIdentityAssociations"):
        return
    with_oidc = config.get("iam", "withOIDC") is True
    explicit = next((f for f in ("attachPolicyARNs", "attachPolicy", "wellKnownPolicies") if item.has(f)), None)
    if explicit is not None:
        if with_oidc:
            addon.set("service_account_role_arn", _EKSCTL_ROLE, config.at(*path, explicit), default=True)
        return
    auto = config.get("addonsConfig", "autoApplyPodIdentityAssociations") is True
    if item.get("useDefaultPodIdentityAssociations") is True:
        addon.set("pod_identity_associations", UNKNOWN, config.at(*path, "useDefaultPodIdentityAssociations"))
    elif auto:
        addon.set("pod_identity_associations", UNKNOWN, config.at("addonsConfig", "autoApplyPodIdentityAssociations"))
    elif with_oidc and isinstance(addon.name, str) and addon.name.lower() in _RECOMMENDED_IRSA:
        addon.set("service_account_role_arn", _EKSCTL_ROLE, config.at(*path), default=True)


def parse_configuration_values(raw: object, where: Location, sink: Sink) -> object:
    """Add-on configuration values: a JSON string (YAML accepted, as the EKS API does)."""
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        pass
    try:
        docs = load_documents(raw)
    except YamlProblem as problem:
        sink.problem("EKS001", where, f"add-on configurationValues is neither JSON nor YAML: {problem.message}")
        return None
    return docs[0].value if docs else None


def _access_entry(item: _Node, config: _Node, path: tuple, cluster: str | None, origin: Origin, sink: Sink) -> None:
    principal = text(item.get("principalARN"))
    entry = AccessEntry(principal, origin, config.at(*path), cluster=cluster)
    for key, field in (("principal_arn", "principalARN"), ("type", "type"), ("kubernetes_groups", "kubernetesGroups")):
        if item.has(field):
            entry.set(key, item.get(field), config.at(*path, field))
    if not item.has("type"):
        entry.set("type", "STANDARD", entry.location, default=True)
    for index, policy in enumerate(item.items("accessPolicies")):
        ppath = (*path, "accessPolicies", index)
        entry.policies.append(
            AccessPolicy(
                policy_arn=Setting(policy.get("policyARN"), config.at(*ppath, "policyARN")),
                scope_type=Setting(policy.get("accessScope", "type"), config.at(*ppath, "accessScope", "type"))
                if policy.has("accessScope", "type") else None,
                namespaces=Setting(policy.get("accessScope", "namespaces"), config.at(*ppath, "accessScope", "namespaces"))
                if policy.has("accessScope", "namespaces") else None,
            )
        )
    sink.add(entry)


def _pod_identity(item: _Node, config: _Node, path: tuple, cluster: str | None, origin: Origin, sink: Sink,
                  default_namespace: str | None = None) -> PodIdentityAssociation:
    namespace = text(item.get("namespace")) or default_namespace
    account = text(item.get("serviceAccountName"))
    pia = PodIdentityAssociation(PodIdentityAssociation.name_for(namespace, account), origin, config.at(*path), cluster=cluster)
    if namespace is not None:
        pia.set("namespace", namespace, config.at(*path, "namespace") if item.has("namespace") else pia.location,
                default=not item.has("namespace"))
    if item.has("serviceAccountName"):
        pia.set("service_account", account, config.at(*path, "serviceAccountName"))
    for field in ("roleARN", "roleName"):
        if item.has(field):
            pia.set("role_arn", item.get(field), config.at(*path, field))
            break
    sink.add(pia)
    return pia


def _irsa_service_account(item: _Node, config: _Node, path: tuple, origin: Origin, sink: Sink) -> None:
    """``iam.serviceAccounts[]``: eksctl creates the ServiceAccount with the IRSA annotation."""
    if item.get("roleOnly") is True:
        return  # only the role is created; the ServiceAccount is managed elsewhere
    meta = item.child("metadata")
    role = text(item.get("attachRoleARN")) or text(item.get("roleName")) or "<role created by eksctl>"
    body = YMap()
    body.mark = item.mark_location.line, item.mark_location.column
    kind_mark = (config.at(*path).line, config.at(*path).column)
    body.put("apiVersion", "v1", kind_mark)
    body.put("kind", "ServiceAccount", kind_mark)
    metadata = YMap()
    metadata.mark = kind_mark
    for key in ("name", "namespace"):
        if meta.has(key):
            where = config.at(*path, "metadata", key)
            metadata.put(key, meta.get(key), (where.line, where.column))
    annotations = YMap()
    role_key = next((k for k in ("attachRoleARN", "roleName", "attachPolicyARNs", "wellKnownPolicies", "attachPolicy")
                     if item.has(k)), None)
    where = config.at(*path, role_key) if role_key else config.at(*path)
    annotations.put("eks.amazonaws.com/role-arn", role, (where.line, where.column))
    annotations.mark = (where.line, where.column)
    metadata.put("annotations", annotations, (where.line, where.column))
    body.put("metadata", metadata, kind_mark)
    sink.add(make_object(body, origin))


def _node_group(item: _Node, config: _Node, path: tuple, managed: bool, cluster: str | None, origin: Origin,
                sink: Sink) -> None:
    group = NodeGroup(text(item.get("name")), origin, config.at(*path), cluster=cluster)
    group.set("managed", managed, group.location)
    if not managed:  # eksctl creates the EC2_LINUX/EC2_WINDOWS access entry of its nodegroups
        group.set("access_entry", True, group.location, default=True)
    types: list[str] = []
    where = group.location
    for field in (("instanceType",), ("instanceTypes",), ("instancesDistribution", "instanceTypes")):
        value = item.get(*field)
        if value is not None:
            types += [value] if isinstance(value, str) else [t for t in value if isinstance(t, str)] if isinstance(value, list) else []
            where = config.at(*path, *field)
    if types:
        group.set("instance_types", types, where)
    if item.has("amiFamily"):
        group.set("ami_type", item.get("amiFamily"), config.at(*path, "amiFamily"))
    else:
        group.set("ami_type", "AmazonLinux2023", group.location, default=True)
    ami = text(item.get("ami"))
    group.set("custom_ami", bool(ami) and ami not in ("auto", "auto-ssm"),
              config.at(*path, "ami") if item.has("ami") else group.location, default=not item.has("ami"))
    if item.has("maxPodsPerNode"):
        group.set("max_pods", item.get("maxPodsPerNode"), config.at(*path, "maxPodsPerNode"))
    elif item.has("kubeletExtraConfig", "maxPods"):  # self-managed groups may pin it here
        group.set("max_pods", item.get("kubeletExtraConfig", "maxPods"), config.at(*path, "kubeletExtraConfig", "maxPods"))
    elif isinstance(item.get("overrideBootstrapCommand"), str):
        # a custom AMI's bootstrap (``--max-pods``, a nodeadm NodeConfig), read as Terraform
        # user data is; reported at the key (block scalars do not keep their columns)
        found = max_pods_in(item.get("overrideBootstrapCommand"))
        if found is not None:
            group.set("max_pods", found[0], config.at(*path, "overrideBootstrapCommand"))
    if item.has("spot"):
        group.set("capacity_type", "SPOT" if item.get("spot") is True else "ON_DEMAND", config.at(*path, "spot"))
    if item.has("iam", "instanceRoleARN"):
        group.set("node_role", item.get("iam", "instanceRoleARN"), config.at(*path, "iam", "instanceRoleARN"))
    if item.has("overrideBootstrapCommand"):
        group.set("override_bootstrap_command", item.get("overrideBootstrapCommand"),
                  config.at(*path, "overrideBootstrapCommand"))
    sink.add(group)
