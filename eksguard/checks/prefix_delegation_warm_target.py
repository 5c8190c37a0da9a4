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
from eksguard.model import Platform
from eksguard.model.cni import (
    MINIMUM_IP_TARGET, PREFIX_DELEGATION, WARM_IP_TARGET, WARM_PREFIX_TARGET, cni_config, parse_int,
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
        )


CHECK = Check("prefix-delegation-without-warm-target", check)
