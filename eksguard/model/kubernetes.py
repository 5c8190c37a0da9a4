"""Typed views of the Kubernetes kinds eksguard reasons about.

Each class reads one kind defensively and names its fields the way a platform
engineer thinks of them. Plugin authors program against these; see ``Platform``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from eksguard.model.base import K8sObject, string_map, text


def as_int(value: object) -> int | None:
    """An integer field, or None when absent or not an integer (``"3"`` is not 3)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def scaled_int_or_percent(value: object, total: int) -> int | None:
    """An ``IntOrString`` budget field resolved against ``total`` pods the way the
    disruption controller does (percentages round up); None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.endswith("%"):
        number = _number(value[:-1])
        if number is None or number != int(number):
            return None
        return math.ceil(int(number) * total / 100)
    return None


class LabelSelector:
    """A ``metav1.LabelSelector``: ``matchLabels`` AND every ``matchExpressions`` term."""

    def __init__(self, raw: object):
        self.raw = raw
        self.valid = isinstance(raw, dict)
        self.match_labels = string_map(raw.get("matchLabels")) if self.valid else {}
        exprs = raw.get("matchExpressions") if self.valid else None
        self.expressions = [e for e in exprs if isinstance(e, dict)] if isinstance(exprs, list) else []

    @property
    def is_empty(self) -> bool:
        """``{}``: selects every pod of the namespace (policy/v1 semantics)."""
        return self.valid and not self.match_labels and not self.expressions

    def matches(self, labels: dict[str, str]) -> bool:
        if not self.valid:
            return False  # a null selector selects nothing
        for key, value in self.match_labels.items():
            if labels.get(key) != value:
                return False
        for expr in self.expressions:
            key = text(expr.get("key"))
            operator = text(expr.get("operator"))
            raw_values = expr.get("values")
            values = {text(v) for v in raw_values} if isinstance(raw_values, list) else set()
            if key is None or operator is None:
                return False
            if operator == "In" and labels.get(key) not in values:
                return False
            if operator == "NotIn" and key in labels and labels[key] in values:
                return False
            if operator == "Exists" and key not in labels:
                return False
            if operator == "DoesNotExist" and key in labels:
                return False
            if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
                return False
        return True


class Workload(K8sObject):
    """Deployment, StatefulSet, DaemonSet, ReplicaSet: something that runs pods."""

    __slots__ = ()
    KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")

    @property
    def replicas(self) -> int | None:
        """``spec.replicas`` as written; None when absent or not an integer."""
        return as_int(self.get("spec", "replicas"))

    @property
    def effective_replicas(self) -> int | None:
        """What Kubernetes runs: 1 when ``replicas`` is omitted; None when unreadable."""
        if self.kind == "DaemonSet":
            return None
        if not self.has("spec", "replicas"):
            return 1
        return self.replicas

    @property
    def pod_labels(self) -> dict[str, str]:
        return string_map(self.get("spec", "template", "metadata", "labels"))

    @property
    def pod_annotations(self) -> dict[str, str]:
        return string_map(self.get("spec", "template", "metadata", "annotations"))


class PodDisruptionBudget(K8sObject):
    __slots__ = ("_selector",)
    KINDS = ("PodDisruptionBudget",)

    @property
    def selector(self) -> LabelSelector:
        """Built once: checks match every PDB against every workload of its namespace."""
        try:
            return self._selector
        except AttributeError:
            self._selector = LabelSelector(self.get("spec", "selector"))
            return self._selector

    @property
    def min_available(self) -> object:
        """``spec.minAvailable`` (int, ``"50%"``), or None; see :meth:`_int_or_string`."""
        return self._int_or_string(self.get("spec", "minAvailable"))

    @property
    def max_unavailable(self) -> object:
        """``spec.maxUnavailable`` (int, ``"10%"``), or None; see :meth:`_int_or_string`."""
        return self._int_or_string(self.get("spec", "maxUnavailable"))

    def _int_or_string(self, value: object) -> object:
        """The Terraform kubernetes provider types these fields as strings and sends them
        through ``intstr.Parse``, so ``max_unavailable = "1"`` is the integer 1; in YAML a
        quoted ``"1"`` stays a (non-percentage, invalid) string."""
        if self.origin.format == "terraform" and isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        return value

    def selects(self, workload: Workload) -> bool:
        if self.namespace != workload.namespace:
            return False
        selector = self.selector
        if selector.is_empty and self.api_version == "policy/v1beta1":
            return False  # in policy/v1beta1 an empty selector selects nothing
        return selector.matches(workload.pod_labels)


class HorizontalPodAutoscaler(K8sObject):
    __slots__ = ()
    KINDS = ("HorizontalPodAutoscaler",)

    @property
    def target_kind(self) -> str | None:
        return text(self.get("spec", "scaleTargetRef", "kind"))

    @property
    def target_name(self) -> str | None:
        return text(self.get("spec", "scaleTargetRef", "name"))

    @property
    def min_replicas(self) -> int | None:
        """``spec.minReplicas``; 1 (the API default) when omitted, None when unreadable."""
        if not self.has("spec", "minReplicas"):
            return 1
        return as_int(self.get("spec", "minReplicas"))

    @property
    def max_replicas(self) -> int | None:
        return as_int(self.get("spec", "maxReplicas"))

    def scales(self, workload: K8sObject) -> bool:
        return (
            self.namespace == workload.namespace
            and self.target_kind == workload.kind
            and self.target_name == workload.name
        )


class PodIndex:
    """Workloads and PodDisruptionBudgets indexed by namespace, pod label and HPA target,
    so that "which workloads does this PDB select" and "which PDBs could select these
    labels" do not match every object against every other (a repo with thousands of
    Deployments stays linear). Answers come in scan order, as a plain loop would give."""

    def __init__(self, workloads: list, pdbs: list, hpas: list) -> None:
        self._by_namespace: dict = {}
        self._by_label: dict = {}
        for workload in workloads:
            self._by_namespace.setdefault(workload.namespace, []).append(workload)
            for item in workload.pod_labels.items():
                self._by_label.setdefault((workload.namespace, *item), []).append(workload)
        self._pdbs = pdbs
        self._pdb_by_namespace: dict = {}
        for pdb in pdbs:
            self._pdb_by_namespace.setdefault(pdb.namespace, []).append(pdb)
        self._pdb_by_label: dict = {}
        self._pdb_unlabelled: list[int] = []  # selectors without matchLabels: always candidates
        for index, pdb in enumerate(pdbs):
            first = next(iter(pdb.selector.match_labels.items()), None)
            if first is None:
                self._pdb_unlabelled.append(index)
            else:
                self._pdb_by_label.setdefault(first, []).append(index)
        self._hpa: dict = {}
        for hpa in hpas:
            self._hpa.setdefault((hpa.namespace, hpa.target_kind, hpa.target_name), hpa)

    def selected_by(self, pdb: PodDisruptionBudget) -> list:
        """The workloads in scope whose pods ``pdb`` selects."""
        first = next(iter(pdb.selector.match_labels.items()), None)
        if first is None:
            pool = self._by_namespace.get(pdb.namespace, ())
        else:
            pool = self._by_label.get((pdb.namespace, *first), ())
        return [w for w in pool if pdb.selects(w)]

    def pdbs_in(self, namespace: str | None) -> list:
        """The PDBs of ``namespace``, in scan order."""
        return list(self._pdb_by_namespace.get(namespace, ()))

    def pdbs_matching(self, labels: dict[str, str]) -> list:
        """PDBs in any namespace whose selector matches ``labels`` (namespace not checked)."""
        found = set(self._pdb_unlabelled)
        for item in labels.items():
            found.update(self._pdb_by_label.get(item, ()))
        return [self._pdbs[i] for i in sorted(found) if self._pdbs[i].selector.matches(labels)]

    def pdbs_selecting(self, workload: Workload) -> list:
        """The PDBs in scope that select ``workload``'s pods."""
        return [p for p in self.pdbs_matching(workload.pod_labels) if p.selects(workload)]

    def hpa_for(self, workload: K8sObject) -> HorizontalPodAutoscaler | None:
        """The first HorizontalPodAutoscaler in scope that scales ``workload``."""
        return self._hpa.get((workload.namespace, workload.kind, workload.name))


