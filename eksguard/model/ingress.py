"""Which Ingresses the AWS Load Balancer Controller serves, and with which settings.

The controller decides per Ingress: ``spec.ingressClassName`` -> IngressClass ->
``spec.controller`` (and ``spec.parameters`` -> IngressClassParams, whose fields win
over annotations), else the legacy ``kubernetes.io/ingress.class`` annotation, else
the IngressClass marked default. Rules ask :func:`alb_binding` instead of re-deriving
this chain, so EKS601/EKS602/EKS604/EKS605/EKS606 agree on what "ALB-served" and
"grouped" mean; :class:`AlbBinding` resolves the settings IngressClassParams override
(scheme, certificate, ssl-redirect...) and :func:`alb_groups` gathers the Ingresses that
share one ALB.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eksguard.findings import Location
from eksguard.model.aws import UNKNOWN, HelmRelease, Setting
from eksguard.model.base import text
from eksguard.model.kubernetes import Ingress, IngressClass, IngressClassParams, Service

if TYPE_CHECKING:
    from eksguard.model import Platform

ALB_CONTROLLER = "ingress.k8s.aws/alb"
ALB_CLASS = "alb"  # the class the controller's chart creates
ANNOTATION = "alb.ingress.kubernetes.io/"

#: Annotation (without prefix) -> the IngressClassParams ``spec`` field that wins over it
#: when set (LBC ``docs/guide/ingress/ingress_class.md``; the model builders in
#: ``pkg/ingress`` read the params before the annotation).
PARAMS_FIELDS = {
    "scheme": "scheme",
    "target-type": "targetType",
    "certificate-arn": "certificateArn",
    "ssl-redirect": "sslRedirectPort",
    "ssl-policy": "sslPolicy",
    "inbound-cidrs": "inboundCIDRs",
    "ip-address-type": "ipAddressType",
    "load-balancer-name": "loadBalancerName",
    "subnets": "subnets",
}


@dataclass(frozen=True)
class AlbValue:
    """A setting as the controller resolves it for one Ingress: the value as written,
    where, and by what (``IngressClassParams <name> spec.<field>`` or the annotation)."""

    value: object
    location: Location
    source: str
    from_params: bool = False

    @property
    def text(self) -> str | None:
        return text(self.value)

    @property
    def shown(self) -> str:
        """The value for messages: a list joined with commas, a mapping as JSON."""
        if isinstance(self.value, list):
            return ",".join(self.strings())
        if isinstance(self.value, dict):
            return json.dumps(self.value, sort_keys=True)
        return self.text or "?"

    def strings(self) -> list[str]:
        """A stringList value: a YAML list (params) or a comma-separated annotation."""
        if isinstance(self.value, list):
            return [t.strip() for t in (text(v) for v in self.value) if t and t.strip()]
        raw = text(self.value) or ""
        return [part.strip() for part in raw.split(",") if part.strip()]


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

    # -- settings resolved the controller's way (params first) ------------------------
    def is_unknown(self, name: str) -> bool:
        """The setting is written but its value could not be resolved statically (a
        Terraform variable, a function call): rules that depend on it stay quiet."""
        if name == "group.name":
            if self.params is not None and self.params.get("spec", "group", "name") is UNKNOWN:
                return True
        field_name = PARAMS_FIELDS.get(name)
        if self.params is not None and field_name is not None:
            value = self.params.get("spec", field_name)
            if value is UNKNOWN:
                return True
            if value not in (None, "", [], {}):
                return False  # a known params value wins over the annotation
        annotations = self.ingress.metadata.get("annotations")
        return isinstance(annotations, dict) and annotations.get(ANNOTATION + name) is UNKNOWN

    def setting(self, name: str) -> AlbValue | None:
        """``alb.ingress.kubernetes.io/<name>`` as the controller reads it for this
        Ingress: the IngressClassParams field that overrides it when that is set, else the
        annotation; None when neither is written (the controller default applies) or
        when the value is unknown (ask :meth:`is_unknown`)."""
        if self.is_unknown(name):
            return None
        field_name = PARAMS_FIELDS.get(name)
        if self.params is not None and field_name is not None:
            value = self.params.get("spec", field_name)
            if value not in (None, "", [], {}):
                return AlbValue(value, self.params.location("spec", field_name),
                                f"IngressClassParams {self.params.name} spec.{field_name}", from_params=True)
        raw = self.annotation(name)
        if raw is None:
            return None
        key = ANNOTATION + name
        return AlbValue(raw, self.ingress.location("metadata", "annotations", key), key)

    @property
    def scheme(self) -> str | None:
        """The scheme this Ingress asks for (params win), None when it asks for none."""
        found = self.setting("scheme")
        return found.text if found else None

    @property
    def certificate_arns(self) -> list[str]:
        """Explicit certificates: params ``certificateArn`` win over the annotation."""
        found = self.setting("certificate-arn")
        return found.strings() if found else []

    @property
    def listen_ports_written(self) -> bool:
        return self.annotation("listen-ports") is not None

    @property
    def listen_ports(self) -> list[tuple[str, int]] | None:
        """The listeners this Ingress's rules go on, as ``(protocol, port)``.

        Without the annotation the controller uses ``HTTPS:443`` when the Ingress has an
        explicit certificate and ``HTTP:80`` otherwise (``computeIngressListenPorts``).
        None when the annotation does not parse: the controller rejects the Ingress."""
        raw = self.annotation("listen-ports")
        if raw is None:
            return [("HTTPS", 443)] if self.certificate_arns else [("HTTP", 80)]
        try:
            entries = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(entries, list) or not entries:
            return None
        ports: list[tuple[str, int]] = []
        for entry in entries:
            if not isinstance(entry, dict):
                return None
            for protocol, port in entry.items():
                if protocol not in ("HTTP", "HTTPS") or isinstance(port, bool) or not isinstance(port, int):
                    return None
                ports.append((protocol, port))
        return ports

    @property
    def actions(self) -> dict[str, dict]:
        """The ``alb.ingress.kubernetes.io/actions.<name>`` custom actions, parsed;
        actions whose JSON does not parse are left out (the controller rejects them)."""
        prefix = ANNOTATION + "actions."
        out: dict[str, dict] = {}
        for key, value in self.ingress.annotations.items():
            if not key.startswith(prefix):
                continue
            try:
                action = json.loads(value)
            except ValueError:
                continue
            if isinstance(action, dict):
                out[key[len(prefix):]] = action
        return out

    @property
    def redirects_to_https(self) -> bool:
        """A custom action that redirects to HTTPS (the pre-``ssl-redirect`` idiom)."""
        for action in self.actions.values():
            config = action.get("RedirectConfig")
            if str(action.get("Type", "")).lower() == "redirect" and isinstance(config, dict) \
                    and str(config.get("Protocol", "")).upper() == "HTTPS":
                return True
        return False

    @property
    def hosts(self) -> set[str]:
        """Hosts of ``spec.rules`` and ``spec.tls``: what certificate discovery looks up."""
        found: set[str] = set()
        rules = self.ingress.get("spec", "rules")
        for rule in rules if isinstance(rules, list) else ():
            host = text(rule.get("host")) if isinstance(rule, dict) else None
            if host:
                found.add(host)
        tls = self.ingress.get("spec", "tls")
        for entry in tls if isinstance(tls, list) else ():
            hosts = entry.get("hosts") if isinstance(entry, dict) else None
            for host in hosts if isinstance(hosts, list) else ():
                if text(host):
                    found.add(text(host))
        return found

    def target_services(self, platform: "Platform") -> dict[str, Service | None]:
        """Backend Services that become ALB target groups, by name, with the Service
        when it is in scope. Backends on port ``use-annotation`` are
        ``actions.<name>`` (redirects, fixed responses), not targets."""
        names: set[str] = set()

        def add(backend: object) -> None:
            service = backend.get("service") if isinstance(backend, dict) else None
            if isinstance(service, dict):
                port = service.get("port")
                if isinstance(port, dict) and text(port.get("name")) == "use-annotation":
                    return
                if text(service.get("name")):
                    names.add(text(service.get("name")))
            elif isinstance(backend, dict) and text(backend.get("serviceName")):  # extensions/v1beta1
                if text(backend.get("servicePort")) != "use-annotation":
                    names.add(text(backend.get("serviceName")))

        add(self.ingress.get("spec", "defaultBackend"))
        add(self.ingress.get("spec", "backend"))
        rules = self.ingress.get("spec", "rules")
        for rule in rules if isinstance(rules, list) else ():
            http = rule.get("http") if isinstance(rule, dict) else None
            paths = http.get("paths") if isinstance(http, dict) else None
            for path in paths if isinstance(paths, list) else ():
                if isinstance(path, dict):
                    add(path.get("backend"))
        out: dict[str, Service | None] = {}
        for name in sorted(names):
            found = platform.find("Service", name, self.ingress.namespace)
            out[name] = found if isinstance(found, Service) else None
        return out

    @property
    def class_params_name(self) -> str | None:
        """The IngressClassParams the class points at (None: no params). Classes without
        params are interchangeable for the controller; the params are what differ."""
        ref = self.ingress_class.parameters_ref if self.ingress_class is not None else None
        return ref[1] if ref is not None else None

    @property
    def class_label(self) -> str:
        """The IngressClass for messages: its name (the legacy annotation and a class not
        in scope read as ``alb``) and the IngressClassParams it points at."""
        name = (self.ingress_class.name or "?") if self.ingress_class is not None else ALB_CLASS
        params = self.class_params_name
        return f"{name} (IngressClassParams {params})" if params else f"{name} (no IngressClassParams)"

    def class_location(self) -> Location:
        if self.via == "annotation":
            return self.ingress.location("metadata", "annotations", "kubernetes.io/ingress.class")
        if self.via == "default class":
            return self.ingress.kind_location()
        return self.ingress.location("spec", "ingressClassName")


def alb_binding(platform: "Platform", ingress: Ingress) -> AlbBinding | None:
    """The ALB binding of ``ingress``, or None when another controller serves it.

    Mirrors the controller's ``classifyIngress``: the legacy annotation is looked at
    first and, when it says ``alb``, the Ingress gets an empty class configuration (no
    IngressClass, no IngressClassParams); otherwise ``spec.ingressClassName``; with
    neither, the single IngressClass marked default.
    """
    if ingress.is_unknown("metadata", "annotations") or ingress.is_unknown("spec", "ingressClassName"):
        return None  # which controller serves it cannot be told
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


@dataclass
class AlbGroup:
    """The Ingresses in scope that share one ALB: an explicit IngressGroup (``name``), or
    the implicit group of a single Ingress (``name`` None).

    Members whose class points at IngressClassParams the scan did not see, or whose
    group name is not resolvable, are left out: their group (and every setting the params
    could override) is unknown.
    """

    name: str | None
    members: list[AlbBinding] = field(default_factory=list)
    #: Answers of :meth:`unknown` and :meth:`explicit` per setting. Checks ask the group
    #: once per member; a group of hundreds of Ingresses would otherwise be quadratic.
    #: Filled on first use, after :func:`alb_groups` has added every member.
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def unknown(self, setting: str) -> bool:
        """Some member writes ``setting`` with a value that could not be resolved."""
        key = ("unknown", setting)
        if key not in self._memo:
            self._memo[key] = any(member.is_unknown(setting) for member in self.members)
        return self._memo[key]

    def explicit(self, setting: str) -> list[tuple[AlbBinding, AlbValue]]:
        """Members that write ``setting`` (params first), in scan order."""
        key = ("explicit", setting)
        if key not in self._memo:
            out = []
            for member in self.members:
                found = member.setting(setting)
                if found is not None:
                    out.append((member, found))
            self._memo[key] = out
        return list(self._memo[key])

    @property
    def scheme(self) -> AlbValue | None:
        """The ALB's scheme when the members agree: the one explicit value, None when no
        member writes one (the controller default ``internal`` applies). Conflicting
        values make the controller fail the group: :attr:`scheme_conflict`; a member
        whose scheme is unknown makes it unknown (None) too."""
        written = self.explicit("scheme")
        if not written or self.scheme_conflict or self.unknown("scheme"):
            return None
        return written[0][1]

    @property
    def scheme_conflict(self) -> bool:
        return len({value.text for _, value in self.explicit("scheme")}) > 1

    @property
    def internet_facing(self) -> bool:
        scheme = self.scheme
        return scheme is not None and scheme.text == "internet-facing"

    @property
    def ssl_redirect(self) -> AlbValue | None:
        """The group-wide HTTP-to-HTTPS redirect: once one member (or its params) sets
        ``ssl-redirect``, every HTTP listener of the ALB only redirects."""
        written = self.explicit("ssl-redirect")
        return written[0][1] if written else None


def alb_groups(platform: "Platform") -> list[AlbGroup]:
    """Every ALB in scope, as the AWS Load Balancer Controller groups Ingresses: by the
    effective group name (IngressClassParams ``spec.group.name`` over the annotation),
    across files and namespaces; an Ingress without a group is a group of its own."""
    groups: dict[object, AlbGroup] = {}
    for ingress in platform.of_kind(Ingress):
        binding = alb_binding(platform, ingress)
        if binding is None or not binding.params_known or binding.is_unknown("group.name"):
            continue
        name = binding.group_name
        key: object = ("group", name) if name else ("implicit", id(ingress))
        groups.setdefault(key, AlbGroup(name)).members.append(binding)
    return list(groups.values())


CONTROLLER_CHART = "aws-load-balancer-controller"
_TARGET_TYPE_FLAG = "--default-target-type="


def default_target_type(platform: "Platform") -> Setting | None:
    """The controller's ``--default-target-type`` when the scan installs the controller.

    Read from a ``helm_release`` of the ``aws-load-balancer-controller`` chart (its
    ``defaultTargetType`` value, from ``values`` or ``set``) or from the controller's
    Deployment (the flag in its container args, e.g. rendered chart output). None when
    the controller is not in scope or does not set it (the controller default is
    ``instance``); a Setting with UNKNOWN when it is set but cannot be read; when several
    installations disagree, UNKNOWN as well (rules stay quiet).
    """
    found: list[Setting] = []
    for release in platform.of_kind(HelmRelease):
        if release.chart_name != CONTROLLER_CHART:
            continue
        sets = release.setting("set")
        values = release.setting("values")
        if sets is not None and isinstance(sets.value, dict) and "defaultTargetType" in sets.value:
            found.append(Setting(sets.value["defaultTargetType"], sets.location))
        elif values is not None and isinstance(values.value, dict) and "defaultTargetType" in values.value:
            found.append(Setting(values.value["defaultTargetType"], values.location))
        elif (values is not None and not isinstance(values.value, dict)) or (
            sets is not None and not isinstance(sets.value, dict)
        ):
            found.append(Setting(UNKNOWN, release.location))
    for deployment in platform.kinds("Deployment"):
        if deployment.name != CONTROLLER_CHART and deployment.labels.get("app.kubernetes.io/name") != CONTROLLER_CHART:
            continue
        containers = deployment.get("spec", "template", "spec", "containers", default=[])
        for index, container in enumerate(containers if isinstance(containers, list) else []):
            args = container.get("args") if isinstance(container, dict) else None
            for position, arg in enumerate(args if isinstance(args, list) else []):
                if isinstance(arg, str) and arg.startswith(_TARGET_TYPE_FLAG):
                    where = deployment.location("spec", "template", "spec", "containers", index, "args", position)
                    found.append(Setting(arg[len(_TARGET_TYPE_FLAG):], where))
    if not found:
        return None
    values_seen = {repr(s.value) for s in found}
    return found[0] if len(values_seen) == 1 else Setting(UNKNOWN, found[0].location)
