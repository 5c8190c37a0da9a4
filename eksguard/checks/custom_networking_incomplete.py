"""EKS305: custom networking on, with no ENIConfig in scope and no ENI_CONFIG_LABEL_DEF.

ENIConfigs count whatever wrote them (a manifest, Helm output, Terraform), and so does
an ``eniConfig`` block of the add-on or chart values that creates them. ``ENI_CONFIG_
ANNOTATION_DEF`` counts like ``ENI_CONFIG_LABEL_DEF`` (it names the mapping the same way,
and wins over it in ipamd). A source whose settings cannot be read keeps the rule quiet.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import ENIConfig, Platform
from eksguard.model.cni import (
    CUSTOM_NETWORK, ENI_CONFIG_ANNOTATION_DEF, ENI_CONFIG_LABEL_DEF, cni_config, parse_bool,
)


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    cni = cni_config(platform)
    turned_on = cni.enabled(CUSTOM_NETWORK)
    if not turned_on or platform.of_kind(ENIConfig):
        return
    if cni.settings(ENI_CONFIG_LABEL_DEF) or cni.settings(ENI_CONFIG_ANNOTATION_DEF):
        return
    if any(src.opaque for src in cni.sources):
        return
    if any(src.eni_config is not None and parse_bool(src.eni_config.value) is not False for src in cni.sources):
        return  # the add-on or chart creates ENIConfigs (or may: value not literal)
    source, setting = turned_on[0]
    yield Violation(
        location=setting.location,
        message=(
            f"{source.label} turns custom networking on ({CUSTOM_NETWORK}=true) with no ENIConfig in scope and no "
            f"{ENI_CONFIG_LABEL_DEF}: a node whose k8s.amazonaws.com/eniConfig label names no ENIConfig gets no "
            f"secondary ENIs, and its pods no IPs"
        ),
        json_path=f"/env/{CUSTOM_NETWORK}",
        related=[Related(s.location, f"custom networking is also turned on here ({src.label})")
                 for src, s in turned_on[1:]],
    )


CHECK = Check("custom-networking-incomplete", check)
