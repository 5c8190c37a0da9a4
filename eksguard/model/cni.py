"""The Amazon VPC CNI configuration in scope, derived once from every place it is written.

Sources, whatever format they came from:

- the ``aws-node`` container of DaemonSet ``kube-system/aws-node`` in any manifest
  (plain YAML, Helm output, Terraform ``kubectl_manifest``...): what is written is what
  runs, so a variable it omits has ipamd's built-in default;
- ``env`` in the configuration values of the ``vpc-cni`` managed add-on (eksctl,
  Terraform, the EKS module, scripts): overrides on top of the add-on's own manifest;
- ``env`` in the values (and ``set``) of a ``helm_release`` of the ``aws-vpc-cni`` chart;
- :class:`~eksguard.model.aws.CniSettings` from ``kubectl set env daemonset aws-node``
  in scripts: a partial overlay on a DaemonSet this scan may not see.

The add-on and the chart render the same manifest, which sets ``WARM_PREFIX_TARGET=1``
and ``WARM_ENI_TARGET=1`` and writes every boolean below as ``"false"`` (aws/amazon-vpc-cni-k8s
``charts/aws-vpc-cni/values.yaml`` and ``config/master/aws-k8s-cni.yaml``; FACTS 5).

Every value keeps its :class:`Setting` (value and location) so findings can point at the
line that turned a feature on. Rules ask :func:`cni_config` and never walk the sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eksguard.findings import Location
from eksguard.model.aws import UNKNOWN, Addon, CniSettings, HelmRelease, Setting
from eksguard.model.base import K8sObject, text

PREFIX_DELEGATION = "ENABLE_PREFIX_DELEGATION"
POD_ENI = "ENABLE_POD_ENI"
CUSTOM_NETWORK = "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"
ENI_CONFIG_LABEL_DEF = "ENI_CONFIG_LABEL_DEF"
ENI_CONFIG_ANNOTATION_DEF = "ENI_CONFIG_ANNOTATION_DEF"
WARM_PREFIX_TARGET = "WARM_PREFIX_TARGET"
WARM_IP_TARGET = "WARM_IP_TARGET"
MINIMUM_IP_TARGET = "MINIMUM_IP_TARGET"
MAX_ENI = "MAX_ENI"

#: What the add-on's and the chart's manifest set when the user overrides nothing.
MANAGED_DEFAULTS = {
    PREFIX_DELEGATION: "false",
    POD_ENI: "false",
    CUSTOM_NETWORK: "false",
    WARM_PREFIX_TARGET: "1",
    "WARM_ENI_TARGET": "1",
}

_TRUE = {"1", "t", "true"}
_FALSE = {"0", "f", "false"}


def parse_bool(value: object) -> bool | None:
    """A boolean env value as ipamd reads it (Go ``strconv.ParseBool``); None if unknown.

    An unparsable value makes ipamd fall back to the default, false for every flag here.
    """
    if value is UNKNOWN:
        return None
    as_text = text(value)
    if as_text is None:
        return None
    lowered = as_text.strip().lower()
    return lowered in _TRUE


def parse_int(value: object) -> int | None:
    """An integer env value (``"1"``); None when unknown or not an integer."""
    if isinstance(value, bool) or value is UNKNOWN:
        return None
    if isinstance(value, int):
        return value
    as_text = text(value)
    try:
        return int(as_text.strip()) if as_text is not None else None
    except ValueError:
        return None


@dataclass
class CniSource:
    """One place the CNI is configured.

    ``complete``: a variable this source omits has a known default (a full manifest, the
    add-on, the chart); False for a ``kubectl set env`` overlay. ``opaque``: the source
    exists but its settings could not be read (add-on configuration values that are not
    literal), so nothing can be said about what it omits.
    """

    kind: str  # daemonset | addon | helm | script
    label: str  # for messages: "add-on vpc-cni", "DaemonSet kube-system/aws-node"
    location: Location
    env: dict[str, Setting] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    complete: bool = True
    opaque: bool = False
    eni_config: Setting | None = None  # add-on/chart ``eniConfig`` that creates ENIConfigs

    def default(self, name: str) -> str | None:
        return self.defaults.get(name)


@dataclass
class CniConfig:
    """Every CNI source in scope, and questions about a variable across all of them."""

    sources: list[CniSource] = field(default_factory=list)

    @property
    def known(self) -> bool:
        """Something in scope says how the CNI is configured (a full source)."""
        return any(s.complete and not s.opaque for s in self.sources)

    def settings(self, name: str) -> list[tuple[CniSource, Setting]]:
        """Every place ``name`` is written, in scan order."""
        return [(s, s.env[name]) for s in self.sources if name in s.env]

    def enabled(self, name: str) -> list[tuple[CniSource, Setting]]:
        """The places that turn boolean ``name`` on."""
        return [(s, setting) for s, setting in self.settings(name) if parse_bool(setting.value) is True]

    def state(self, name: str) -> bool | None:
        """Boolean ``name`` when every source agrees: written values, else the default
        (false) of the full sources. None when unknown, unreadable or contradictory."""
        written = [parse_bool(setting.value) for _, setting in self.settings(name)]
        if any(value is None for value in written):
            return None
        if written:
            return written[0] if len(set(written)) == 1 else None
        if any(s.opaque for s in self.sources) or not self.known:
            return None
        defaults = {parse_bool(s.default(name) or "false") for s in self.sources if s.complete}
        return defaults.pop() if len(defaults) == 1 else None

    def prefix_delegation(self) -> bool | None:
        """Prefix delegation as far as pod capacity goes: on if any source turns it on
        (the generous reading), else off when known, else None."""
        if self.enabled(PREFIX_DELEGATION):
            return True
        return self.state(PREFIX_DELEGATION)

    def custom_networking(self) -> bool:
        """Custom networking for capacity: on only when every source agrees it is on (it
        lowers capacity, so doubt reads as off)."""
        return self.state(CUSTOM_NETWORK) is True

    def max_eni(self) -> int | None:
        """``MAX_ENI`` when written once (or consistently) with a known integer."""
        values = {parse_int(setting.value) for _, setting in self.settings(MAX_ENI)}
        if len(values) == 1:
            value = values.pop()
            return value if value is not None and value > 0 else None
        return None

    def positive(self, name: str) -> list[tuple[CniSource, Setting | None]]:
        """Sources where integer ``name`` is (or defaults to) a positive number; a value
        that cannot be read counts as set (no guessing that it is zero)."""
        out: list[tuple[CniSource, Setting | None]] = []
        for source in self.sources:
            setting = source.env.get(name)
            if setting is not None and setting.value is None:
                continue  # ``kubectl set env NAME-`` removes it
            if setting is not None:
                number = parse_int(setting.value)
                if number is None and not _is_empty(setting.value) or (number is not None and number > 0):
                    out.append((source, setting))
            elif source.opaque or (parse_int(source.default(name)) or 0) > 0:
                out.append((source, None))
        return out

    def pd_locations(self) -> list[Location]:
        return [setting.location for _, setting in self.enabled(PREFIX_DELEGATION)]


def _is_empty(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def cni_config(platform) -> CniConfig:
    """The VPC CNI configuration of everything ``platform`` holds."""
    config = CniConfig()
    for obj in platform.kinds("DaemonSet"):
        source = _daemonset(obj)
        if source is not None:
            config.sources.append(source)
    for addon in platform.of_kind(Addon):
        if addon.name == "vpc-cni":
            config.sources.append(_addon(addon))
    for release in platform.of_kind(HelmRelease):
        if release.chart_name == "aws-vpc-cni":
            config.sources.append(_helm(release))
    for overlay in platform.of_kind(CniSettings):
        config.sources.append(
            CniSource("script", f"kubectl set env on {overlay.display_name}", overlay.location,
                      env=dict(overlay.settings), complete=False)
        )
    return config


def _daemonset(obj: K8sObject) -> CniSource | None:
    if obj.name != "aws-node" or obj.namespace != "kube-system":
        return None
    containers = obj.get("spec", "template", "spec", "containers")
    if not isinstance(containers, list):
        return None
    for index, container in enumerate(containers):
        if not isinstance(container, dict) or container.get("name") != "aws-node":
            continue
        source = CniSource("daemonset", f"DaemonSet {obj.display_name}", obj.kind_location())
        env = container.get("env")
        base = ("spec", "template", "spec", "containers", index, "env")
        for position, item in enumerate(env if isinstance(env, list) else ()):
            name = text(item.get("name")) if isinstance(item, dict) else None
            if not name:
                continue
            if "value" in item:
                value, where = text(item.get("value")), obj.location(*base, position, "value")
                value = "" if value is None else value
            else:
                value, where = UNKNOWN, obj.location(*base, position, "name")  # valueFrom
            source.env[name] = Setting(value, where)
        if container.get("envFrom"):
            source.opaque = True  # a ConfigMap may set anything
        return source
    return None


def _addon(addon: Addon) -> CniSource:
    source = CniSource("addon", "add-on vpc-cni", addon.location,
                       defaults=dict(MANAGED_DEFAULTS))
    values = addon.setting("configuration_values")
    if values is None:
        return source
    _read_values(source, values.value, values.location)
    return source


def _helm(release: HelmRelease) -> CniSource:
    source = CniSource("helm", f"Helm release {release.display_name} (aws-vpc-cni chart)", release.location,
                       defaults=dict(MANAGED_DEFAULTS))
    values = release.setting("values")
    if values is not None:
        _read_values(source, values.value, values.location)
    sets = release.setting("set")
    if sets is not None:
        if not isinstance(sets.value, dict):
            source.opaque = True
        else:
            for key, value in sets.value.items():
                if isinstance(key, str) and key.startswith("env."):
                    source.env[key[4:]] = Setting(value if value is UNKNOWN else (text(value) or ""), sets.location)
                elif key == "eniConfig.create":
                    source.eni_config = Setting(value, sets.location)
    return source


def _read_values(source: CniSource, values: object, where: Location) -> None:
    """``env`` and ``eniConfig`` of add-on configuration values or chart values."""
    if values is UNKNOWN or (values is not None and not isinstance(values, dict)):
        source.opaque = True
        return
    if not values:
        return
    env = values.get("env")
    if env is UNKNOWN:
        source.opaque = True
    elif isinstance(env, dict):
        for name, value in env.items():
            if isinstance(name, str):
                source.env[name] = Setting(value if value is UNKNOWN else (text(value) or ""), where)
    eni = values.get("eniConfig")
    if isinstance(eni, dict) and "create" in eni:
        source.eni_config = Setting(eni.get("create"), where)
