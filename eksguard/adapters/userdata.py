"""What node bootstrap text says about max pods, whichever tool wrote it.

Terraform ``user_data`` (launch templates, node groups) and eksctl's
``overrideBootstrapCommand`` carry the same scripts: AL2 ``bootstrap.sh --max-pods``
(or the kubelet flag), a nodeadm ``NodeConfig`` with ``maxPods``, Bottlerocket TOML
``max-pods``. One reader here, so a setting is found the same way in every format.
"""

from __future__ import annotations

import re

from eksguard.adapters.source import text_position
from eksguard.model import UNKNOWN

_MAX_PODS = (
    re.compile(r"--max-pods[= ]+['\"]?(\S+?)['\"]?(?=[\s'\"]|$)"),        # AL2 bootstrap.sh / kubelet flag
    re.compile(r"\bmaxPods:[ \t]*['\"]?([^\s'\"#]+)"),                      # nodeadm NodeConfig
    re.compile(r"^[ \t]*\"?max-pods\"?[ \t]*=[ \t]*['\"]?([^\s'\"#]+)", re.M),  # Bottlerocket TOML
)

#: user data that joins an EKS cluster: a nodeadm NodeConfig, AL2 bootstrap.sh, Bottlerocket settings
_EKS_BOOTSTRAP = re.compile(r"application/node\.eks\.aws|\bkind:[ \t]*['\"]?NodeConfig\b|/etc/eks/bootstrap\.sh"
                            r"|^[ \t]*\[settings\.kubernetes\]", re.M)


def joins_eks(raw: str) -> bool:
    """Whether the text bootstraps an EKS node."""
    return _EKS_BOOTSTRAP.search(raw) is not None


def max_pods_in(raw: str) -> tuple[object, int, int] | None:
    """``(value, line, column)`` of the max pods the text sets (an int, or UNKNOWN when
    it is not a literal number, e.g. ``$MAX_PODS``), line and column 1-based within the
    text and pointing at the setting; None when the text sets none."""
    for pattern in _MAX_PODS:
        match = pattern.search(raw)
        if match is None:
            continue
        token = match.group(1)
        return (int(token) if token.isdigit() else UNKNOWN), *text_position(raw, match.start())
    return None
