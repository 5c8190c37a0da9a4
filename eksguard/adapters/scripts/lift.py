"""``aws eks …`` lifted into the model (``kubectl set env`` is in :mod:`.kubectl`).

A command becomes the same objects its eksctl or Terraform twin would: an
``update-addon --resolve-conflicts OVERWRITE`` is an :class:`Addon` whose
``resolve_conflicts_on_update`` is ``OVERWRITE``, located at the value token. Commands
that change an existing cluster (``update-cluster-config``, ``update-cluster-version``)
give a :class:`Cluster` carrying only the settings they change; ``create-cluster``
also records the EKS API's defaults for what it leaves out (``default=True``, at the
command): authentication mode ``CONFIG_MAP``, creator admin on, public endpoint
open to ``0.0.0.0/0``, no Secrets encryption, no control-plane logs.

``update-cluster-config --logging`` only switches the log types it names, so it sets
``log_types`` only when it names all five; otherwise it records the partial change as
``log_types_enabled`` / ``log_types_disabled``.
"""

from __future__ import annotations

from eksguard.adapters.eksctl import parse_configuration_values
from eksguard.adapters.scripts.interpret import Arg, Context
from eksguard.adapters.scripts.shorthand import (
    ShorthandError,
    as_bool,
    as_list,
    has_unknown,
    parse_list,
    parse_struct,
)
from eksguard.findings import Location
from eksguard.model import UNKNOWN, AccessEntry, AccessPolicy, Addon, Cluster, PodIdentityAssociation, Setting

ALL_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
_AWS_BOOL_GLOBALS = frozenset({"debug", "no-verify-ssl", "no-paginate", "no-sign-request", "no-cli-pager",
                               "cli-auto-prompt", "no-cli-auto-prompt"})


def _basename(arg: Arg) -> str:
    return arg.text.rsplit("/", 1)[-1]


# -- aws ---------------------------------------------------------------------------------


class Call:
    """A parsed ``aws <service> <operation> --opt value …`` command."""

    def __init__(self, args: list[Arg]):
        self.head = args[0]
        self.positional: list[Arg] = []
        self.options: dict[str, list[Arg]] = {}
        i = 1
        while i < len(args):
            arg = args[i]
            if arg.text.startswith("--") and len(arg.text) > 2:
                eq = arg.text.find("=")
                if eq > 0:
                    self.options[arg.text[2:eq]] = [arg.tail(eq + 1)]
                    i += 1
                    continue
                name = arg.text[2:]
                j = i + 1
                if name in _AWS_BOOL_GLOBALS:
                    pass
                elif len(self.positional) < 2:  # global option before the operation: one value
                    j = min(i + 2, len(args)) if i + 1 < len(args) and not args[i + 1].text.startswith("--") else j
                else:
                    while j < len(args) and not args[j].text.startswith("--"):
                        j += 1
                self.options[name] = args[i + 1 : j]
                i = j
                continue
            self.positional.append(arg)
            i += 1

    @property
    def service(self) -> str | None:
        return self.positional[0].text if self.positional else None

    @property
    def operation(self) -> str | None:
        return self.positional[1].text if len(self.positional) > 1 else None

    def arg(self, name: str) -> Arg | None:
        values = self.options.get(name)
        return values[0] if values else None

    def text(self, name: str) -> str | None:
        arg = self.arg(name)
        value = arg.value if arg is not None else None
        return value if isinstance(value, str) else None


def would_lift(args: list[Arg]) -> bool:
    """True when ``args`` (possibly cut short) start a command this module lifts."""
    name = _basename(args[0])
    if name == "aws":
        call = Call(args)
        return call.service == "eks" and (call.operation is None or call.operation in _EKS)
    if name == "kubectl":
        from eksguard.adapters.scripts.kubectl import is_set_env

        return is_set_env(args)
    return False


def lift(args: list[Arg], ctx: Context) -> None:
    name = _basename(args[0])
    if name == "aws":
        call = Call(args)
        handler = _EKS.get(call.operation or "") if call.service == "eks" else None
        if handler is not None:
            handler(call, ctx)
    elif name == "kubectl":
        from eksguard.adapters.scripts.kubectl import set_env

        set_env(args, ctx)


def _put(obj, key: str, call: Call, option: str, ctx: Context, convert=lambda v: v) -> None:
    arg = call.arg(option)
    if arg is not None:
        value = arg.value
        obj.set(key, convert(value) if value is not UNKNOWN else UNKNOWN, ctx.loc(arg))


