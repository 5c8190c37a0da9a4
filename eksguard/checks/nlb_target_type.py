"""EKS603: a LoadBalancer Service whose NLB registers instances (NodePorts), not pod IPs.

Who provisions the NLB decides the target type:

- the AWS Load Balancer Controller, when the Service says ``aws-load-balancer-type:
  external`` or ``loadBalancerClass: service.k8s.aws/nlb``: the
  ``aws-load-balancer-nlb-target-type`` annotation, else the controller's
  ``--default-target-type`` (``instance`` unless the controller installed in scope sets
  ``defaultTargetType``, see ``model.ingress.default_target_type``). ``external`` without
  a target type is reported whatever the default: without the controller's Service
  webhook the Service is not reconciled at all;
- the legacy in-tree cloud provider otherwise (no ``aws-load-balancer-type``, or ``nlb``):
  always instance targets.

Services of another ``loadBalancerClass`` and the deprecated ``nlb-ip`` type (IP targets)
are left alone, and so is a Service whose annotations are not known statically.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.checks.fixing import all_of, set_value
from eksguard.findings import Related, Violation
from eksguard.fixes import Fix
from eksguard.model import Platform, Service, text
from eksguard.model.ingress import default_target_type

TYPE = "service.beta.kubernetes.io/aws-load-balancer-type"
TARGET = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"
NLB_CLASS = "service.k8s.aws/nlb"
FIX_TITLE = "Set aws-load-balancer-type external with nlb-target-type ip"


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    default = default_target_type(platform)
    for service in platform.of_kind(Service):
        spec = service.get("spec")
        if not isinstance(spec, dict) or spec.get("type") != "LoadBalancer":
            continue
        if service.is_unknown("metadata", "annotations"):
            continue  # annotations hold unresolved values: any verdict would be a guess
        raw = service.metadata.get("annotations")
        annotations = raw if isinstance(raw, dict) else {}
        has_class = "loadBalancerClass" in spec
        by_class = has_class and spec.get("loadBalancerClass") == NLB_CLASS
        lb_type = annotations.get(TYPE)
        if (has_class and not by_class) or lb_type == "nlb-ip":
            continue  # another controller's Service; nlb-ip always means IP targets
        by_annotation = lb_type == "external"
        target = annotations.get(TARGET)
        name = service.display_name
        found: list[tuple[tuple, str, list[Related]]] = []
        if (by_annotation or by_class) and TARGET in annotations and target != "ip":
            found.append((("metadata", "annotations", TARGET),
                          f"Service {name} sets aws-load-balancer-nlb-target-type: {text(target) or ''}: the NLB "
                          f"reaches pods through a NodePort on every node", []))
        if by_annotation and TARGET not in annotations:
            found.append((("metadata", "annotations", TYPE),
                          f"Service {name} sets aws-load-balancer-type: external without "
                          f"aws-load-balancer-nlb-target-type: the controller defaults to instance targets (and "
                          f"without its Service webhook does not reconcile the Service at all)", []))
        if by_class and not by_annotation and TARGET not in annotations:
            if default is None or default.value == "instance":
                related = [] if default is None else [
                    Related(default.location, "the AWS Load Balancer Controller's defaultTargetType")]
                found.append((("spec", "loadBalancerClass"),
                              f"Service {name} uses loadBalancerClass {NLB_CLASS} without "
                              f"aws-load-balancer-nlb-target-type: the controller defaults to instance targets",
                              related))
            # else: the controller in scope defaults to ip (or to something unreadable)
        if not has_class and TYPE not in annotations:
            found.append((("spec", "type"),
                          f"Service {name} of type LoadBalancer has no aws-load-balancer-type: the legacy in-tree "
                          f"controller (or the AWS Load Balancer Controller's defaulting webhook) gives it instance "
                          f"targets", []))
        if not has_class and TYPE in annotations and not by_annotation:
            found.append((("metadata", "annotations", TYPE),
                          f"Service {name} sets aws-load-balancer-type: {text(lb_type) or ''}: the legacy in-tree "
                          f"controller provisions it with instance targets", []))
        if not found:
            continue
        fix = _fix(service)
        for path, message, related in found:
            if any(service.is_unknown(*path[:i]) for i in range(1, len(path) + 1)):
                continue
            yield Violation(
                location=service.location(*path),
                message=message,
                object=service.ref,
                json_path=service.json_path(*service.prefix, *path),
                related=related,
                fix=fix,
            )


def _fix(service: Service) -> Fix | None:
    """The controller with IP targets: both annotations, as one change."""
    changes = all_of(set_value(service, ("metadata", "annotations", TYPE), "external"),
                     set_value(service, ("metadata", "annotations", TARGET), "ip"))
    return Fix(FIX_TITLE, changes) if changes else None


CHECK = Check("nlb-target-type-instance", check)
