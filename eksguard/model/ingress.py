"""Which Ingresses the AWS Load Balancer Controller serves, and with which settings.

The controller decides per Ingress: ``spec.ingressClassName`` -> IngressClass ->
``spec.controller`` (and ``spec.parameters`` -> IngressClassParams, whose fields win
over annotations), else the legacy ``kubernetes.io/ingress.class`` annotation, else
the IngressClass marked default. Rules ask :func:`alb_binding` instead of re-deriving
this chain, so EKS601/EKS602/EKS606 agree on what "ALB-served" and "grouped" mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eksguard.model.kubernetes import Ingress, IngressClass, IngressClassParams

if TYPE_CHECKING:
    from eksguard.model import Platform

ALB_CONTROLLER = "ingress.k8s.aws/alb"
ALB_CLASS = "alb"  # the class the controller's chart creates
ANNOTATION = "alb.ingress.kubernetes.io/"


@dataclass(frozen=True)
class AlbBinding:
    """How an ALB-served Ingress is bound to the controller.

    ``ingress_class`` is None when the class was named but is not in scope (the
    chart's ``alb`` class is assumed). ``params_known`` is False when the class points
    at IngressClassParams that the scan did not see: then nothing that params could
    override is known, and rules that depend on it stay quiet.
    """

    ingress: Ingress
    via: str  # "ingressClassName", "annotation" or "default class"
    ingress_class: IngressClass | None
    params: IngressClassParams | None
    params_known: bool

    def annotation(self, name: str) -> str | None:
        """An ``alb.ingress.kubernetes.io/<name>`` annotation on the Ingress."""
        value = self.ingress.annotations.get(ANNOTATION + name)
        return value if value != "" else None

    @property
    def group_name(self) -> str | None:
        """The IngressGroup: IngressClassParams ``spec.group.name`` wins over the annotation."""
        if self.params is not None and self.params.group_name:
            return self.params.group_name
        return self.annotation("group.name")


def alb_binding(platform: "Platform", ingress: Ingress) -> AlbBinding | None:
    """The ALB binding of ``ingress``, or None when another controller serves it.

    Mirrors the controller's ``classifyIngress``: the legacy annotation is looked at
    first and, when it says ``alb``, the Ingress gets an empty class configuration (no
    IngressClass, no IngressClassParams); otherwise ``spec.ingressClassName``; with
    neither, the single IngressClass marked default.
    """
    annotated = ingress.class_annotation
    if annotated is not None:
        if annotated != ALB_CLASS:
            return None
        return AlbBinding(ingress, "annotation", None, None, params_known=True)
    name = ingress.class_name
    if name is not None:
        klass = platform.find("IngressClass", name)
        if klass is None:
            if name != ALB_CLASS:
                return None
            return AlbBinding(ingress, "ingressClassName", None, None, params_known=True)
        via = "ingressClassName"
    else:
        defaults = [c for c in platform.of_kind(IngressClass) if c.is_default]
        if len(defaults) != 1:
            return None
        klass, via = defaults[0], "default class"
    if not isinstance(klass, IngressClass) or klass.controller != ALB_CONTROLLER:
        return None
    ref = klass.parameters_ref
    if ref is None:
        return AlbBinding(ingress, via, klass, None, params_known=True)
    kind, params_name = ref
    params = platform.find("IngressClassParams", params_name) if kind == "IngressClassParams" else None
    return AlbBinding(ingress, via, klass, params if isinstance(params, IngressClassParams) else None,
                      params_known=params is not None)
