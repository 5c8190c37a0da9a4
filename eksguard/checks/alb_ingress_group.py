"""EKS601: an ALB-served Ingress that joins no IngressGroup gets a load balancer of its own."""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.checks.fixing import set_value
from eksguard.findings import Related, Violation
from eksguard.fixes import Fix
from eksguard.model import AlbBinding, Ingress, Platform

GROUP_ANNOTATION = "alb.ingress.kubernetes.io/group.name"


def binding_related(binding: AlbBinding) -> list[Related]:
    """The IngressClass/IngressClassParams that made the controller's choice."""
    related = []
    if binding.ingress_class is not None:
        klass = binding.ingress_class
        related.append(Related(klass.kind_location(), f"IngressClass {klass.shown_name} selects the AWS Load Balancer Controller"))
    if binding.params is not None:
        params = binding.params
        related.append(Related(params.kind_location(), f"IngressClassParams {params.shown_name} of that class"))
    return related


def describe(binding: AlbBinding) -> str:
    if binding.via == "annotation":
        return "annotation kubernetes.io/ingress.class: alb"
    if binding.via == "default class":
        return f"default IngressClass {binding.ingress_class.name if binding.ingress_class else '?'}"
    return f"ingressClassName {binding.ingress.class_name}"


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    group = params.get("group_name")
    for ingress in platform.of_kind(Ingress):
        binding = platform.alb_binding(ingress)
        if binding is None or not binding.params_known or binding.group_name:
            continue
        where = "its IngressClassParams set no spec.group.name" if binding.params else "no IngressClassParams group"
        yield Violation(
            location=ingress.kind_location(),
            message=(
                f"Ingress {ingress.display_name} is served by the AWS Load Balancer Controller "
                f"({describe(binding)}) without {GROUP_ANNOTATION} and {where}: it gets an ALB of its own"
            ),
            object=ingress.ref,
            json_path=ingress.json_path(*ingress.prefix, "metadata", "annotations", GROUP_ANNOTATION),
            related=binding_related(binding),
            fix=_fix(ingress, group),
        )


def _fix(ingress: Ingress, group: str | None) -> Fix | None:
    """The configured group as the Ingress's annotation (the class's IngressClassParams
    set no group, so the annotation decides); no group configured, no fix: which ALB an
    Ingress may share is a trust decision, not a default."""
    if not group:
        return None
    changes = set_value(ingress, ("metadata", "annotations", GROUP_ANNOTATION), group)
    return Fix(f"add {GROUP_ANNOTATION}: {group}", changes) if changes else None


CHECK = Check(
    "alb-ingress-without-group",
    check,
    params_schema={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            # The IngressGroup a fix puts the Ingress in (the controller's naming rules).
            "group_name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$",
                           "x-expected": "an IngressGroup name: lower-case letters, digits, '-' and '.', "
                                         "up to 63 characters"},
        },
    },
)
