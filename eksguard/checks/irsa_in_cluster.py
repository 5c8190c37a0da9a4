"""EKS203 (note): a ServiceAccount that uses IRSA where EKS Pod Identity would do.

Not for a role in another account than the cluster's (IRSA is the simple way to use a
role across accounts), when both accounts are known; the cluster's account comes from
:func:`eksguard.model.identity.cluster_account`. A ServiceAccount that also has a Pod
Identity association is EKS201's business.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.checks.irsa_and_pod_identity import associations_by_account
from eksguard.findings import Violation
from eksguard.model import Platform, ServiceAccount
from eksguard.model.identity import arn_account, cluster_account


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    paired = associations_by_account(platform)
    account = cluster_account(platform, None)
    for sa in platform.of_kind(ServiceAccount):
        arn = sa.irsa_role_arn
        if not arn or (sa.namespace or "", sa.name or "") in paired:
            continue
        role_account = arn_account(arn)
        if role_account and account and role_account != account:
            continue  # cross-account: IRSA is the straightforward choice
        annotation = ("metadata", "annotations", ServiceAccount.IRSA_ANNOTATION)
        yield Violation(
            location=sa.location(*annotation),
            message=(
                f"ServiceAccount {sa.display_name} uses IRSA ({arn.strip('<>')}): a Pod Identity association needs no "
                f"per-cluster OIDC provider and no trust policy edit for each new cluster"
            ),
            object=sa.ref,
            json_path=sa.json_path(*sa.prefix, *annotation),
        )


CHECK = Check("irsa-in-cluster", check)
