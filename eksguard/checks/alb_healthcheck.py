"""EKS605: an ALB-served Ingress whose target groups are health-checked on ``/``.

``alb.ingress.kubernetes.io/healthcheck-path`` may sit on the Ingress (every backend)
or on a backend Service (that backend only; the Service wins). With neither, the
controller's default is ``/`` for HTTP targets. gRPC backends
(``backend-protocol-version: GRPC``) default to ``/AWS.ALB/healthcheck`` and are left
alone, as are ``use-annotation`` backends (redirects, fixed responses), which have no
target group. Like EKS602, a backend Service that is not in scope counts as unset.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import UNKNOWN, Ingress, Platform, Service

PATH = "alb.ingress.kubernetes.io/healthcheck-path"
PROTOCOL_VERSION = "alb.ingress.kubernetes.io/backend-protocol-version"


def _grpc(annotations: dict[str, str]) -> bool:
    return annotations.get(PROTOCOL_VERSION, "").upper() == "GRPC"


def _unknown(service: Service, key: str) -> bool:
    annotations = service.metadata.get("annotations")
    return isinstance(annotations, dict) and annotations.get(key) is UNKNOWN


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for ingress in platform.of_kind(Ingress):
        binding = platform.alb_binding(ingress)
        if binding is None or binding.annotation("healthcheck-path") is not None:
            continue
        if binding.is_unknown("healthcheck-path") or binding.is_unknown("backend-protocol-version"):
            continue
        grpc = _grpc(ingress.annotations)
        unset: list[tuple[str, Service | None]] = []
        for name, service in binding.target_services(platform).items():
            if service is not None and (service.annotations.get(PATH) or _grpc(service.annotations)
                                        or _unknown(service, PATH) or _unknown(service, PROTOCOL_VERSION)):
                continue
            if service is None and grpc:
                continue
            if service is not None and grpc and PROTOCOL_VERSION not in service.annotations:
                continue
            unset.append((name, service))
        if not unset:
            continue
        in_scope = [s for _, s in unset if s is not None]
        missing = [n for n, s in unset if s is None]
        detail = []
        if in_scope:
            detail.append("backend Service " + ", ".join(s.name or "?" for s in in_scope) + " sets none either")
        if missing:
            detail.append("backend Service " + ", ".join(missing) + " is not in scope")
        yield Violation(
            location=ingress.kind_location(),
            message=(
                f"Ingress {ingress.display_name} has no {PATH} ({'; '.join(detail)}): the ALB health-checks "
                f"GET / on every target, which is often slow, redirects, or needs auth"
            ),
            object=ingress.ref,
            json_path=ingress.json_path(*ingress.prefix, "metadata", "annotations", PATH),
            related=[Related(s.kind_location(), f"Service {s.display_name} has no {PATH}") for s in in_scope],
        )


CHECK = Check("alb-healthcheck-default", check)
