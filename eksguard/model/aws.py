"""EKS and IAM objects of the platform model, whatever format declared them.

An eksctl ClusterConfig, an ``aws_eks_cluster`` resource, the terraform-aws-modules
EKS module, a Terraform plan and an ``aws eks ...`` line in a script all become the
same objects here. Each object keeps its settings as :class:`Setting` values (the
value and the exact place it was written); a value an adapter could not resolve
(a variable without a literal default, a function call) is :data:`UNKNOWN`, and rules
stay quiet on it. A setting that was not written at all is absent: ask
``obj.setting(key)`` and get ``None``. Where a tool's default matters (the module
creates a KMS key unless told otherwise), the adapter records the default as a
setting with ``default=True`` located at the object that omits it.

Canonical setting keys per kind are listed in each class docstring; adapters map
their own field names onto these, so rules are written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from eksguard.findings import Location, ObjectRef, pickled_by_fields
from eksguard.model.base import UNRESOLVED, Origin


class _Unknown:
    """A value that exists but could not be resolved statically."""

    _instance: "_Unknown | None" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_Unknown, ())


UNKNOWN = _Unknown()


def version_text(value: object) -> object:
    """A Kubernetes version as its author wrote it. Unquoted ``1.30`` is a number in YAML
    and HCL; the loaders keep its text (``YFloat.text``) so it is not read as 1.3.
    Strings and UNKNOWN pass through."""
    if isinstance(value, float):
        return getattr(value, "text", None) or repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


_STR_KEYS = frozenset({
    "version", "authentication_mode", "support_type", "resolve_conflicts_on_create",
    "resolve_conflicts_on_update", "service_account_role_arn", "principal_arn", "type", "namespace",
    "service_account", "role_arn", "ami_type", "capacity_type", "node_role", "chart", "repository",
    "operation", "arn", "user_name",
})
_BOOL_KEYS = frozenset({
    "bootstrap_cluster_creator_admin_permissions", "endpoint_public_access", "endpoint_private_access",
    "secrets_encryption", "auto_mode", "managed", "custom_ami", "enable_cluster_creator_admin_permissions",
    "access_entry",
})
_STR_LIST_KEYS = frozenset({"public_access_cidrs", "log_types", "instance_types", "kubernetes_groups"})
_INT_KEYS = frozenset({"max_pods"})
_MAP_KEYS = frozenset({"configuration_values", "trust_policy", "values"})


def _typed(key: str, value: object) -> object:
    """``value`` if it has the type the canonical ``key`` holds, else UNKNOWN."""
    if value is None or value is UNKNOWN:
        return value
    if key in _STR_KEYS:
        ok = isinstance(value, str)
    elif key in _BOOL_KEYS:
        ok = isinstance(value, bool)
    elif key in _STR_LIST_KEYS:
        ok = isinstance(value, list) and all(isinstance(v, str) or v is UNKNOWN for v in value)
    elif key in _INT_KEYS:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif key in _MAP_KEYS:
        ok = isinstance(value, dict)
    else:
        ok = True
    return value if ok else UNKNOWN


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Setting:
    """A value and where it was written. ``default`` marks a tool default, not text."""

    value: object
    location: Location
    default: bool = False

    @property
    def known(self) -> bool:
        return self.value is not UNKNOWN


@dataclass
class AwsObject:
    """Base of the AWS-side model objects.

    ``location`` is where the object is declared (block header, list item, command);
    findings about something missing point there. ``cluster`` names the cluster it
    belongs to when the source says so (None when it cannot be told).
    """

    KIND: ClassVar[str] = ""

    name: str | None
    origin: Origin
    location: Location
    settings: dict[str, Setting] = field(default_factory=dict)
    cluster: str | None = None

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def namespace(self) -> None:
        return None

    @property
    def display_name(self) -> str:
        return self.name or "<unnamed>"

    @property
    def shown_name(self) -> str:
        return self.display_name

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.KIND, self.name, None)

    def set(self, key: str, value: object, location: Location, default: bool = False) -> None:
        """Record ``key``. A value of the wrong type for a canonical key (a mapping where
        the authentication mode goes) is recorded as UNKNOWN: rules stay quiet on it
        instead of tripping over it; the tool that reads the file will reject it anyway."""
        self.settings[key] = Setting(_typed(key, value), location, default)

    def setting(self, key: str) -> Setting | None:
        return self.settings.get(key)

    def value(self, key: str, default: object = None) -> object:
        """The known value of ``key``; ``default`` when absent or unknown."""
        found = self.settings.get(key)
        if found is None or not found.known:
            return default
        return found.value

    def location_of(self, key: str) -> Location:
        """Where ``key`` was written; the object's own location when it was not."""
        found = self.settings.get(key)
        return found.location if found is not None else self.location

    def __repr__(self) -> str:
        return f"<{self.KIND} {self.name} @ {self.location}>"


@dataclass(repr=False)
class Cluster(AwsObject):
    """An EKS cluster.

    Settings: ``version`` ("1.31"), ``authentication_mode`` (CONFIG_MAP | API |
    API_AND_CONFIG_MAP), ``bootstrap_cluster_creator_admin_permissions`` (bool),
    ``endpoint_public_access`` (bool), ``endpoint_private_access`` (bool),
    ``public_access_cidrs`` (list of str), ``secrets_encryption`` (bool: a KMS key for
    Secrets is configured), ``log_types`` (list of str), ``auto_mode`` (bool),
    ``support_type`` (STANDARD | EXTENDED).

    Identity settings (read through :mod:`eksguard.model.identity`):
    ``aws_auth_mappings`` (the aws-auth rows a tool writes, e.g. eksctl
    ``iamIdentityMappings``: a list of mappings with ``arn``/``rolearn``),
    ``enable_cluster_creator_admin_permissions`` (bool: the tool adds the creator as an
    AmazonEKSClusterAdminPolicy access entry, as the terraform-aws-modules/eks input
    does), ``access_entries`` (UNKNOWN when the tool declares access entries the adapter
    could not read, e.g. the module's ``access_entries = var.x``), ``addons`` (the same
    for add-ons: the module's ``addons = var.x``), ``account_id`` or
    ``arn`` (when the source names the cluster's account).
    """

    KIND: ClassVar[str] = "EKSCluster"


