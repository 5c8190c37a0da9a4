"""EKS201: one (namespace, ServiceAccount) with both an IRSA annotation and a Pod Identity association.

The annotation comes from any ServiceAccount in the model (YAML, Helm output,
``kubernetes_service_account``, eksctl ``iam.serviceAccounts``); the association from
any format (standalone, or declared inside an add-on).
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.checks.fixing import remove_value
from eksguard.findings import Related, Violation
from eksguard.fixes import Fix
from eksguard.model import Platform, PodIdentityAssociation, ServiceAccount
from eksguard.model.identity import association_key


def associations_by_account(platform: Platform) -> dict[tuple[str, str], list[PodIdentityAssociation]]:
    index: dict[tuple[str, str], list[PodIdentityAssociation]] = {}
    for pia in platform.pod_identity_associations():
        key = association_key(pia)
        if key is not None:
            index.setdefault(key, []).append(pia)
    return index


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    index = associations_by_account(platform)
    for sa in platform.of_kind(ServiceAccount):
        arn = sa.irsa_role_arn
        pias = index.get((sa.namespace or "", sa.name or "")) if arn else None
        if not pias:
            continue
        roles = sorted({str(p.value("role_arn")) for p in pias if p.value("role_arn") is not None})
        shown = f" (role {', '.join(roles)})" if roles else ""
        annotation = ("metadata", "annotations", ServiceAccount.IRSA_ANNOTATION)
        irsa = (f"an IRSA role ({arn.strip('<>')})" if arn.startswith("<")
                else f"the IRSA annotation {ServiceAccount.IRSA_ANNOTATION}: {arn}")
        yield Violation(
            location=sa.location(*annotation),
            message=(
                f"ServiceAccount {sa.display_name} has {irsa} and a Pod Identity association{shown}: its pods get "
                f"two credential sources and which role they use depends on the SDK"
            ),
            object=sa.ref,
            json_path=sa.json_path(*sa.prefix, *annotation),
            related=[Related(p.location, f"Pod Identity association for {sa.display_name}") for p in pias],
            fix=_fix(sa, annotation),
        )


def _fix(sa: ServiceAccount, annotation: tuple):
    """Drop the annotation from a ServiceAccount manifest (YAML, or YAML in a heredoc;
    rendered Helm output gets it as a suggestion for the chart). Not for a ServiceAccount
    eksctl creates from ``iam.serviceAccounts`` (the entry, and the IRSA role eksctl made,
    have to go: a decision, not an edit), nor for HCL blocks."""
    if sa.origin.format == "eksctl" or not isinstance(sa.get(*annotation), str):
        return None
    changes = remove_value(sa, annotation)
    return Fix(f"remove the {ServiceAccount.IRSA_ANNOTATION} annotation", changes) if changes else None


CHECK = Check("irsa-and-pod-identity", check)
