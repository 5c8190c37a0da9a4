"""EKS304: a SecurityGroupPolicy while the VPC CNI in scope leaves ENABLE_POD_ENI off.

Quiet when no CNI configuration is in scope, when any source turns ``ENABLE_POD_ENI``
on, or when its value cannot be read. One finding per SecurityGroupPolicy, at its ``kind:``
line, listing where the CNI is configured. On EKS the VPC resource controller's webhook
makes every pod a policy selects request ``vpc.amazonaws.com/pod-eni``, which only nodes
with a trunk ENI (``ENABLE_POD_ENI=true``) offer, so those pods stay Pending
(aws/amazon-vpc-cni-k8s issues 1348, 2494).
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import Platform, SecurityGroupPolicy
from eksguard.model.cni import POD_ENI, cni_config


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    policies = platform.of_kind(SecurityGroupPolicy)
    if not policies:
        return
    cni = cni_config(platform)
    if cni.enabled(POD_ENI) or cni.state(POD_ENI) is not False:
        return
    written = cni.settings(POD_ENI)
    if written:
        related = [Related(s.location, f"{src.label} sets {POD_ENI}={s.value}") for src, s in written]
    else:
        related = [Related(src.location, f"{src.label} leaves {POD_ENI} at its default, false")
                   for src in cni.sources if src.complete]
    where = written[0][0].label if written else cni.sources[0].label
    for policy in policies:
        yield Violation(
            location=policy.kind_location(),
            message=(
                f"SecurityGroupPolicy {policy.display_name} needs {POD_ENI}=true on the VPC CNI, but {where} "
                f"leaves it off: no node gets a trunk ENI, so the pods it selects (which EKS's webhook makes "
                f"request vpc.amazonaws.com/pod-eni) stay Pending"
            ),
            object=policy.ref,
            json_path=policy.json_path(*policy.prefix),
            related=related,
        )


CHECK = Check("sg-for-pods-without-pod-eni", check)