def _addon(on: str):
    def handler(call: Call, ctx: Context) -> None:
        addon = Addon(call.text("addon-name"), ctx.origin, ctx.loc(call.head), cluster=call.text("cluster-name"))
        addon.set("operation", "create" if on == "resolve_conflicts_on_create" else "update", addon.location)
        _put(addon, "version", call, "addon-version", ctx)
        _put(addon, on, call, "resolve-conflicts", ctx, str.upper)
        _put(addon, "service_account_role_arn", call, "service-account-role-arn", ctx)
        values = call.arg("configuration-values")
        if values is not None:
            where = ctx.loc(values)
            raw = values.value
            addon.set("configuration_values",
                      UNKNOWN if raw is UNKNOWN else parse_configuration_values(raw, where, ctx.sink), where)
        namespace, namespace_at = "kube-system", None
        config = _struct(call.arg("namespace-config"))
        if config is not None and isinstance(config.get("namespace", (None,))[0], str):
            namespace, namespace_at = config["namespace"][0], call.arg("namespace-config")
        for arg in call.options.get("pod-identity-associations", []):
            items = _items(arg)
            for item in items or []:
                if isinstance(item, dict):
                    pia = _pod_identity(ctx, arg, addon.cluster, namespace, namespace_at,
                                        item.get("serviceAccount"), item.get("roleArn"))
                    addon.pod_identity_associations.append(pia)
        ctx.sink.add(addon)

    return handler


def _struct(arg: Arg | None) -> dict[str, tuple[object, int]] | None:
    """A structure option, or None when absent, unknown or unreadable."""
    if arg is None or arg.value is UNKNOWN:
        return None
    try:
        parsed = parse_struct(arg.text)
    except ShorthandError:
        return None
    return None if has_unknown({k: v for k, (v, _) in parsed.items()}) else parsed


def _items(arg: Arg) -> list | None:
    if arg.value is UNKNOWN:
        return None
    try:
        items = parse_list(arg.text)
    except ShorthandError:
        return None
    return None if has_unknown(items) else items


def _pod_identity(ctx: Context, arg: Arg, cluster, namespace, namespace_at, account, role) -> PodIdentityAssociation:
    account = account if isinstance(account, str) else None
    pia = PodIdentityAssociation(PodIdentityAssociation.name_for(namespace, account), ctx.origin, ctx.loc(arg), cluster=cluster)
    pia.set("namespace", namespace, ctx.loc(namespace_at) if namespace_at else pia.location,
            default=namespace_at is None)
    if account is not None:
        pia.set("service_account", account, ctx.loc(arg))
    if isinstance(role, str):
        pia.set("role_arn", role, ctx.loc(arg))
    ctx.sink.add(pia)
    return pia


def _at(ctx: Context, arg: Arg, index: int) -> Location:
    return ctx.at(arg.offset_of(index))


def _cluster_settings(cluster: Cluster, call: Call, ctx: Context, create: bool) -> None:
    """``--access-config``, ``--resources-vpc-config``, ``--logging``, ``--upgrade-policy``."""
    fields = {
        "access-config": {"authenticationMode": ("authentication_mode", str),
                          "bootstrapClusterCreatorAdminPermissions": ("bootstrap_cluster_creator_admin_permissions", as_bool)},
        "resources-vpc-config": {"endpointPublicAccess": ("endpoint_public_access", as_bool),
                                 "endpointPrivateAccess": ("endpoint_private_access", as_bool),
                                 "publicAccessCidrs": ("public_access_cidrs", as_list)},
        "upgrade-policy": {"supportType": ("support_type", str)},
        "compute-config": {"enabled": ("auto_mode", as_bool)},
    }
    for option, keys in fields.items():
        arg = call.arg(option)
        if arg is None:
            continue
        parsed = _struct(arg)
        if parsed is None:  # unknown or unreadable: what it sets cannot be told
            for key, _ in keys.values():
                cluster.set(key, UNKNOWN, ctx.loc(arg))
            continue
        for field, (key, convert) in keys.items():
            if field in parsed:
                value, index = parsed[field]
                cluster.set(key, convert(value), _at(ctx, arg, index))
    logging = call.arg("logging")
    if logging is not None:
        parsed = _struct(logging)
        entries = parsed.get("clusterLogging", (None, 0)) if parsed else (None, 0)
        if not isinstance(entries[0], list):
            cluster.set("log_types", UNKNOWN, ctx.loc(logging))
        else:
            enabled, disabled = [], []
            for entry in entries[0]:
                if isinstance(entry, dict):
                    types = [t for t in as_list(entry.get("types", [])) if isinstance(t, str)]
                    (enabled if as_bool(entry.get("enabled")) is True else disabled).extend(types)
            where = _at(ctx, logging, entries[1])
            if create or set(enabled) | set(disabled) >= set(ALL_LOG_TYPES):
                cluster.set("log_types", [t for t in ALL_LOG_TYPES if t in enabled], where)
            else:
                cluster.set("log_types_enabled", enabled, where)
                cluster.set("log_types_disabled", disabled, where)


