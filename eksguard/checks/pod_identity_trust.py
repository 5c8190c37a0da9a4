"""EKS205: a role used by Pod Identity whose trust policy does not let Pod Identity in.

Only roles defined in scope (``IAMRole`` with a readable ``trust_policy``) and matched
to an association by ARN, by name, or by the association's ``role_ref``. The trust
policy must allow the principal ``pods.eks.amazonaws.com`` both ``sts:AssumeRole`` and
``sts:TagSession``; wildcards (``sts:*``) count, an unconditional Deny wins.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import IamRole, Platform, PodIdentityAssociation
from eksguard.model.identity import POD_IDENTITY_PRINCIPAL, pod_identity_trust, roles_for


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    if not platform.of_kind(IamRole):
        return
    users: dict[int, tuple[IamRole, list[PodIdentityAssociation]]] = {}
    for pia in platform.pod_identity_associations():
        for role in roles_for(platform, pia):
            users.setdefault(id(role), (role, []))[1].append(pia)
    for role, pias in users.values():
        trust = role.setting("trust_policy")
        if trust is None or not trust.known:
            continue
        allowed, missing = pod_identity_trust(trust.value)
        if allowed is not False:
            continue
        accounts = ", ".join(sorted({p.display_name for p in pias}))
        yield Violation(
            location=trust.location,
            message=(
                f"IAM role {role.display_name} is used by Pod Identity ({accounts}) but its trust policy does not "
                f"allow {POD_IDENTITY_PRINCIPAL} {' and '.join(missing)}: the pods get AccessDenied instead of "
                f"credentials"
            ),
            object=role.ref,
            json_path="/trust_policy",
            related=[Related(p.location, f"Pod Identity association {p.display_name} uses this role") for p in pias],
        )


CHECK = Check("pod-identity-trust", check)
