"""EKS602: an ALB-served Ingress whose targets are instances (NodePorts), not pod IPs.

Precedence follows the controller: IngressClassParams ``spec.targetType`` wins over
everything; otherwise a backend Service's own ``alb.ingress.kubernetes.io/target-type``
annotation wins over the Ingress's; with no setting anywhere the controller uses its
``--default-target-type``: ``instance`` unless the controller installed in scope sets
``defaultTargetType`` (see ``model.ingress.default_target_type``). A finding points at
the setting that decides it: the params' ``targetType``, the Service's or the
Ingress's annotation, or the Ingress's ``kind:`` line when nothing is set.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.checks.alb_ingress_group import binding_related
from eksguard.checks.fixing import set_value
from eksguard.findings import Related, Violation
from eksguard.fixes import Fix
from eksguard.model import AlbBinding, Ingress, IngressClassParams, Platform, Service, Setting
from eksguard.model.ingress import default_target_type

ANNOTATION = "alb.ingress.kubernetes.io/target-type"


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    default = default_target_type(platform)
    by_params: dict[int, tuple[IngressClassParams, list[Ingress]]] = {}
    by_service: dict[int, tuple[Service, list[Ingress]]] = {}
    for ingress in platform.of_kind(Ingress):
        binding = platform.alb_binding(ingress)
        if binding is None or not binding.params_known:
            continue
        if binding.params is not None and binding.params.target_type:
            if binding.params.target_type == "instance":
                by_params.setdefault(id(binding.params), (binding.params, []))[1].append(ingress)
            continue
        services = _backends(platform, ingress)
        for service in services:
            if service.annotations.get(ANNOTATION) == "instance":
                by_service.setdefault(id(service), (service, []))[1].append(ingress)
        yield from _ingress_violation(ingress, binding, services, default)
    for params_obj, ingresses in by_params.values():
        yield Violation(
            location=params_obj.location("spec", "targetType"),
            message=(
                f"IngressClassParams {params_obj.shown_name} sets targetType: instance for every Ingress of its class "
                f"({len(ingresses)} in scope): the ALB reaches pods through NodePorts"
            ),
            object=params_obj.ref,
            json_path=params_obj.json_path(*params_obj.prefix, "spec", "targetType"),
            related=[Related(i.kind_location(), f"Ingress {i.display_name} uses this class") for i in ingresses],
            fix=_fix(params_obj, ("spec", "targetType"), "set targetType: ip in the IngressClassParams"),
        )
    for service, ingresses in by_service.values():
        yield Violation(
            location=service.location("metadata", "annotations", ANNOTATION),
            message=(
                f"Service {service.display_name} sets {ANNOTATION}: instance, which overrides the Ingress for "
                f"this backend: the ALB reaches its pods through a NodePort on every node"
            ),
            object=service.ref,
            json_path=service.json_path(*service.prefix, "metadata", "annotations", ANNOTATION),
            related=[Related(i.kind_location(), f"Ingress {i.display_name} routes to it") for i in ingresses],
            fix=_fix(service, ("metadata", "annotations", ANNOTATION), f"set {ANNOTATION}: ip on the Service"),
        )


def _ingress_violation(ingress: Ingress, binding: AlbBinding, services: list[Service],
                       default: Setting | None) -> Iterator[Violation]:
    value = binding.annotation("target-type")
    path = ("metadata", "annotations", ANNOTATION)
    related = binding_related(binding)
    if value is None and default is not None:
        if default.value != "instance":
            return  # the controller in scope defaults to ip (or to something unreadable)
        related = [*related, Related(default.location, "the AWS Load Balancer Controller's defaultTargetType")]
    if value == "instance":
        message = f"Ingress {ingress.display_name} sets {ANNOTATION}: instance: the ALB reaches pods through a NodePort on every node"
        location = ingress.location(*path)
    elif value is None and not _all_backends_set(ingress, services):
        message = (
            f"Ingress {ingress.display_name} has no {ANNOTATION}: the AWS Load Balancer Controller "
            f"defaults to instance targets (a NodePort hop on every node)"
        )
        location = ingress.kind_location()
    else:
        return
    yield Violation(location, message, ingress.ref, ingress.json_path(*ingress.prefix, *path), related,
                    fix=_fix(ingress, path, f"set {ANNOTATION}: ip"))


def _fix(obj, path: tuple, title: str) -> Fix | None:
    """``ip`` where the finding points: a YAML object gets the value set (or added); in
    HCL only a literal ``instance`` is replaced (no new attribute is written)."""
    changes = set_value(obj, path, "ip")
    return Fix(title, changes) if changes else None


def _backends(platform: Platform, ingress: Ingress) -> list[Service]:
    found = [platform.find("Service", name, ingress.namespace) for name in sorted(ingress.backend_service_names())]
    return [s for s in found if isinstance(s, Service)]


def _all_backends_set(ingress: Ingress, services: list[Service]) -> bool:
    """True when every backend is a Service in scope that sets its own target type."""
    names = ingress.backend_service_names()
    return bool(names) and len(services) == len(names) and all(ANNOTATION in s.annotations for s in services)


CHECK = Check("alb-target-type-instance", check)