@dataclass(repr=False)
class Addon(AwsObject):
    """An EKS managed add-on (``name`` is the add-on name, e.g. ``vpc-cni``).

    Settings: ``version``, ``resolve_conflicts_on_create``,
    ``resolve_conflicts_on_update`` (values upper-cased: NONE | OVERWRITE | PRESERVE;
    the deprecated Terraform ``resolve_conflicts`` maps to both),
    ``configuration_values`` (the parsed object, e.g. ``{"env": {...}}``),
    ``service_account_role_arn``. ``pod_identity_associations`` lists the
    associations declared inside the add-on; a setting of the same name that is
    UNKNOWN says the tool declares associations the adapter could not read.
    ``operation`` (``create`` | ``update``) says which call an imperative source makes
    (``aws eks create-addon`` / ``update-addon``): an update changes only what it names.
    """

    KIND: ClassVar[str] = "EKSAddon"
    pod_identity_associations: list["PodIdentityAssociation"] = field(default_factory=list)


@dataclass(repr=False)
class AccessEntry(AwsObject):
    """An access entry (``name`` is the principal ARN).

    Settings: ``principal_arn``, ``type`` (STANDARD | EC2_LINUX | EC2_WINDOWS |
    FARGATE_LINUX | EC2 | HYBRID_LINUX), ``kubernetes_groups``. ``policies`` lists the
    access policy associations as :class:`AccessPolicy`; a ``policy_associations``
    setting that is UNKNOWN says there are associations the adapter could not read.
    """

    KIND: ClassVar[str] = "AccessEntry"
    policies: list["AccessPolicy"] = field(default_factory=list)


@dataclass
class AccessPolicy:
    """An access policy association: policy ARN and scope (``cluster`` | ``namespace``)."""

    policy_arn: Setting
    scope_type: Setting | None = None
    namespaces: Setting | None = None


@dataclass(repr=False)
class PodIdentityAssociation(AwsObject):
    """A Pod Identity association (``name``: ``namespace/serviceaccount``).

    Settings: ``namespace``, ``service_account``, ``role_arn`` (an ARN, or a role name
    where the tool creates the role), ``role_ref`` (the :class:`IamRole` name, e.g. the
    Terraform address ``aws_iam_role.app``, when the role is declared in scope and its
    ARN is only known after apply), ``target_role_arn``, ``disable_session_tags``.
    """

    KIND: ClassVar[str] = "PodIdentityAssociation"

    @staticmethod
    def name_for(namespace: object, account: object) -> str:
        """``namespace/serviceaccount``, with ``<unresolved>`` for a part that is not
        known statically (``--namespace "$1"``, a Terraform variable)."""
        def part(value: object) -> str:
            return value if isinstance(value, str) and value else UNRESOLVED

        return f"{part(namespace)}/{part(account)}"


@dataclass(repr=False)
class NodeGroup(AwsObject):
    """A node group: EKS managed, self-managed, or a launch template used by one.

    Settings: ``managed`` (bool), ``instance_types`` (list of str), ``ami_type``
    (EKS ``amiType`` or eksctl ``amiFamily``), ``custom_ami`` (bool: an explicit AMI
    id, so EKS does not compute max pods), ``max_pods`` (int), ``capacity_type``,
    ``node_role`` (ARN or name), ``access_entry`` (bool: the tool that creates the group
    also creates its node access entry, as eksctl and the module's self-managed node
    groups do), ``launch_template`` (the launch template a managed node group uses: the
    Terraform address of one declared in scope, which is then a NodeGroup of its own
    named by that address, else its id or name).
    """

    KIND: ClassVar[str] = "NodeGroup"


@dataclass(repr=False)
class IamRole(AwsObject):
    """An IAM role defined in scope (``name``: the role name or Terraform address).

    Settings: ``trust_policy`` (the parsed JSON policy document), ``arn`` when known,
    ``role_name`` when ``name`` is an address rather than the IAM role name.
    """

    KIND: ClassVar[str] = "IAMRole"


@dataclass(repr=False)
class CniSettings(AwsObject):
    """VPC CNI environment set outside Kubernetes manifests (scripts, ``kubectl set env``).

    Settings: one per environment variable name, value as a string.
    """

    KIND: ClassVar[str] = "CNISettings"


@dataclass(repr=False)
class HelmRelease(AwsObject):
    """A Helm release declared in Terraform (``helm_release``).

    Settings: ``chart``, ``repository``, ``namespace``, ``version`` (the chart
    version), ``values`` (merged parsed values), ``set`` (dict of ``name`` -> value).
    """

    KIND: ClassVar[str] = "HelmRelease"

    @property
    def chart_name(self) -> str | None:
        """The chart's own name, whatever repository prefix (``eks/x``, ``oci://.../x``)."""
        chart = self.value("chart")
        return chart.rsplit("/", 1)[-1] if isinstance(chart, str) else None


AWS_KINDS: tuple[type[AwsObject], ...] = (
    Cluster, Addon, AccessEntry, PodIdentityAssociation, NodeGroup, IamRole, CniSettings, HelmRelease,
)