class Ingress(K8sObject):
    __slots__ = ()
    KINDS = ("Ingress",)

    @property
    def class_name(self) -> str | None:
        """``spec.ingressClassName``."""
        return text(self.get("spec", "ingressClassName"))

    @property
    def class_annotation(self) -> str | None:
        """The legacy ``kubernetes.io/ingress.class`` annotation."""
        return self.annotations.get("kubernetes.io/ingress.class")

    def backend_service_names(self) -> set[str]:
        """Every Service named as a backend (default backend and rules)."""
        names: set[str] = set()

        def add(backend: object) -> None:
            if isinstance(backend, dict):
                name = text(backend.get("service", {}).get("name")) if isinstance(backend.get("service"), dict) else None
                name = name or text(backend.get("serviceName"))  # extensions/v1beta1
                if name:
                    names.add(name)

        add(self.get("spec", "defaultBackend"))
        add(self.get("spec", "backend"))
        rules = self.get("spec", "rules")
        for rule in rules if isinstance(rules, list) else ():
            paths = rule.get("http", {}).get("paths") if isinstance(rule, dict) and isinstance(rule.get("http"), dict) else None
            for path in paths if isinstance(paths, list) else ():
                if isinstance(path, dict):
                    add(path.get("backend"))
        return names


class IngressClass(K8sObject):
    __slots__ = ()
    KINDS = ("IngressClass",)

    @property
    def controller(self) -> str | None:
        return text(self.get("spec", "controller"))

    @property
    def is_default(self) -> bool:
        return self.annotations.get("ingressclass.kubernetes.io/is-default-class") == "true"

    @property
    def parameters_ref(self) -> tuple[str | None, str | None] | None:
        """``(kind, name)`` of ``spec.parameters``, or None when the class has none."""
        params = self.get("spec", "parameters")
        if not isinstance(params, dict):
            return None
        return text(params.get("kind")), text(params.get("name"))


