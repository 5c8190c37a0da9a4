"""The platform model: one typed view of everything a scan found, whatever its format.

Adapters add objects (:meth:`Platform.add`); rules and checks only read. Typed views
live in :mod:`eksguard.model.kubernetes`; cross-object resolution that several rules
share (for example which Ingresses an ALB serves) lives beside them in this package.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import TypeVar

from eksguard.model.aws import (
    AWS_KINDS,
    UNKNOWN,
    AccessEntry,
    AccessPolicy,
    Addon,
    AwsObject,
    Cluster,
    CniSettings,
    HelmRelease,
    IamRole,
    NodeGroup,
    PodIdentityAssociation,
    Setting,
    version_text,
)
from eksguard.model.base import CLUSTER_SCOPED, K8sObject, Origin, string_map, text
from eksguard.model.ingress import AlbBinding, AlbGroup, AlbValue, alb_binding, alb_groups
from eksguard.model.kubernetes import (
    VIEWS,
    ConfigMap,
    EC2NodeClass,
    ENIConfig,
    HorizontalPodAutoscaler,
    Ingress,
    IngressClass,
    IngressClassParams,
    LabelSelector,
    NodePool,
    PodDisruptionBudget,
    PodIndex,
    SecurityGroupPolicy,
    Service,
    ServiceAccount,
    Workload,
)

__all__ = [
    "AWS_KINDS",
    "UNKNOWN",
    "AccessEntry",
    "AccessPolicy",
    "Addon",
    "AwsObject",
    "Cluster",
    "CniSettings",
    "HelmRelease",
    "IamRole",
    "NodeGroup",
    "PodIdentityAssociation",
    "Setting",
    "version_text",
    "AlbBinding",
    "AlbGroup",
    "AlbValue",
    "CLUSTER_SCOPED",
    "ConfigMap",
    "EC2NodeClass",
    "ENIConfig",
    "HorizontalPodAutoscaler",
    "Ingress",
    "IngressClass",
    "IngressClassParams",
    "K8sObject",
    "LabelSelector",
    "NodePool",
    "Origin",
    "Platform",
    "PodDisruptionBudget",
    "PodIndex",
    "SecurityGroupPolicy",
    "Service",
    "ServiceAccount",
    "Workload",
    "alb_binding",
    "alb_groups",
    "make_object",
    "string_map",
    "text",
]

T = TypeVar("T")
_AWS_KIND_NAMES = frozenset(cls.KIND for cls in AWS_KINDS)
ModelObject = K8sObject | AwsObject


def make_object(body: dict, origin: Origin, prefix: tuple = ()) -> K8sObject:
    """Wrap a Kubernetes-shaped mapping in the typed view for its kind."""
    kind = body.get("kind")
    cls = VIEWS.get(kind, K8sObject) if isinstance(kind, str) else K8sObject
    return cls(body, origin, prefix)


class Platform:
    """Everything one ``eksguard scan`` saw: the scope every cross-object rule correlates."""

    def __init__(self) -> None:
        self.objects: list[ModelObject] = []
        self._by_kind: dict[str, list[ModelObject]] = defaultdict(list)
        #: kind -> (namespace, name) -> first such object; each kind's built on the first
        #: :meth:`find` of it after the last :meth:`add`. Most platforms are never searched
        #: by name (each source is lifted into one of its own), checks search a few kinds
        #: only, and a key costs an object its namespace and name.
        self._by_name: dict[str, dict[tuple[str | None, str | None], ModelObject]] = {}
        self._derived: dict[Hashable, object] = {}
        #: With ``scan --diff-base REF``: the platform at REF (``engine.diffbase.Base``).
        self.base = None

    def add(self, obj: ModelObject) -> None:
        self._derived.clear()
        self.objects.append(obj)
        kind = obj.kind
        if kind in _AWS_KIND_NAMES and not isinstance(obj, AwsObject):
            # A Kubernetes kind named like a model kind (Flux's HelmRelease; Crossplane's and
            # ACK's AccessEntry, NodeGroup, PodIdentityAssociation): filed apart, so that
            # views of the model kind (``of_kind(HelmRelease)``) never meet a manifest.
            kind = f"k8s:{kind}"
        self._by_kind[kind].append(obj)
        if self._by_name:
            self._by_name.clear()

    def derived(self, key: Hashable, compute):
        """``compute()``, once until the next :meth:`add`: for views of the whole
        platform that checks ask for inside loops over other objects (``key``: a name,
        or a tuple of a name and what the view depends on)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def kinds(self, *kinds: str) -> list[ModelObject]:
        """Objects of any of ``kinds``, in scan order."""
        out: list[ModelObject] = []
        for kind in kinds:
            out.extend(self._by_kind.get(kind, ()))
        return out

    def of_kind(self, view: type[T]) -> list[T]:
        """Objects of every kind a typed view covers (``Workload`` -> Deployment, ...;
        ``Addon`` -> EKSAddon)."""
        kinds = getattr(view, "KINDS", None) or (getattr(view, "KIND"),)
        return self.kinds(*kinds)  # type: ignore[return-value]

    def find(self, kind: str, name: str | None, namespace: str | None = None) -> ModelObject | None:
        """The first object of ``kind`` named ``name`` (namespace ``default`` if omitted
        for namespaced Kubernetes kinds)."""
        if kind not in CLUSTER_SCOPED and kind not in _AWS_KIND_NAMES and namespace is None:
            namespace = "default"
        names = self._by_name.get(kind)
        if names is None:
            names = self._by_name[kind] = {}
            for obj in self._by_kind.get(kind, ()):
                names.setdefault((obj.namespace, obj.name), obj)
        return names.get((namespace, name))

    def alb_binding(self, ingress: Ingress) -> AlbBinding | None:
        return alb_binding(self, ingress)

    def alb_groups(self) -> list[AlbGroup]:
        """Every ALB in scope with the Ingresses it serves (see :func:`alb_groups`);
        built once per scan, several checks walk them."""
        return list(self.derived("alb_groups", lambda: alb_groups(self)))

    def cluster_admin(self, cluster: Cluster):
        """Whether anything in scope makes someone cluster-admin of ``cluster``: an
        :class:`~eksguard.model.identity.AdminVerdict` (see :mod:`eksguard.model.identity`)."""
        from eksguard.model.identity import cluster_admin

        return cluster_admin(self, cluster)

    def pod_index(self) -> PodIndex:
        """Workloads, PDBs and HPAs indexed for selector matching (see :class:`PodIndex`)."""
        return self.derived("pod_index", lambda: PodIndex(self.of_kind(Workload), self.of_kind(PodDisruptionBudget),
                                                          self.of_kind(HorizontalPodAutoscaler)))

    def pod_identity_associations(self) -> list[PodIdentityAssociation]:
        """Every Pod Identity association in scope, standalone or declared in an add-on."""
        from eksguard.model.identity import pod_identity_associations

        return pod_identity_associations(self)