def _create_cluster(call: Call, ctx: Context) -> None:
    cluster = Cluster(call.text("name"), ctx.origin, ctx.loc(call.head))
    _put(cluster, "version", call, "kubernetes-version", ctx)
    _cluster_settings(cluster, call, ctx, create=True)
    encryption = call.arg("encryption-config")
    if encryption is not None:
        items = _items(encryption)
        if items is None:
            cluster.set("secrets_encryption", UNKNOWN, ctx.loc(encryption))
        else:
            secrets = any(isinstance(i, dict) and "secrets" in as_list(i.get("resources", []))
                          and isinstance(i.get("provider"), dict) and i["provider"].get("keyArn") for i in items)
            cluster.set("secrets_encryption", secrets, ctx.loc(encryption))
    here = cluster.location
    for key, default in (("authentication_mode", "CONFIG_MAP"), ("bootstrap_cluster_creator_admin_permissions", True),
                         ("endpoint_public_access", True), ("endpoint_private_access", False),
                         ("public_access_cidrs", ["0.0.0.0/0"]), ("secrets_encryption", False), ("log_types", []),
                         ("auto_mode", False)):
        if cluster.setting(key) is None:
            cluster.set(key, default, here, default=True)
    ctx.sink.add(cluster)


def _update_cluster_config(call: Call, ctx: Context) -> None:
    cluster = Cluster(call.text("name"), ctx.origin, ctx.loc(call.head))
    _cluster_settings(cluster, call, ctx, create=False)
    ctx.sink.add(cluster)


def _update_cluster_version(call: Call, ctx: Context) -> None:
    cluster = Cluster(call.text("name"), ctx.origin, ctx.loc(call.head))
    _put(cluster, "version", call, "kubernetes-version", ctx)
    ctx.sink.add(cluster)


def _access_entry(ctx: Context, cluster: str | None, principal: str | None, where: Location) -> AccessEntry:
    entries = ctx.registry.setdefault("access_entries", {})
    entry = entries.get((cluster, principal)) if principal else None
    if entry is None:
        entry = AccessEntry(principal, ctx.origin, where, cluster=cluster)
        if principal:
            entries[(cluster, principal)] = entry
        ctx.sink.add(entry)
    return entry


def _create_access_entry(call: Call, ctx: Context) -> None:
    entry = _access_entry(ctx, call.text("cluster-name"), call.text("principal-arn"), ctx.loc(call.head))
    _put(entry, "principal_arn", call, "principal-arn", ctx)
    _put(entry, "type", call, "type", ctx, str.upper)
    if entry.setting("type") is None:
        entry.set("type", "STANDARD", ctx.loc(call.head), default=True)
    groups = call.options.get("kubernetes-groups")
    if groups:
        values = [a.value for a in groups]
        entry.set("kubernetes_groups", UNKNOWN if UNKNOWN in values else values, ctx.loc(groups[0]))


def _associate_access_policy(call: Call, ctx: Context) -> None:
    entry = _access_entry(ctx, call.text("cluster-name"), call.text("principal-arn"), ctx.loc(call.head))
    if entry.setting("principal_arn") is None:
        _put(entry, "principal_arn", call, "principal-arn", ctx)
    policy_arg = call.arg("policy-arn")
    policy = AccessPolicy(Setting(policy_arg.value, ctx.loc(policy_arg)) if policy_arg
                          else Setting(UNKNOWN, ctx.loc(call.head)))
    scope = call.arg("access-scope")
    if scope is not None:
        parsed = _struct(scope)
        if parsed is None:
            policy.scope_type = Setting(UNKNOWN, ctx.loc(scope))
        else:
            if "type" in parsed:
                value, index = parsed["type"]
                policy.scope_type = Setting(value, _at(ctx, scope, index))
            if "namespaces" in parsed:
                value, index = parsed["namespaces"]
                policy.namespaces = Setting(as_list(value), _at(ctx, scope, index))
    entry.policies.append(policy)


def _create_pod_identity_association(call: Call, ctx: Context) -> None:
    namespace, account = call.text("namespace"), call.text("service-account")
    pia = PodIdentityAssociation(PodIdentityAssociation.name_for(namespace, account), ctx.origin, ctx.loc(call.head),
                                 cluster=call.text("cluster-name"))
    _put(pia, "namespace", call, "namespace", ctx)
    _put(pia, "service_account", call, "service-account", ctx)
    _put(pia, "role_arn", call, "role-arn", ctx)
    ctx.sink.add(pia)


_EKS = {
    "create-addon": _addon("resolve_conflicts_on_create"),
    "update-addon": _addon("resolve_conflicts_on_update"),
    "create-cluster": _create_cluster,
    "update-cluster-config": _update_cluster_config,
    "update-cluster-version": _update_cluster_version,
    "create-access-entry": _create_access_entry,
    "associate-access-policy": _associate_access_policy,
    "create-pod-identity-association": _create_pod_identity_association,
}