class IngressClassParams(K8sObject):
    """``elbv2.k8s.aws`` IngressClassParams: its fields win over Ingress annotations."""

    __slots__ = ()
    KINDS = ("IngressClassParams",)

    @property
    def group_name(self) -> str | None:
        return text(self.get("spec", "group", "name")) or None

    @property
    def scheme(self) -> str | None:
        return text(self.get("spec", "scheme"))

    @property
    def target_type(self) -> str | None:
        return text(self.get("spec", "targetType"))


class Service(K8sObject):
    __slots__ = ()
    KINDS = ("Service",)

    @property
    def type(self) -> str:
        return text(self.get("spec", "type")) or "ClusterIP"

    @property
    def load_balancer_class(self) -> str | None:
        return text(self.get("spec", "loadBalancerClass"))


class ServiceAccount(K8sObject):
    __slots__ = ()
    KINDS = ("ServiceAccount",)

    IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"

    @property
    def irsa_role_arn(self) -> str | None:
        return self.annotations.get(self.IRSA_ANNOTATION) or None


class ConfigMap(K8sObject):
    __slots__ = ()
    KINDS = ("ConfigMap",)

    @property
    def is_aws_auth(self) -> bool:
        return self.name == "aws-auth" and self.namespace == "kube-system"

    @property
    def data(self) -> dict[str, str]:
        return string_map(self.get("data"))

    @property
    def aws_auth_role_arns(self) -> list[str] | None:
        """The ``rolearn`` of every ``data.mapRoles`` entry of aws-auth (``mapRoles`` is a
        YAML string); ``[]`` when there is none, None when the string cannot be read."""
        raw = self.get("data", "mapRoles")
        if raw is None:
            return []
        if not isinstance(raw, str):
            return None
        arns = _map_roles_arns(str(raw))
        return None if arns is None else list(arns)


