"""eksctl ClusterConfig lifted into the model, with exact positions and eksctl's defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from eksguard.engine.runner import scan
from eksguard.model import AccessEntry, Addon, Cluster, NodeGroup, PodIdentityAssociation, ServiceAccount

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "testdata" / "eksctl" / "cluster.yaml"


@pytest.fixture(scope="module")
def platform(plugins):
    return scan([str(CONFIG)], plugins, cwd=ROOT).platform


def where(setting):
    return (setting.location.line, setting.location.column)


def test_cluster_settings_and_positions(platform):
    (cluster,) = platform.of_kind(Cluster)
    assert cluster.name == "platform-prod"
    assert cluster.location.path == "testdata/eksctl/cluster.yaml" and cluster.location.line == 3
    assert cluster.value("version") == "1.30"  # unquoted 1.30 keeps its text
    assert where(cluster.setting("version")) == (8, 3)
    assert cluster.value("authentication_mode") == "API" and where(cluster.setting("authentication_mode")) == (11, 3)
    assert cluster.value("bootstrap_cluster_creator_admin_permissions") is False
    assert cluster.value("endpoint_private_access") is True
    assert cluster.value("public_access_cidrs") == ["203.0.113.0/24"] and where(cluster.setting("public_access_cidrs")) == (26, 3)
    assert cluster.value("secrets_encryption") is True
    assert cluster.value("log_types") == ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def test_defaults_are_marked(plugins, tmp_path):
    path = tmp_path / "bare.yaml"
    path.write_text("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: lab, region: us-east-1}\n")
    (cluster,) = scan([str(path)], plugins, cwd=tmp_path).platform.of_kind(Cluster)
    for key, value in [("authentication_mode", "API_AND_CONFIG_MAP"), ("endpoint_public_access", True),
                       ("endpoint_private_access", False), ("public_access_cidrs", ["0.0.0.0/0"]),
                       ("secrets_encryption", False), ("log_types", [])]:
        setting = cluster.setting(key)
        assert setting.value == value and setting.default, key
        assert setting.location.line == 2  # the kind: line of the config


def test_addons(platform):
    addons = {a.name: a for a in platform.of_kind(Addon)}
    cni = addons["vpc-cni"]
    assert cni.cluster == "platform-prod"
    assert cni.value("resolve_conflicts_on_update") == "OVERWRITE"
    assert where(cni.setting("resolve_conflicts_on_update")) == (50, 5)
    assert cni.value("configuration_values") == {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}
    ebs = addons["aws-ebs-csi-driver"]
    (assoc,) = ebs.pod_identity_associations
    assert assoc.value("namespace") == "kube-system" and assoc.setting("namespace").default
    assert assoc.value("service_account") == "ebs-csi-controller-sa"


def test_access_entries(platform):
    entries = {e.name: e for e in platform.of_kind(AccessEntry)}
    admins = entries["arn:aws:iam::111122223333:role/platform-admins"]
    assert admins.value("type") == "STANDARD" and admins.setting("type").default
    (policy,) = admins.policies
    assert policy.policy_arn.value.endswith("AmazonEKSClusterAdminPolicy")
    assert policy.scope_type.value == "cluster" and where(policy.scope_type) == (18, 13)
    nodes = entries["arn:aws:iam::111122223333:role/KarpenterNodeRole-platform-prod"]
    assert nodes.value("type") == "EC2_LINUX"


def test_pod_identity_and_irsa(platform):
    associations = {p.name for p in platform.of_kind(PodIdentityAssociation)}
    assert associations == {"payments/checkout-sa", "kube-system/ebs-csi-controller-sa"}
    (account,) = platform.of_kind(ServiceAccount)
    assert (account.namespace, account.name) == ("kube-system", "external-dns")
    assert account.irsa_role_arn
    assert account.location("metadata", "annotations", "eks.amazonaws.com/role-arn").line == 41


def test_node_groups(platform):
    groups = {g.name: g for g in platform.of_kind(NodeGroup)}
    system = groups["system"]
    assert system.value("managed") is True and system.value("instance_types") == ["m6i.large", "m6a.large"]
    assert system.value("custom_ami") is False and system.value("capacity_type") == "ON_DEMAND"
    legacy = groups["legacy"]
    assert legacy.value("managed") is False and legacy.value("custom_ami") is True
    assert legacy.value("max_pods") == 58 and where(legacy.setting("max_pods")) == (68, 5)
    assert legacy.value("ami_type") == "AmazonLinux2023" and legacy.setting("ami_type").default


def test_eksctl_finding_through_the_cli(plugins):
    result = scan([str(CONFIG)], plugins, cwd=ROOT)
    eks501 = [f for f in result.findings if f.code == "EKS501"]
    assert [(f.location.path, f.location.line) for f in eks501] == [("testdata/eksctl/cluster.yaml", 50)]


def test_bad_configuration_values_is_eks001(plugins, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: x}\n"
        "addons:\n  - name: vpc-cni\n    configurationValues: '{\"env\": [unclosed'\n"
    )
    result = scan([str(path)], plugins, cwd=tmp_path)
    # engine findings only: the bare config also (rightly) fires the cluster security rules
    assert [(f.code, f.location.line) for f in result.findings if f.code.startswith("EKS0")] == [("EKS001", 6)]
