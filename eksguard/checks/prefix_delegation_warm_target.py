"""EKS303: prefix delegation on with no warm target, so ipamd keeps no free prefix warm.

With prefix delegation ipamd's warm target is ``WARM_PREFIX_TARGET`` (not
``WARM_ENI_TARGET``); left at 0, the pool counts as low only when no free IP is left
(aws/amazon-vpc-cni-k8s ``pkg/ipamd/ipamd.go`` ``isDatastorePoolTooLow``), and the
project documents zero as unsupported with prefix delegation
(``docs/prefix-and-ip-target.md``).

``WARM_PREFIX_TARGET``, ``WARM_IP_TARGET`` and ``MINIMUM_IP_TARGET`` all count. The
managed add-on and the aws-vpc-cni chart already set ``WARM_PREFIX_TARGET=1`` by default
(:data:`eksguard.model.cni.MANAGED_DEFAULTS`), so the rule fires only where the gap is
certain: a full aws-node manifest that omits all three, or a ``WARM_PREFIX_TARGET`` of 0
or less written anywhere. A ``kubectl set env`` overlay alone says nothing about the
DaemonSet it changes, so it never fires on its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.fixes import AppendItem, Fix, ReplaceToken, SetKey
from eksguard.model import Addon, Platform, text
from eksguard.model.cni import (
    MINIMUM_IP_TARGET, PREFIX_DELEGATION, WARM_IP_TARGET, WARM_PREFIX_TARGET, CniSource, cni_config, parse_int,
)

TARGETS = (WARM_PREFIX_TARGET, WARM_IP_TARGET, MINIMUM_IP_TARGET)


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    cni = cni_config(platform)
    turned_on = cni.enabled(PREFIX_DELEGATION)
    if not turned_on or any(cni.positive(name) for name in TARGETS):
        return
    zeroed = [(src, s) for src, s in cni.settings(WARM_PREFIX_TARGET) if (parse_int(s.value) or 0) <= 0]
    lacking = [src for src in cni.sources if src.complete and not src.opaque]  # none is positive anywhere
    pd_related = [Related(s.location, f"prefix delegation is turned on here ({src.label})") for src, s in turned_on]
    if zeroed:
        source, setting = zeroed[0]
        yield Violation(
            location=setting.location,
            message=(
                f"{source.label} sets {WARM_PREFIX_TARGET}={setting.value} with prefix delegation on and no "
                f"{WARM_IP_TARGET} or {MINIMUM_IP_TARGET}: ipamd keeps no free /28 warm, so pods "
                f"started in a burst wait on EC2 calls for new prefixes"
            ),
            json_path=f"/env/{WARM_PREFIX_TARGET}",
            related=pd_related,
            fix=_zeroed_fix(platform, source, setting),
        )
    elif lacking:
        source, setting = turned_on[0]
        who = (f"{source.label} turns prefix delegation on but sets" if source is lacking[0]
               else f"prefix delegation is on ({source.label}) but {lacking[0].label} sets")
        yield Violation(
            location=setting.location,
            message=(
                f"{who} no positive {' / '.join(TARGETS)}: ipamd keeps no free /28 warm, so pods started "
                f"in a burst wait on EC2 calls for new prefixes"
            ),
            json_path=f"/env/{PREFIX_DELEGATION}",
            related=pd_related[1:] + [Related(src.location, f"{src.label} sets no warm target") for src in lacking],
            fix=_lacking_fix(platform, lacking),
        )


TITLE = f"set {WARM_PREFIX_TARGET}=1"


def _aws_node(platform: Platform, source: CniSource):
    """The aws-node DaemonSet a ``daemonset`` source was read from, and the path of its
    ``aws-node`` container's env list."""
    for obj in platform.kinds("DaemonSet"):
        if obj.kind_location() != source.location:
            continue
        containers = obj.get("spec", "template", "spec", "containers")
        for index, container in enumerate(containers if isinstance(containers, list) else ()):
            if isinstance(container, dict) and container.get("name") == "aws-node":
                return obj, ("spec", "template", "spec", "containers", index, "env")
    return None, ()


def _lacking_fix(platform: Platform, lacking: list[CniSource]) -> Fix | None:
    """Append ``WARM_PREFIX_TARGET: "1"`` to the env of every aws-node manifest that
    sets no warm target (a plain list only: ``envFrom`` sources are opaque and skipped)."""
    changes = []
    for source in lacking:
        obj, env = _aws_node(platform, source) if source.kind == "daemonset" else (None, ())
        if obj is None or not isinstance(obj.get(*env, default=[]), list):
            return None
        changes.append(AppendItem(obj, env, {"name": WARM_PREFIX_TARGET, "value": "1"}))
    return Fix(f"add {WARM_PREFIX_TARGET}=1 to the aws-node env", tuple(changes)) if changes else None


def _zeroed_fix(platform: Platform, source: CniSource, setting) -> Fix | None:
    """The zero (or negative) value becomes 1 where it is written literally: the env item
    of an aws-node manifest, the add-on's configuration values on the line the adapter
    recorded (an eksctl JSON string, an inline Terraform ``jsonencode``), a ``kubectl set
    env`` argument. Elsewhere (a value on another line of a multi-line map, chart values)
    there is no exact place to edit."""
    if source.kind == "daemonset":
        obj, env = _aws_node(platform, source)
        items = obj.get(*env) if obj is not None else None
        for position, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict) and text(item.get("name")) == WARM_PREFIX_TARGET and "value" in item:
                return Fix(TITLE, (SetKey(obj, (*env, position, "value"), "1"),))
        return None
    old = text(setting.value)
    if not old or not old.strip():
        return None
    if source.kind == "script":
        return Fix(TITLE, (ReplaceToken(setting.location, old.strip(), "1", follows=f"{WARM_PREFIX_TARGET}="),))
    if source.kind == "addon" and any(a.name == "vpc-cni" and a.location_of("configuration_values") == setting.location
                                      for a in platform.of_kind(Addon)):
        return Fix(TITLE, (ReplaceToken(setting.location, old.strip(), "1", follows=WARM_PREFIX_TARGET),))
    return None


CHECK = Check("prefix-delegation-without-warm-target", check)