@lru_cache(maxsize=256)
def _map_roles_arns(raw: str) -> tuple[str, ...] | None:
    """Memoised: identity checks ask for aws-auth's roles once per node role or entry."""
    import yaml

    try:
        roles = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    if roles is None:
        return ()
    if not isinstance(roles, list):
        return None
    return tuple(r["rolearn"] for r in roles if isinstance(r, dict) and isinstance(r.get("rolearn"), str))


#: Karpenter normalises these beta label keys to the stable ones in requirements
#: (kubernetes-sigs/karpenter ``pkg/apis/v1/labels.go`` ``NormalizedLabels``).
NORMALIZED_LABELS = {
    "failure-domain.beta.kubernetes.io/zone": "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region",
    "beta.kubernetes.io/arch": "kubernetes.io/arch",
    "beta.kubernetes.io/os": "kubernetes.io/os",
    "beta.kubernetes.io/instance-type": "node.kubernetes.io/instance-type",
}

#: EKS Auto Mode spells the instance-shape labels in its own domain
#: (``eks.amazonaws.com/instance-family``); they mean the same as Karpenter's.
AUTO_MODE_PREFIX = "eks.amazonaws.com/instance-"


def normalized_key(key: str) -> str:
    """A requirement key the way Karpenter reads it (beta aliases resolved), with EKS Auto
    Mode's ``eks.amazonaws.com/instance-*`` keys mapped to ``karpenter.k8s.aws/instance-*``."""
    key = NORMALIZED_LABELS.get(key, key)
    if key.startswith(AUTO_MODE_PREFIX):
        return "karpenter.k8s.aws/" + key.split("/", 1)[1]
    return key


INSTANCE_TYPE = "node.kubernetes.io/instance-type"
INSTANCE_FAMILY = "karpenter.k8s.aws/instance-family"
INSTANCE_CATEGORY = "karpenter.k8s.aws/instance-category"
CAPACITY_TYPE = "karpenter.sh/capacity-type"
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"

#: Instance categories whose every type carries GPUs or ML accelerators (NVIDIA
#: ``g``/``p``, AWS Inferentia ``inf`` and Trainium ``trn``); rules take this as a default
#: that configuration may widen (``gr``, ``dl``...).
GPU_CATEGORIES = ("g", "p", "inf", "trn")

#: Requirement keys that only accelerated instance types can satisfy when they are
#: required to exist (or to be non-zero).
_ACCELERATOR_KEYS = (
    "karpenter.k8s.aws/instance-gpu-count",
    "karpenter.k8s.aws/instance-gpu-name",
    "karpenter.k8s.aws/instance-gpu-manufacturer",
    "karpenter.k8s.aws/instance-gpu-memory",
    "karpenter.k8s.aws/instance-accelerator-count",
    "karpenter.k8s.aws/instance-accelerator-name",
    "karpenter.k8s.aws/instance-accelerator-manufacturer",
)


def instance_category(name: str) -> str:
    """The category of an instance family or type the way Karpenter labels it: the
    leading letters (``inf2`` -> ``inf``, ``g5g.xlarge`` -> ``g``, ``gr6`` -> ``gr``)."""
    match = re.match(r"[a-z]+", name.strip().lower())
    return match.group(0) if match else ""


def instance_family(instance_type: str) -> str:
    """``m6i.large`` -> ``m6i``."""
    return instance_type.strip().lower().partition(".")[0]


def is_gpu(key: str, value: str, gpu: frozenset[str]) -> bool:
    """Whether an allowed value of an instance-shape requirement is GPU/accelerated:
    ``gpu`` holds categories (``g``) or families (``gr6``)."""
    value = value.strip().lower()
    if key == INSTANCE_CATEGORY:
        return value in gpu
    if key == INSTANCE_FAMILY:
        return value in gpu or instance_category(value) in gpu
    if key == INSTANCE_TYPE:
        return instance_family(value) in gpu or instance_category(value) in gpu
    return False


