"""EKS204: the aws-ebs-csi-driver add-on with no IAM for its controller.

IAM counts in any form the model knows: the add-on's ``service_account_role_arn``
(IRSA), a Pod Identity association for ``ebs-csi-controller-sa`` declared in the add-on
or standalone, or an IRSA-annotated ServiceAccount of that name. Values that cannot be
read count as IAM (quiet).
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import Addon, Platform, ServiceAccount
from eksguard.model.identity import declares_addon, may_share_cluster, unresolved

ADDON = "aws-ebs-csi-driver"
CONTROLLER_SA = "ebs-csi-controller-sa"


def _for_controller(pia) -> bool:
    account = pia.value("service_account")
    return unresolved(account) or account == CONTROLLER_SA


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    addons = [a for a in platform.of_kind(Addon)
              if isinstance(a.name, str) and a.name.lower() == ADDON and declares_addon(a)]
    if not addons:  # an ``update-addon`` keeps the IAM the add-on already has
        return
    if any(sa.name == CONTROLLER_SA and sa.irsa_role_arn for sa in platform.of_kind(ServiceAccount)):
        return
    # once, not per add-on: a repo declaring the driver in every cluster stays linear
    for_controller = [p for p in platform.pod_identity_associations() if _for_controller(p)]
    for addon in addons:
        if addon.setting("service_account_role_arn") is not None or addon.setting("pod_identity_associations"):
            continue
        if any(_for_controller(p) for p in addon.pod_identity_associations):
            continue
        own = {id(p) for p in addon.pod_identity_associations}
        if any(id(p) not in own and may_share_cluster(platform, p.cluster, addon.cluster) for p in for_controller):
            continue
        related = [Related(p.location, f"Pod Identity association for {p.display_name}, not for {CONTROLLER_SA}")
                   for p in addon.pod_identity_associations]
        yield Violation(
            location=addon.location,
            message=(
                f"add-on {ADDON} has neither a service account role (IRSA) nor a Pod Identity association for "
                f"kube-system/{CONTROLLER_SA}: the controller cannot create or attach volumes, and new "
                f"PersistentVolumeClaims stay Pending"
            ),
            object=addon.ref,
            json_path="/service_account_role_arn",
            related=related,
        )


CHECK = Check("ebs-csi-without-iam", check)
