"""EKS701: the cluster's API server endpoint is public and open to the whole internet.

Reads ``endpoint_public_access`` and ``public_access_cidrs`` of every cluster in the
model, tool defaults included (adapters record them with ``default=True`` at the object
that omits them): a bare ``aws_eks_cluster``, an eksctl ClusterConfig and ``aws eks
create-cluster`` are public to ``0.0.0.0/0``; the terraform-aws-modules/eks module is
private unless told otherwise. An empty allowlist means EKS's own default, ``0.0.0.0/0``.
An allowlist that is not said at all (``update-cluster-config`` keeps the current one)
or unknown (a variable with no literal default) keeps the rule quiet.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import Cluster, Platform


def _open(cidr: object) -> bool:
    try:
        return ipaddress.ip_network(str(cidr).strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for cluster in platform.of_kind(Cluster):
        public = cluster.setting("endpoint_public_access")
        if public is None or public.value is not True:
            continue
        cidrs = cluster.setting("public_access_cidrs")
        if cidrs is None or not cidrs.known or not isinstance(cidrs.value, list):
            continue  # not said (e.g. an update that keeps the allowlist) or unknown
        opened = [c for c in cidrs.value if _open(c)]
        if cidrs.value and not opened:
            continue
        name = cluster.display_name
        public_how = "by the tool's default" if public.default else "explicitly"
        if opened:
            how = f"public_access_cidrs {', '.join(map(str, opened))}" + (" (the default)" if cidrs.default else "")
            location = public.location if cidrs.default else cidrs.location
        else:
            how = "an empty public_access_cidrs allowlist (EKS then allows 0.0.0.0/0)"
            location = cidrs.location
        related = []
        if cidrs.location != location:
            related.append(Related(cidrs.location, "public access CIDRs" + (" (default)" if cidrs.default else "")))
        if public.location != location:
            related.append(Related(public.location, "public endpoint access" + (" (default)" if public.default else "")))
        yield Violation(
            location=location,
            message=(f"EKS cluster {name} has a public API server endpoint ({public_how}) with {how}: anyone on the "
                     f"internet can reach the Kubernetes API and try credentials or exploits against it"),
            object=cluster.ref,
            json_path="/public_access_cidrs",
            related=related,
        )


CHECK = Check("public-endpoint-open", check)