@dataclass(frozen=True)
class Requirement:
    """One ``requirements[]`` term of a NodePool (or Provisioner), read defensively.

    ``key`` is normalised by :func:`normalized_key` (beta label keys become stable ones,
    EKS Auto Mode's ``eks.amazonaws.com/instance-*`` become ``karpenter.k8s.aws/instance-*``);
    ``written_key`` is what the file says. ``path`` is the term's path inside the object,
    for locations (``path + ("values",)`` is its values line).
    """

    key: str
    written_key: str
    operator: str | None
    values: tuple[str, ...]
    path: tuple
    min_values: int | None = None


class NodePool(K8sObject):
    """Karpenter NodePool (``karpenter.sh`` v1 and v1beta1) or its v1alpha5 Provisioner."""

    __slots__ = ()
    KINDS = ("NodePool", "Provisioner")

    @property
    def is_provisioner(self) -> bool:
        return self.kind == "Provisioner"

    @property
    def version(self) -> str:
        """The API version part: ``v1``, ``v1beta1``, ``v1alpha5``."""
        return self.api_version.rpartition("/")[2]

    @property
    def requirements_path(self) -> tuple:
        return ("spec", "requirements") if self.is_provisioner else ("spec", "template", "spec", "requirements")

    @property
    def requirements(self) -> list[dict]:
        reqs = self.get(*self.requirements_path)
        return [r for r in reqs if isinstance(r, dict)] if isinstance(reqs, list) else []

    def requirement_terms(self) -> list[Requirement]:
        """Every readable requirement term, in order, with normalised keys."""
        reqs = self.get(*self.requirements_path)
        out: list[Requirement] = []
        for index, raw in enumerate(reqs if isinstance(reqs, list) else ()):
            if not isinstance(raw, dict):
                continue
            written = text(raw.get("key"))
            if not written:
                continue
            values = raw.get("values")
            out.append(Requirement(
                key=normalized_key(written),
                written_key=written,
                operator=text(raw.get("operator")),
                values=tuple(v for v in (text(x) for x in values) if v is not None) if isinstance(values, list) else (),
                path=(*self.requirements_path, index),
                min_values=as_int(raw.get("minValues")),
            ))
        return out

    def requirements_for(self, key: str) -> list[Requirement]:
        key = normalized_key(key)
        return [r for r in self.requirement_terms() if r.key == key]

    def requirement(self, key: str) -> Requirement | None:
        """The first term on ``key`` (beta aliases included), or None."""
        terms = self.requirements_for(key)
        return terms[0] if terms else None

    def allowed_values(self, key: str, universe: frozenset[str] | None = None) -> frozenset[str] | None:
        """The values of ``key`` the terms admit together (Karpenter intersects terms on
        one key). None when no ``In`` term bounds them and no ``universe`` is given;
        unknown operators (``Gt`` on a string key) leave the set as it is."""
        allowed: set[str] | None = set(universe) if universe is not None else None
        excluded: set[str] = set()
        for term in self.requirements_for(key):
            if term.operator == "In":
                allowed = set(term.values) if allowed is None else allowed & set(term.values)
            elif term.operator == "NotIn":
                excluded |= set(term.values)
            elif term.operator == "DoesNotExist":
                allowed = set()
        if allowed is None:
            return None
        return frozenset(allowed - excluded)

    def accelerator_only(self, gpu_categories: tuple[str, ...] | list[str] = GPU_CATEGORIES) -> bool:
        """True when the requirements admit only GPU/accelerator instance types: every
        allowed category, family or type is GPU by :func:`is_gpu` (``gpu_categories``
        may list categories or families), or a GPU or accelerator count, name or
        manufacturer is required."""
        gpu = frozenset(c.lower() for c in gpu_categories)
        for key in (INSTANCE_CATEGORY, INSTANCE_FAMILY, INSTANCE_TYPE):
            allowed = self.allowed_values(key)
            if allowed and all(is_gpu(key, v, gpu) for v in allowed):
                return True
        for term in self.requirement_terms():
            if term.key not in _ACCELERATOR_KEYS:
                continue
            first = _number(term.values[0]) if term.values else None
            if term.operator == "Exists":
                return True
            if term.operator == "Gt" and first is not None and first >= 0:
                return True
            if term.operator == "Gte" and first is not None and first >= 1:
                return True
            if term.operator == "In" and term.values:
                if term.key.endswith(("-count", "-memory")):
                    if all((_number(v) or 0) > 0 for v in term.values):
                        return True
                else:
                    return True
        return False

    # -- limits ----------------------------------------------------------------------
    @property
    def limits_path(self) -> tuple:
        """``spec.limits`` (v1, v1beta1) or ``spec.limits.resources`` (v1alpha5)."""
        return ("spec", "limits", "resources") if self.is_provisioner else ("spec", "limits")

    @property
    def limits(self) -> dict | None:
        limits = self.get(*self.limits_path)
        return limits if isinstance(limits, dict) else None

    @property
    def is_static(self) -> bool:
        """A static NodePool (``spec.replicas``, Karpenter v1.8+): a fixed node count,
        never consolidated, where resource limits do not apply."""
        return not self.is_provisioner and self.has("spec", "replicas")

    # -- disruption ------------------------------------------------------------------
    @property
    def consolidation_policy(self) -> str | None:
        return text(self.get("spec", "disruption", "consolidationPolicy"))

    @property
    def consolidate_after(self) -> str | None:
        return text(self.get("spec", "disruption", "consolidateAfter"))

    def budgets(self) -> list[tuple[int, dict]]:
        """``(index, budget)`` of ``spec.disruption.budgets``."""
        raw = self.get("spec", "disruption", "budgets")
        return [(i, b) for i, b in enumerate(raw) if isinstance(b, dict)] if isinstance(raw, list) else []

    @property
    def template_annotations(self) -> dict[str, str]:
        """Annotations every node of the pool gets (``spec.template.metadata.annotations``)."""
        return string_map(self.get("spec", "template", "metadata", "annotations"))

    @property
    def node_class_ref(self) -> dict | None:
        ref = self.get("spec", "template", "spec", "nodeClassRef")
        return ref if isinstance(ref, dict) else None


