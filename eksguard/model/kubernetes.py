"""Typed views of the Kubernetes kinds eksguard reasons about.

Each class reads one kind defensively and names its fields the way a platform
engineer thinks of them. Plugin authors program against these; see ``Platform``.
"""

from __future__ import annotations

from eksguard.model.base import K8sObject, string_map, text


def as_int(value: object) -> int | None:
    """An integer field, or None when absent or not an integer (``"3"`` is not 3)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


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
    __slots__ = ()
    KINDS = ("PodDisruptionBudget",)

    @property
    def selector(self) -> LabelSelector:
        return LabelSelector(self.get("spec", "selector"))

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

    def scales(self, workload: K8sObject) -> bool:
        return (
            self.namespace == workload.namespace
            and self.target_kind == workload.kind
            and self.target_name == workload.name
        )


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


class NodePool(K8sObject):
    """Karpenter NodePool (``karpenter.sh`` v1 and v1beta1) or its v1alpha5 Provisioner."""

    __slots__ = ()
    KINDS = ("NodePool", "Provisioner")

    @property
    def requirements(self) -> list[dict]:
        reqs = self.get("spec", "template", "spec", "requirements")
        if self.kind == "Provisioner":
            reqs = self.get("spec", "requirements")
        return [r for r in reqs if isinstance(r, dict)] if isinstance(reqs, list) else []

    @property
    def limits(self) -> dict | None:
        limits = self.get("spec", "limits")
        return limits if isinstance(limits, dict) else None


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
