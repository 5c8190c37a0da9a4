"""EKS606: Ingresses that share one ALB (an IngressGroup) and contradict each other.

Groups are the model's (:func:`eksguard.model.alb_groups`): the effective group name,
IngressClassParams ``spec.group.name`` over the annotation, across files and
namespaces. Reported, each with the other members as related locations:

- members that disagree on the scheme, or on any other setting the controller reads
  group-wide and refuses to merge (``ssl-redirect``, ``ip-address-type``,
  ``load-balancer-name``, ``subnets``, ``security-groups``, ``customer-owned-ipv4-pool``,
  ``manage-backend-security-group-rules``, a ``load-balancer-attributes`` key): the
  controller fails the whole group (``pkg/ingress/model_build_load_balancer.go``,
  ``model_builder.go``);
- members whose IngressClasses point at different IngressClassParams (classes without
  params are interchangeable), and Ingresses that name the group but belong to a class
  the controller does not serve;
- two members with the same explicit ``group.order``; and any ``group.order`` that is
  not an integer in -1000..1000, which fails the group (``group_loader.go``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from eksguard.checks import Check
from eksguard.findings import Location, Related, Violation
from eksguard.model import AlbBinding, AlbGroup, AlbValue, Ingress, IngressClass, Platform

ORDER = "alb.ingress.kubernetes.io/group.order"
GROUP = "alb.ingress.kubernetes.io/group.name"

# setting -> how two written values are compared (the controller's own comparison)
GROUP_WIDE: dict[str, Callable[[AlbValue], object]] = {
    "scheme": lambda v: v.text,
    "ssl-redirect": lambda v: (v.text or "").strip(),
    "ip-address-type": lambda v: v.text,
    "load-balancer-name": lambda v: v.text,
    "subnets": lambda v: frozenset(v.strings()) if not v.from_params else json.dumps(v.value, sort_keys=True),
    "security-groups": lambda v: frozenset(v.strings()),
    "customer-owned-ipv4-pool": lambda v: v.text,
    "manage-backend-security-group-rules": lambda v: (v.text or "").lower(),
}


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    groups = platform.alb_groups()
    named = {g.name: g for g in groups if g.name}
    for group in named.values():
        if len(group.members) > 1:
            for setting, key in GROUP_WIDE.items():
                yield from _disagree(group, setting, [(m, v, key(v)) for m, v in group.explicit(setting)])
            yield from _attributes(group)
            yield from _classes(group)
            yield from _reused_orders(group)
    for group in groups:
        for member in group.members:
            yield from _invalid_order(member, group)
    yield from _outsiders(platform, named)


REFUSED = "the AWS Load Balancer Controller fails to reconcile every Ingress of the group until they agree"


def _disagree(group: AlbGroup, setting: str, written: list[tuple[AlbBinding, AlbValue, object]],
              label: str | None = None, effect: str = REFUSED) -> Iterator[Violation]:
    if len({key for _, _, key in written}) < 2:
        return
    first = written[0][2]
    culprit, value, _ = next(item for item in written if item[2] != first)
    by_value: dict[str, list[str]] = {}
    for member, found, _ in written:
        by_value.setdefault(found.shown, []).append(member.ingress.display_name)
    summary = "; ".join(f"{v}: {', '.join(names)}" for v, names in by_value.items())
    what = label or setting
    yield Violation(
        location=value.location,
        message=f"IngressGroup {group.name}: Ingresses disagree on {what} ({summary}): {effect}",
        object=culprit.ingress.ref,
        json_path=f"/ingressGroup/{group.name}/{what}",
        related=[Related(found.location, f"Ingress {member.ingress.display_name}: {what} {found.shown} ({found.source})")
                 for member, found, _ in written if found is not value],
    )


def _attributes(group: AlbGroup) -> Iterator[Violation]:
    per_key: dict[str, list[tuple[AlbBinding, AlbValue, object]]] = {}
    for member in group.members:
        raw = member.annotation("load-balancer-attributes")
        if raw is None:
            continue
        where = member.ingress.location("metadata", "annotations", "alb.ingress.kubernetes.io/load-balancer-attributes")
        for pair in raw.split(","):
            attr, sep, val = pair.partition("=")
            if sep and attr.strip():
                found = AlbValue(val.strip(), where, "alb.ingress.kubernetes.io/load-balancer-attributes")
                per_key.setdefault(attr.strip(), []).append((member, found, val.strip()))
    for attr, written in per_key.items():
        yield from _disagree(group, "load-balancer-attributes", written, label=f"load-balancer-attributes {attr}")


def _classes(group: AlbGroup) -> Iterator[Violation]:
    written = [(m, AlbValue(m.class_label, m.class_location(), _class_source(m)), m.class_params_name)
               for m in group.members]
    yield from _disagree(group, "IngressClass", written, effect=(
        "they share one ALB, but each gets only its own class's IngressClassParams, so what one class enforces "
        "(scheme, certificates, inbound CIDRs, allowed namespaces) does not hold for the others"))


def _class_source(binding: AlbBinding) -> str:
    return {"annotation": "kubernetes.io/ingress.class annotation", "default class": "the default IngressClass"}.get(
        binding.via, "spec.ingressClassName")


def _order(member: AlbBinding) -> tuple[str, int | None] | None:
    raw = member.annotation("group.order")
    if raw is None:
        return None
    value = raw.strip()
    number = int(value) if re.fullmatch(r"[+-]?\d{1,19}", value) else None
    return raw, number if number is not None and -1000 <= number <= 1000 else None


def _reused_orders(group: AlbGroup) -> Iterator[Violation]:
    by_order: dict[int, list[AlbBinding]] = {}
    for member in group.members:
        order = _order(member)
        if order is not None and order[1] is not None:
            by_order.setdefault(order[1], []).append(member)
    for number, members in by_order.items():
        if len(members) < 2:
            continue
        names = ", ".join(m.ingress.display_name for m in members)
        culprit = members[1].ingress
        every = "both" if len(members) == 2 else "all"
        yield Violation(
            location=culprit.location("metadata", "annotations", ORDER),
            message=(f"IngressGroup {group.name}: Ingresses {names} {every} set group.order {number}: their rules are "
                     f"ordered by namespace/name instead, so which path or host rule wins depends on the names"),
            object=culprit.ref,
            json_path=culprit.json_path(*culprit.prefix, "metadata", "annotations", ORDER),
            related=[Related(m.ingress.location("metadata", "annotations", ORDER),
                             f"Ingress {m.ingress.display_name} sets group.order {number}")
                     for m in members if m.ingress is not culprit],
        )


def _invalid_order(member: AlbBinding, group: AlbGroup) -> Iterator[Violation]:
    order = _order(member)
    if order is None or order[1] is not None:
        return
    ingress = member.ingress
    which = f"IngressGroup {group.name}" if group.name else "its ALB"
    others = [Related(m.ingress.kind_location(), f"Ingress {m.ingress.display_name} is in the same group")
              for m in group.members if m is not member]
    yield Violation(
        location=ingress.location("metadata", "annotations", ORDER),
        message=(f"Ingress {ingress.display_name} sets group.order {order[0]!r}, not an integer in -1000..1000: "
                 f"the controller fails to load {which} and reconciles none of its Ingresses"),
        object=ingress.ref,
        json_path=ingress.json_path(*ingress.prefix, "metadata", "annotations", ORDER),
        related=others,
    )


def _outsiders(platform: Platform, named: dict[str, AlbGroup]) -> Iterator[Violation]:
    """Ingresses that name an ALB group in scope but whose class the controller does not serve."""
    for ingress in platform.of_kind(Ingress):
        group = named.get(ingress.annotations.get(GROUP, ""))
        if group is None or platform.alb_binding(ingress) is not None:
            continue
        label, where = _foreign_class(platform, ingress)
        if label is None:
            continue  # the class is not in scope: it may well be an ALB class
        yield Violation(
            location=where,
            message=(f"Ingress {ingress.display_name} names IngressGroup {group.name} but its class {label} is not "
                     f"served by the AWS Load Balancer Controller: it is not part of the group and its routes are "
                     f"not on the group's ALB"),
            object=ingress.ref,
            json_path=f"/ingressGroup/{group.name}/IngressClass",
            related=[Related(m.class_location(), f"Ingress {m.ingress.display_name} is in the group with class "
                                                 f"{m.class_label}") for m in group.members],
        )


def _foreign_class(platform: Platform, ingress: Ingress) -> tuple[str | None, Location]:
    annotated = ingress.class_annotation
    if annotated is not None:
        return annotated, ingress.location("metadata", "annotations", "kubernetes.io/ingress.class")
    klass = platform.find("IngressClass", ingress.class_name) if ingress.class_name else None
    if isinstance(klass, IngressClass):
        return f"{klass.name} (controller {klass.controller})", ingress.location("spec", "ingressClassName")
    return None, ingress.kind_location()


CHECK = Check("ingress-group-conflict", check)