class EC2NodeClass(K8sObject):
    """Karpenter EC2NodeClass (``karpenter.k8s.aws``) or its v1alpha1 AWSNodeTemplate."""

    __slots__ = ()
    KINDS = ("EC2NodeClass", "AWSNodeTemplate")

    @property
    def role(self) -> str | None:
        return text(self.get("spec", "role"))

    @property
    def max_pods(self) -> int | None:
        return as_int(self.get("spec", "kubelet", "maxPods"))

    @property
    def ami_family(self) -> str | None:
        return text(self.get("spec", "amiFamily"))

    @property
    def selects_capacity_reservations(self) -> bool:
        """``spec.capacityReservationSelectorTerms`` is set (reserved capacity possible)."""
        terms = self.get("spec", "capacityReservationSelectorTerms")
        return isinstance(terms, list) and bool(terms)


class SecurityGroupPolicy(K8sObject):
    __slots__ = ()
    KINDS = ("SecurityGroupPolicy",)


class ENIConfig(K8sObject):
    __slots__ = ()
    KINDS = ("ENIConfig",)


#: kind -> view class; everything else is a plain :class:`K8sObject`.
VIEWS: dict[str, type[K8sObject]] = {
    kind: cls
    for cls in (
        Workload,
        PodDisruptionBudget,
        HorizontalPodAutoscaler,
        Ingress,
        IngressClass,
        IngressClassParams,
        Service,
        ServiceAccount,
        ConfigMap,
        NodePool,
        EC2NodeClass,
        SecurityGroupPolicy,
        ENIConfig,
    )
    for kind in cls.KINDS
}
