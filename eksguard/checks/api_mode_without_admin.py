"""EKS103: authentication mode API, creator bootstrap off, and no cluster admin in scope.

Fires only when every fact is known: the mode is API (so aws-auth is no longer read),
``bootstrap_cluster_creator_admin_permissions`` is false (written, or the tool's
default: ``access_config {}`` without it sends false; the EKS module always sends false
and adds the creator through an access entry instead), and
:meth:`Platform.cluster_admin` finds no AmazonEKSClusterAdminPolicy at cluster scope
and nothing it cannot read. No cluster in scope, or a mode change without the
cluster's bootstrap flag (``aws eks update-cluster-config``), stays quiet.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Related, Violation
from eksguard.model import Cluster, ConfigMap, Platform
from eksguard.model.identity import cluster_setting


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for cluster in platform.of_kind(Cluster):
        mode = cluster.setting("authentication_mode")
        if mode is None or not isinstance(mode.value, str) or mode.value.upper() != "API":
            continue
        bootstrap = cluster_setting(platform, cluster, "bootstrap_cluster_creator_admin_permissions")
        if bootstrap is None or bootstrap.value not in (False, "false"):
            continue
        verdict = platform.cluster_admin(cluster)
        if verdict.granted is not False:
            continue
        related = [Related(bootstrap.location,
                           "creator admin bootstrap is off" + (" (the tool's default)" if bootstrap.default else ""))]
        related += verdict.near_misses
        related += [Related(cm.kind_location(), "aws-auth is not read in authentication mode API")
                    for cm in platform.of_kind(ConfigMap) if cm.is_aws_auth]
        yield Violation(
            location=mode.location,
            message=(
                f"cluster {cluster.display_name} uses authentication mode API with creator admin bootstrap off, "
                f"and no access entry in scope has AmazonEKSClusterAdminPolicy at cluster scope: nobody is "
                f"guaranteed to be able to administer the cluster"
            ),
            object=cluster.ref,
            json_path="/authentication_mode",
            related=related,
        )


CHECK = Check("api-mode-without-admin", check)
