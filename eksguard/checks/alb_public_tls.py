"""EKS604: an internet-facing ALB that serves an Ingress without TLS.

Judged per Ingress on the ALB it shares, the way the AWS Load Balancer Controller
builds it (``pkg/ingress/model_build_listener.go``, ``model_builder.go``):

- the scheme is the group's: one explicit value among the members (IngressClassParams
  ``spec.scheme`` wins over the annotation), ``internal`` when nobody writes one;
- an Ingress's rules go on the listeners of its own ``listen-ports``; without the
  annotation that is ``HTTPS:443`` when it has an explicit certificate (params
  ``certificateArn`` or the ``certificate-arn`` annotation), else ``HTTP:80``;
- ``ssl-redirect`` (or params ``sslRedirectPort``) on any member turns every HTTP
  listener of the ALB into a redirect; an ``actions.*`` redirect to HTTPS on the
  Ingress itself does the same for its own routes;
- without an explicit certificate an HTTPS listener gets one by discovery from the hosts
  of ``spec.rules`` and ``spec.tls``; with no host there is nothing to discover.

Groups whose members disagree on the scheme are EKS606's; Ingresses whose params are
not in scope, or whose ``listen-ports`` do not parse, are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import AlbBinding, AlbGroup, Platform

LISTEN_PORTS = "alb.ingress.kubernetes.io/listen-ports"


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for group in platform.alb_groups():
        if not group.internet_facing:
            continue
        for binding in group.members:
            yield from _judge(binding, group)


def _judge(binding: AlbBinding, group: AlbGroup) -> Iterator[Violation]:
    ingress = binding.ingress
    ports = binding.listen_ports
    if ports is None or any(binding.is_unknown(s) for s in ("listen-ports", "certificate-arn")) \
            or group.unknown("ssl-redirect"):
        return
    http = sorted(port for protocol, port in ports if protocol == "HTTP")
    https = sorted(port for protocol, port in ports if protocol == "HTTPS")
    redirected = group.ssl_redirect is not None or binding.redirects_to_https
    shown = ", ".join(f"{protocol}:{port}" for protocol, port in ports)
    how = f"listen-ports {shown}" if binding.listen_ports_written else f"no listen-ports, so the controller opens {shown}"
    where = ingress.location("metadata", "annotations", LISTEN_PORTS) if binding.listen_ports_written else ingress.kind_location()
    name = ingress.display_name
    if not https:
        if redirected:
            return
        message = (f"Ingress {name} is served by an internet-facing ALB over plain HTTP only ({how}; no certificate): "
                   f"requests, cookies and tokens cross the internet unencrypted")
    elif not binding.certificate_arns and not binding.hosts:
        message = (f"Ingress {name} opens HTTPS:{https[0]} on an internet-facing ALB without a certificate: no "
                   f"certificate-arn (annotation or IngressClassParams) and no host in spec.rules or spec.tls to "
                   f"discover one from, so the controller cannot build the listener")
    elif http and not redirected:
        scope = f"nothing in IngressGroup {group.name} sets" if group.name else "it sets no"
        message = (f"Ingress {name} opens HTTP:{http[0]} beside HTTPS on an internet-facing ALB and {scope} "
                   f"ssl-redirect: its routes are also served unencrypted")
    else:
        return
    yield Violation(where, message, ingress.ref, ingress.json_path(*ingress.prefix, "metadata", "annotations", LISTEN_PORTS),
                    _related(binding, group))


def _related(binding: AlbBinding, group: AlbGroup) -> list[Related]:
    related: list[Related] = []
    scheme = group.scheme
    own = binding.setting("scheme")
    if scheme is not None and (own is None or own.location != scheme.location):
        related.append(Related(scheme.location, f"scheme internet-facing for the whole ALB ({scheme.source})"))
    return related


CHECK = Check("alb-public-without-tls", check)
