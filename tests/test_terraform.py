"""Terraform HCL and plan JSON: what is lifted, and exactly where it was written.

Positions are pinned to the character: 1-based line and column of the attribute
name (not just its block), of a key inside a heredoc, of a value that came from a
``variables.tf`` default. The differential test holds the HCL evaluator to
python-hcl2 (the test oracle) on every literal of every ``.tf`` fixture.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from eksguard.engine.runner import scan
from eksguard.model import UNKNOWN, AccessEntry, Addon, Cluster, HelmRelease, IamRole, NodeGroup, PodIdentityAssociation
from eksguard.yaml_loader import locate

ROOT = Path(__file__).resolve().parent.parent
TF = ROOT / "testdata" / "terraform"


def lift(plugins, *paths: str | Path, cwd: Path = ROOT):
    return scan([str(p) for p in paths], plugins, cwd=cwd)


def at(setting_or_location) -> tuple[str, int, int]:
    loc = getattr(setting_or_location, "location", setting_or_location)
    return loc.path, loc.line, loc.column


def one(platform, view, name):
    found = [o for o in platform.of_kind(view) if o.name == name]
    assert len(found) == 1, [o.name for o in platform.of_kind(view)]
    return found[0]


def k8s(platform, kind, name):
    found = [o for o in platform.kinds(kind) if o.name == name]
    assert len(found) == 1
    return found[0]


# -- aws_* resources -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def resources(plugins):
    return lift(plugins, TF / "resources")


def test_cluster_settings_and_provider_defaults(resources):
    cluster = one(resources.platform, Cluster, "platform-prod")  # name from variables.tf
    main = "testdata/terraform/resources/main.tf"
    assert at(cluster.location) == (main, 5, 1)
    # A value from a variables.tf default, located at the attribute that uses it.
    assert cluster.value("version") == "1.31"
    assert at(cluster.setting("version")) == (main, 8, 3)
    assert cluster.value("authentication_mode") == "API"
    assert at(cluster.setting("authentication_mode")) == (main, 11, 5)
    # access_config present without the attribute: the provider sends false.
    setting = cluster.setting("bootstrap_cluster_creator_admin_permissions")
    assert (setting.value, setting.default, at(setting)) == (False, True, (main, 10, 3))
    # vpc_config without endpoint_public_access: EKS's default, public.
    setting = cluster.setting("endpoint_public_access")
    assert (setting.value, setting.default, at(setting)) == (True, True, (main, 5, 1))
    assert at(cluster.setting("endpoint_private_access")) == (main, 16, 5)
    assert cluster.value("public_access_cidrs") == ["203.0.113.0/24"]
    assert cluster.value("secrets_encryption") is True
    assert at(cluster.setting("secrets_encryption")) == (main, 23, 7)  # provider.key_arn
    assert cluster.value("log_types") == ["api", "audit", "authenticator"]  # through local.log_types
    assert at(cluster.setting("log_types")) == (main, 27, 3)


def test_bare_cluster_defaults(plugins, tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_eks_cluster" "x" {\n  name = "bare"\n  role_arn = "arn"\n'
                                      '  vpc_config {\n    subnet_ids = ["a", "b"]\n  }\n}\n')
    cluster = one(lift(plugins, tmp_path, cwd=tmp_path).platform, Cluster, "bare")
    values = {k: (s.value, s.default) for k, s in cluster.settings.items()}
    assert values["authentication_mode"] == ("CONFIG_MAP", True)
    assert values["bootstrap_cluster_creator_admin_permissions"] == (True, True)  # no access_config block
    assert values["endpoint_public_access"] == (True, True)
    assert values["endpoint_private_access"] == (False, True)
    assert values["public_access_cidrs"] == (["0.0.0.0/0"], True)
    assert values["secrets_encryption"] == (False, True)
    assert values["log_types"] == ([], True)
    assert values["auto_mode"] == (False, True)


def test_addons(resources):
    addons_tf = "testdata/terraform/resources/addons.tf"
    cni = one(resources.platform, Addon, "vpc-cni")
    assert cni.cluster == "platform-prod"  # aws_eks_cluster.this.name resolved
    assert (cni.value("resolve_conflicts_on_create"), cni.value("resolve_conflicts_on_update")) == ("OVERWRITE", "PRESERVE")
    assert at(cni.setting("resolve_conflicts_on_update")) == (addons_tf, 6, 3)
    values = cni.value("configuration_values")
    assert values == {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}
    # jsonencode({...}): the object keeps the positions of the HCL that wrote it.
    assert locate(values, ("env", "WARM_PREFIX_TARGET")) == ((12, 7), True)
    assert cni.setting("service_account_role_arn").value is UNKNOWN

    coredns = one(resources.platform, Addon, "coredns")
    setting = coredns.setting("resolve_conflicts_on_update")
    assert (setting.value, setting.default, at(setting)) == ("OVERWRITE", False, (addons_tf, 20, 3))
    # A <<-JSON heredoc: positions of the JSON keys are the real ones in the .tf.
    values = coredns.value("configuration_values")
    assert values["replicaCount"] == 3
    assert locate(values, ("replicaCount",)) == ((24, 7), True)
    assert locate(values, ("tolerations", 0, "key")) == ((25, 24), True)

    ebs = one(resources.platform, Addon, "aws-ebs-csi-driver")
    for key in ("resolve_conflicts_on_create", "resolve_conflicts_on_update"):  # legacy resolve_conflicts
        assert (ebs.value(key), at(ebs.setting(key))) == ("OVERWRITE", (addons_tf, 33, 3))
    [pia] = ebs.pod_identity_associations
    assert pia.name == "kube-system/ebs-csi-controller-sa"
    assert at(pia.setting("service_account")) == (addons_tf, 37, 5)

    agent = one(resources.platform, Addon, "eks-pod-identity-agent")
    assert agent.setting("resolve_conflicts_on_update") is None


def test_access_entries_and_policy_associations(resources):
    access = "testdata/terraform/resources/access.tf"
    admin = one(resources.platform, AccessEntry, "arn:aws:iam::111122223333:role/platform-admin")
    assert admin.value("type") == "STANDARD" and at(admin.setting("principal_arn")) == (access, 3, 3)
    [policy] = admin.policies  # attached through aws_eks_access_entry.admin.principal_arn
    assert policy.policy_arn.value.endswith("/AmazonEKSClusterAdminPolicy")
    assert at(policy.policy_arn) == (access, 9, 3)
    assert (policy.scope_type.value, at(policy.scope_type)) == ("cluster", (access, 13, 5))
    # No entry declared for the viewers principal: the association stands on its own.
    viewers = one(resources.platform, AccessEntry, "arn:aws:iam::111122223333:role/viewers")
    [policy] = viewers.policies
    assert policy.namespaces.value == ["shop", "search"]
    assert at(policy.namespaces) == (access, 24, 5)
    node = one(resources.platform, AccessEntry, "aws_eks_access_entry.karpenter_node")
    assert node.value("type") == "EC2_LINUX" and node.setting("principal_arn").value is UNKNOWN
    pia = one(resources.platform, PodIdentityAssociation, "kube-system/karpenter")
    assert pia.cluster == "platform-prod" and at(pia.setting("service_account")) == (access, 37, 3)
    assert pia.value("role_ref") == "karpenter-controller"  # the IamRole aws_iam_role.karpenter lifts to


def test_node_groups_and_launch_templates(resources):
    nodes = "testdata/terraform/resources/nodes.tf"
    workers = one(resources.platform, NodeGroup, "workers")
    assert workers.value("managed") is True
    assert (workers.value("instance_types"), workers.setting("instance_types").default) == (["t3.medium"], True)
    assert (workers.value("launch_template"), at(workers.setting("launch_template"))) == (
        "aws_launch_template.workers", (nodes, 51, 5))
    template = one(resources.platform, NodeGroup, "aws_launch_template.workers")
    assert template.value("managed") is True  # used by an aws_eks_node_group
    assert (template.value("custom_ami"), at(template.setting("custom_ami"))) == (True, (nodes, 7, 3))
    # maxPods of a nodeadm NodeConfig in a MIME part, in a <<-EOT heredoc inside base64encode().
    assert (template.value("max_pods"), at(template.setting("max_pods"))) == (110, (nodes, 30, 11))
    legacy = one(resources.platform, NodeGroup, "aws_launch_template.legacy")
    assert legacy.value("max_pods") == 58  # AL2 bootstrap --max-pods in a quoted string
    assert at(legacy.setting("max_pods"))[1:] == (74, 29)  # escapes: the string's first character
    assert legacy.setting("managed") is None  # nothing in scope says who uses it
    system = one(resources.platform, NodeGroup, "system")
    assert system.value("ami_type") == "AL2023_x86_64_STANDARD"


def test_iam_trust_policies(resources):
    iam = "testdata/terraform/resources/iam.tf"
    cluster_role = one(resources.platform, IamRole, "platform-prod-cluster")
    statement = cluster_role.value("trust_policy")["Statement"][0]
    assert statement["Principal"] == {"Service": "eks.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert locate(cluster_role.value("trust_policy"), ("Statement", 0, "Principal", "Service")) == ((9, 11), True)
    karpenter = one(resources.platform, IamRole, "karpenter-controller")  # data.aws_iam_policy_document
    policy = karpenter.value("trust_policy")
    assert policy["Statement"][0]["Principal"] == {"Service": ["pods.eks.amazonaws.com"]}
    assert policy["Statement"][0]["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert at(karpenter.setting("trust_policy")) == (iam, 43, 3)
    node = one(resources.platform, IamRole, "platform-prod-node")  # JSON in a <<EOF heredoc
    assert node.value("trust_policy")["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert locate(node.value("trust_policy"), ("Statement", 0, "Principal")) == ((54, 7), True)


def test_rule_fires_at_the_attribute_using_a_variable_default(resources):
    hits = [(f.code, f.location.path, f.location.line, f.location.column) for f in resources.findings
            if f.code == "EKS501"]
    assert ("EKS501", "testdata/terraform/resources/addons.tf", 20, 3) in hits


# -- kubernetes_*, kubectl_manifest, kubernetes_manifest, helm_release -----------------------
@pytest.fixture(scope="module")
def kube(plugins):
    return lift(plugins, TF / "kubernetes")


def test_kubernetes_resources_become_kubernetes_objects(kube):
    ingress_tf = "testdata/terraform/kubernetes/ingress.tf"
    ingress = k8s(kube.platform, "Ingress", "shop")
    assert (ingress.api_version, ingress.namespace, ingress.origin.format) == ("networking.k8s.io/v1", "shop", "terraform")
    assert at(ingress.kind_location()) == (ingress_tf, 1, 1)
    assert ingress.annotations["alb.ingress.kubernetes.io/target-type"] == "instance"
    assert at(ingress.location("metadata", "annotations", "alb.ingress.kubernetes.io/target-type")) == (ingress_tf, 7, 7)
    assert ingress.get("spec", "ingressClassName") == "alb"
    assert at(ingress.location("spec", "ingressClassName")) == (ingress_tf, 12, 5)
    backend = ingress.get("spec", "rules", 0, "http", "paths", 0, "backend", "service")
    assert backend == {"name": "storefront", "port": {"number": 80}}
    assert at(ingress.location("spec", "rules", 0, "http", "paths", 0, "pathType")) == (ingress_tf, 19, 11)
    assert ingress.get("waitForLoadBalancer") is None  # provider argument, not part of the object

    service = k8s(kube.platform, "Service", "api")
    assert service.get("spec", "ports", 0, "port") == 443 and service.get("spec", "selector") == {"app": "api"}
    account = k8s(kube.platform, "ServiceAccount", "api")
    assert account.annotations["eks.amazonaws.com/role-arn"].endswith(":role/shop-api")
    config = k8s(kube.platform, "ConfigMap", "aws-auth")
    assert "rolearn" in config.get("data", "mapRoles") and type(config.get("data", "mapRoles")) is str
    deployment = k8s(kube.platform, "Deployment", "api")
    assert deployment.get("spec", "replicas") == 3
    assert deployment.get("spec", "selector", "matchLabels") == {"app": "api"}
    assert deployment.get("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort") == 8443
    assert deployment.get("spec", "template", "spec", "serviceAccountName") is UNKNOWN


def test_kubectl_manifest_heredoc_positions(kube):
    manifests = "testdata/terraform/kubernetes/manifests.tf"
    pool = k8s(kube.platform, "NodePool", "default")
    assert at(pool.kind_location()) == (manifests, 4, 5)  # <<-YAML: dedented text, real columns
    assert pool.get("spec", "limits", "cpu") == 1000
    assert at(pool.location("spec", "limits", "cpu")) == (manifests, 19, 9)
    params = k8s(kube.platform, "IngressClassParams", "shared")  # <<YAML, with ${local.group_name}
    assert params.get("spec", "group", "name") == "shop-shared"
    assert at(params.location("spec", "group", "name")) == (manifests, 34, 5)
    ingress_class = k8s(kube.platform, "IngressClass", "shared-alb")  # kubernetes_manifest
    assert ingress_class.get("spec", "controller") == "ingress.k8s.aws/alb"
    assert at(ingress_class.kind_location()) == (manifests, 41, 5)


def test_helm_release_values_and_set(kube):
    lbc = one(kube.platform, HelmRelease, "aws-load-balancer-controller")
    values = lbc.value("values")
    assert values["replicaCount"] == 3  # the later yamlencode() overrides the heredoc
    assert values["serviceAccount"] == {"name": "aws-load-balancer-controller"}
    assert values["clusterName"] is UNKNOWN  # ${var.cluster_name} without a default
    assert locate(values, ("serviceAccount", "name")) == ((13, 7), True)
    assert lbc.value("set") == {"vpcId": UNKNOWN, "region": "eu-west-1"}  # provider v2 blocks
    karpenter = one(kube.platform, HelmRelease, "karpenter")
    assert karpenter.value("set") == {"settings.clusterName": "platform-prod", "replicas": "2"}  # v3 list


# -- terraform-aws-modules/eks -------------------------------------------------------------
def test_module_v20(plugins):
    result = lift(plugins, TF / "module-v20")
    main = "testdata/terraform/module-v20/main.tf"
    cluster = one(result.platform, Cluster, "ex-eks-v20")  # cluster_name = local.name
    assert cluster.origin.module == "module.eks" and cluster.origin.format == "terraform"
    assert (cluster.value("version"), at(cluster.setting("version"))) == ("1.30", (main, 20, 3))
    assert (cluster.value("endpoint_public_access"), at(cluster.setting("endpoint_public_access"))) == (True, (main, 22, 3))
    for key, value in (("authentication_mode", "API_AND_CONFIG_MAP"), ("public_access_cidrs", ["0.0.0.0/0"]),
                       ("secrets_encryption", True), ("log_types", ["audit", "api", "authenticator"])):
        setting = cluster.setting(key)
        assert (setting.value, setting.default, at(setting)) == (value, True, (main, 15, 1)), key
    creator = cluster.setting("enable_cluster_creator_admin_permissions")
    assert (creator.value, at(creator)) == (True, (main, 26, 3))
    bootstrap = cluster.setting("bootstrap_cluster_creator_admin_permissions")  # hard-coded by the module
    assert (bootstrap.value, bootstrap.default) == (False, True)

    coredns = one(result.platform, Addon, "coredns")
    setting = coredns.setting("resolve_conflicts_on_update")
    assert (setting.value, setting.default, at(setting)) == ("OVERWRITE", True, (main, 29, 5))  # at the map key
    assert coredns.value("resolve_conflicts_on_create") == "OVERWRITE"  # v20 default
    cni = one(result.platform, Addon, "vpc-cni")
    assert (cni.value("resolve_conflicts_on_update"), at(cni.setting("resolve_conflicts_on_update"))) == (
        "PRESERVE", (main, 37, 7))
    assert cni.value("configuration_values") == {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}
    ebs = one(result.platform, Addon, "aws-ebs-csi-driver")
    assert at(ebs.setting("resolve_conflicts_on_update")) == (main, 47, 7)

    example = one(result.platform, NodeGroup, "example")
    assert example.value("instance_types") == ["m5.xlarge"]
    assert (example.value("max_pods"), at(example.setting("max_pods"))) == (110, (main, 78, 19))  # cloudinit_pre_nodeadm
    spot = one(result.platform, NodeGroup, "spot")  # instance types from eks_managed_node_group_defaults
    assert (spot.value("instance_types"), at(spot.setting("instance_types"))) == (
        ["m6i.large", "m5.large", "m5n.large", "m5zn.large"], (main, 56, 5))
    admins = one(result.platform, AccessEntry, "arn:aws:iam::111122223333:role/platform-admins")
    assert at(admins.policies[0].policy_arn) == (main, 98, 11)


def test_module_v21(plugins):
    result = lift(plugins, TF / "module-v21")
    main = "testdata/terraform/module-v21/main.tf"
    cluster = one(result.platform, Cluster, "ex-eks-v21")  # name = var.name (default in the same file)
    assert cluster.value("version") == "1.33"
    assert cluster.setting("public_access_cidrs").value is UNKNOWN  # var without default
    assert (cluster.value("secrets_encryption"), at(cluster.setting("secrets_encryption"))) == (False, (main, 10, 3))
    assert cluster.value("log_types") == ["api", "audit"]
    assert (cluster.value("auto_mode"), at(cluster.setting("auto_mode"))) == (True, (main, 34, 5))
    assert cluster.value("bootstrap_cluster_creator_admin_permissions") is False
    coredns = one(result.platform, Addon, "coredns")
    assert coredns.value("resolve_conflicts_on_create") == "NONE"  # v21 default
    assert at(coredns.setting("resolve_conflicts_on_update")) == (main, 16, 5)
    cni = one(result.platform, Addon, "vpc-cni")
    assert cni.setting("resolve_conflicts_on_update").value is UNKNOWN
    ebs = one(result.platform, Addon, "aws-ebs-csi-driver")
    assert [p.name for p in ebs.pod_identity_associations] == ["kube-system/ebs-csi-controller-sa"]
    assert ebs.pod_identity_associations[0].value("role_ref") is None  # aws_iam_role.ebs_csi is not in scope
    legacy = one(result.platform, NodeGroup, "legacy")
    assert (legacy.value("managed"), legacy.value("custom_ami"), legacy.value("instance_types")) == (
        False, True, ["c5.4xlarge"])
    assert legacy.value("access_entry") is True  # the module creates the node access entry
    assert legacy.setting("max_pods").value is UNKNOWN  # --max-pods=${var.max_pods}


@pytest.mark.parametrize("source, version, names, expected", [
    ("terraform-aws-modules/eks/aws", '"~> 20.0"', "addons = {}", 20),
    ("terraform-aws-modules/eks/aws", '">= 20.0, < 21.0"', "", 20),
    ("terraform-aws-modules/eks/aws", '"21.3.1"', "", 21),
    ("terraform-aws-modules/eks/aws", None, "cluster_version = \"1.31\"", 20),
    ("terraform-aws-modules/eks/aws", '">= 20.0"', "kubernetes_version = \"1.31\"", 21),
    ("git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v20.8.4", None, "", 20),
    ("terraform-aws-modules/eks/aws", None, "", 21),
])
def test_module_major_detection(source, version, names, expected):
    from eksguard.adapters.terraform.hcl import parse_file
    from eksguard.adapters.terraform.module import major
    from eksguard.adapters.terraform.values import Body
    from eksguard.model import Origin

    text = f'module "eks" {{\n  source = "{source}"\n' + (f"  version = {version}\n" if version else "") + f"  {names}\n}}\n"
    block = parse_file(text).blocks[0]
    assert major(Body(block.body, Origin("x.tf", "terraform"))) == expected


def test_unreadable_module_inputs_are_recorded_unknown(plugins, tmp_path):
    (tmp_path / "main.tf").write_text('module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  name = "x"\n'
                                      '  addons = var.addons\n  access_entries = {\n    a = {\n'
                                      '      principal_arn = "arn:aws:iam::111122223333:role/a"\n'
                                      '      policy_associations = local.policies\n    }\n  }\n}\n')
    platform = lift(plugins, tmp_path, cwd=tmp_path).platform
    cluster = one(platform, Cluster, "x")
    assert cluster.setting("addons").value is UNKNOWN and at(cluster.setting("addons")) == ("main.tf", 4, 3)
    assert cluster.setting("access_entries") is None
    entry = one(platform, AccessEntry, "arn:aws:iam::111122223333:role/a")
    assert entry.setting("policy_associations").value is UNKNOWN and entry.policies == []


def test_dynamic_blocks_are_unknown_not_absent(plugins, tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_eks_cluster" "c" {\n  name = "c"\n'
        '  dynamic "encryption_config" {\n    for_each = var.kms_key_arn == null ? [] : [1]\n'
        '    content {\n      resources = ["secrets"]\n    }\n  }\n}\n')
    cluster = one(lift(plugins, tmp_path, cwd=tmp_path).platform, Cluster, "c")
    assert cluster.setting("secrets_encryption").value is UNKNOWN
    assert at(cluster.setting("secrets_encryption")) == ("main.tf", 3, 3)


def test_other_modules_are_ignored(plugins, tmp_path):
    (tmp_path / "main.tf").write_text('module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n  name = "x"\n}\n'
                                      'module "iam" {\n  source = "terraform-aws-modules/eks/aws//modules/fargate-profile"\n'
                                      '  cluster_name = "x"\n}\n')
    assert lift(plugins, tmp_path, cwd=tmp_path).platform.objects == []


@pytest.mark.parametrize("version, expected", [('"~> 21.0"', ["kube-system/karpenter"]), ('"~> 20.0"', [])])
def test_karpenter_submodule(plugins, tmp_path, version, expected):
    (tmp_path / "main.tf").write_text('module "karpenter" {\n  source  = "terraform-aws-modules/eks/aws//modules/karpenter"\n'
                                      f'  version = {version}\n  cluster_name = module.eks.cluster_name\n}}\n'
                                      'module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  name = "prod"\n}\n')
    platform = lift(plugins, tmp_path, cwd=tmp_path).platform
    pias = platform.of_kind(PodIdentityAssociation)
    assert [p.name for p in pias] == expected and all(p.cluster == "prod" for p in pias)
    [entry] = platform.of_kind(AccessEntry)
    assert (entry.value("type"), entry.cluster, entry.origin.module) == ("EC2_LINUX", "prod", "module.karpenter")


# -- plan JSON -----------------------------------------------------------------------------
def test_plan_json(plugins):
    result = lift(plugins, TF / "plan" / "plan.json")
    plan = "testdata/terraform/plan/plan.json"
    assert [s.display for s in result.sources] == [plan]
    coredns = one(result.platform, Addon, "coredns")
    assert coredns.origin.format == "terraform-plan" and coredns.origin.module == "module.eks"
    assert at(coredns.setting("resolve_conflicts_on_update")) == (plan, 145, 17)
    hits = sorted((f.location.line, f.location.column) for f in result.findings if f.code == "EKS501")
    assert hits == [(145, 17), (195, 17)]
    standalone = one(result.platform, Addon, "snapshot-controller")
    assert standalone.origin.module is None and standalone.setting("resolve_conflicts_on_create") is None
    cluster = one(result.platform, Cluster, "platform-prod")
    assert cluster.value("endpoint_public_access") is True and at(cluster.setting("endpoint_public_access")) == (plan, 117, 21)
    assert cluster.value("secrets_encryption") is True and cluster.value("support_type") == "STANDARD"
    admin = one(result.platform, AccessEntry, "arn:aws:iam::111122223333:role/platform-admin")
    assert [p.scope_type.value for p in admin.policies] == ["cluster"]
    group = one(result.platform, NodeGroup, "default")
    assert group.origin.module == 'module.eks.module.eks_managed_node_group["default"]'
    service = k8s(result.platform, "Service", "web")
    assert service.origin.format == "terraform-plan" and service.get("spec", "ports", 0, "port") == 80


def test_plan_through_stdin_and_other_json_untouched(plugins):
    piped = scan(["-"], plugins, cwd=ROOT, stdin=(TF / "plan" / "plan.json").read_bytes())
    assert sorted(f.location.line for f in piped.findings if f.code == "EKS501") == [145, 195]
    from eksguard.adapters import Source
    from eksguard.adapters.terraform.plan import TerraformPlanAdapter

    adapter = TerraformPlanAdapter()
    manifest = ROOT / "testdata" / "rules" / "alb-ingress-without-group" / "fail-ingress.json"
    assert not adapter.claims(Source("fail-ingress.json", manifest))
    assert adapter.claims(Source("plan.json", TF / "plan" / "plan.json"))


def test_plan_with_resource_changes_only(plugins, tmp_path):
    (tmp_path / "changes.json").write_text(
        '{"format_version": "1.2", "resource_changes": [\n'
        ' {"address": "aws_eks_addon.a", "mode": "managed", "type": "aws_eks_addon", "name": "a",\n'
        '  "change": {"actions": ["create"], "after": {"addon_name": "coredns",\n'
        '    "resolve_conflicts_on_update": "OVERWRITE"}}},\n'
        ' {"address": "aws_eks_addon.b", "mode": "managed", "type": "aws_eks_addon", "name": "b",\n'
        '  "change": {"actions": ["delete"], "after": null}}]}\n')
    result = lift(plugins, tmp_path, cwd=tmp_path)
    assert [(f.code, f.location.line, f.location.column) for f in result.findings] == [("EKS501", 4, 5)]


# -- bad input ------------------------------------------------------------------------------
def problems(result):
    return [(f.code, f.location.path, f.location.line, f.location.column) for f in result.findings if f.code == "EKS001"]


def test_malformed_hcl_is_one_eks001_and_the_rest_is_lifted(plugins):
    result = lift(plugins, TF / "broken" / "malformed.tf")
    path = "testdata/terraform/broken/malformed.tf"
    assert problems(result) == [("EKS001", path, 10, 19)]  # the string left open on line 10
    assert sorted(a.name for a in result.platform.of_kind(Addon)) == ["coredns", "kube-proxy", "vpc-cni"]
    assert sorted(f.location.line for f in result.findings if f.code == "EKS501") == [4, 16]


def test_broken_yaml_in_heredoc_is_reported_at_its_tf_line(plugins):
    result = lift(plugins, TF / "broken" / "broken-yaml.tf")
    [problem] = [f for f in result.findings if f.code == "EKS001"]
    assert at(problem.location) == ("testdata/terraform/broken/broken-yaml.tf", 11, 8)
    assert "yaml_body" in problem.message


@pytest.mark.parametrize("text, line, column", [
    ('resource "aws_eks_addon" "a" {\n  addon_name = "x"\n', 3, 1),          # block never closed: missing }
    ('resource "aws_eks_addon" "a" {\n  addon_name = [1,, 2]\n}\n', 2, 18),  # stray comma
    ('locals {\n  a = 1\n  a = 2\n}\n', 3, 3),                               # attribute redefined
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", 1, None),                     # nesting past the limit
])
def test_bad_hcl_never_crashes(plugins, tmp_path, text, line, column):
    (tmp_path / "bad.tf").write_text(text)
    found = problems(lift(plugins, tmp_path, cwd=tmp_path))
    assert found and found[0][2] == line and (column is None or found[0][3] == column)


def test_huge_heredoc_is_refused_and_the_scan_goes_on(plugins, tmp_path):
    body = "\n".join(f"    key{i}: value{i}" for i in range(60_000))  # 1.4 MB of YAML
    (tmp_path / "huge.tf").write_text(f'resource "kubectl_manifest" "big" {{\n  yaml_body = <<-YAML\n{body}\n  YAML\n}}\n')
    (tmp_path / "addon.tf").write_text('resource "aws_eks_addon" "a" {\n  addon_name = "coredns"\n'
                                       '  resolve_conflicts_on_update = "OVERWRITE"\n}\n')
    result = lift(plugins, tmp_path, cwd=tmp_path)
    assert [(c, p, l) for c, p, l, _ in problems(result)] == [("EKS001", "huge.tf", 2)]
    assert [(f.location.path, f.location.line) for f in result.findings if f.code == "EKS501"] == [("addon.tf", 3)]


def test_oversized_tf_file_is_refused(plugins, tmp_path):
    from eksguard.limits import Limits

    (tmp_path / "big.tf").write_text("# padding\n" * 200)
    options = {"limits": Limits(max_terraform_file_size=1024)}
    [problem] = scan([str(tmp_path)], plugins, cwd=tmp_path, options=options).findings
    assert problem.code == "EKS001" and "limits.max-terraform-file-size" in problem.message


def test_binary_and_empty_tf_files(plugins, tmp_path):
    (tmp_path / "empty.tf").write_text("")
    (tmp_path / "binary.tf").write_bytes(b"\x00\x01resource")
    (tmp_path / "comments.tf").write_text("# nothing here\n/* block */\n")
    assert problems(lift(plugins, tmp_path, cwd=tmp_path)) == [("EKS001", "binary.tf", 1, 1)]


def test_cli_scan_of_bad_terraform_has_no_traceback(tmp_path):
    (tmp_path / "bad.tf").write_text('resource "x" "y" {\n  a = "unterminated\n  b = <<EOT\nno end\n')
    proc = subprocess.run([sys.executable, "-m", "eksguard", "scan", "."], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 1 and proc.stderr == ""
    assert "bad.tf:2:7: EKS001" in proc.stdout


# -- the evaluator --------------------------------------------------------------------------
def evaluate(text: str, files: dict[str, str] | None = None):
    from eksguard.adapters.terraform import hcl

    parsed = [hcl.parse(text, "main.tf")] + [hcl.parse(t, n) for n, t in (files or {}).items()]
    return hcl.evaluate(parsed[0], hcl.Scope(parsed))


def test_expressions():
    body = evaluate(r'''
locals {
  name = "prod"
  cidrs = ["10.0.0.0/8"]
}
resource "x" "y" {
  escapes   = "a\nb\t\"q\" \u00e9 $${literal} %%{directive}"
  template  = "${local.name}-${var.region}-${1 + 1}"
  known     = "${local.name}-eks"
  number    = -1.5
  index     = local.cidrs[0]
  legacy    = local.cidrs.0
  cond      = true ? "yes" : "no"
  json      = jsonencode({ b = [1, "two", true, null], a = "<&>" })
  upper     = upper(local.name)
  merged    = merge({ a = 1 }, { b = 2 })
  fromtfvar = var.region
  indented  = <<-EOT
      first
        second
    EOT
  for       = [for s in local.cidrs : s]
}
''', {"terraform.tfvars": 'region = "eu-west-1"\n', "variables.tf": 'variable "region" {\n  default = "us-east-1"\n}\n'})
    body = body.blocks[-1].body
    assert body["escapes"] == 'a\nb\t"q" é ${literal} %{directive}'
    # Arithmetic is not evaluated: the template is unknown, its known parts kept for embedded YAML.
    assert body["template"] is UNKNOWN
    assert body.exprs["template"].partial == "prod-eu-west-1-\ue0002\ue001"
    assert body["known"] == "prod-eks"
    assert body["number"] == -1.5 and body["index"] == "10.0.0.0/8" and body["legacy"] == "10.0.0.0/8"
    assert body["cond"] == "yes"
    assert body["json"] == '{"a":"\\u003c\\u0026\\u003e","b":[1,"two",true,null]}'  # sorted keys, HTML escaped
    assert body["upper"] == "PROD" and body["merged"] == {"a": 1, "b": 2}
    assert body["fromtfvar"] == "eu-west-1"  # terraform.tfvars wins over the default
    assert body["indented"] == "first\n  second\n"  # <<- removes the smallest indentation of the lines
    assert body["for"] is UNKNOWN and body.exprs["for"].text.startswith("[for")
    assert body.key_mark("json") == (14, 3) and body.value_mark("json") == (14, 15)


def test_reference_cycles_and_unknowns():
    result = evaluate('locals {\n  a = local.b\n  b = local.a\n  c = var.missing\n}\n'
                      'resource "x" "y" {\n  v = local.a\n  w = aws_iam_role.r.arn\n  z = local.c\n}\n')
    body = result.blocks[-1].body
    assert body["v"] is UNKNOWN and body["z"] is UNKNOWN
    assert body.exprs["w"].ref == "aws_iam_role.r.arn"


def test_columns_count_characters_not_bytes():
    body = evaluate('resource "x" "y" {\n  tags = { "équipe" = "café", owner = "x" }\n}\n').blocks[0].body
    assert body["tags"].key_mark("owner") == (2, 31)  # 33 in bytes


def test_crlf_line_endings():
    body = evaluate('resource "x" "y" {\r\n  a = "b"\r\n  h = <<EOT\r\nline\r\nEOT\r\n}\r\n').blocks[0].body
    assert body["a"] == "b" and body["h"] == "line\n" and body.key_mark("h") == (3, 3)


# -- python-hcl2 as the oracle ---------------------------------------------------------------
_INTERPOLATED = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")


def _fixture_files() -> list[Path]:
    files = sorted(TF.rglob("*.tf")) + sorted((ROOT / "testdata" / "rules").rglob("*.tf"))
    # broken on purpose (EKS001 fixtures): no oracle to compare with
    return [f for f in files if f.parent.name != "broken" and "parse-error" not in f.parts]


def _compare(mine, raw, stripped, path, out) -> None:
    """Walk python-hcl2's two renderings (raw: quotes kept, which tells a literal string
    from an expression; stripped: the value) beside ours."""
    if isinstance(raw, str):
        if not (raw.startswith('"') and raw.endswith('"')) or _INTERPOLATED.search(raw):
            return  # an expression (reference, call, template): not a literal
        expected = stripped.replace("$${", "${").replace("%%{", "%{")  # python-hcl2 keeps template escapes
        if getattr(mine, "heredoc", False):
            # python-hcl2 8.x drops a heredoc's final newline and escapes its quotes; HCL does neither.
            expected = expected.replace('\\"', '"') + "\n"
        out.append((path, mine, expected))
        return
    if isinstance(raw, dict):
        assert isinstance(mine, dict), (path, mine)
        for key, value in raw.items():
            name = key[1:-1] if key.startswith('"') and key.endswith('"') else key
            assert name in mine, (path, name)
            _compare(mine[name], value, stripped[key if key in stripped else name], (*path, name), out)
        return
    if isinstance(raw, list):
        assert isinstance(mine, list) and len(mine) == len(raw), (path, mine, raw)
        for i, (a, b, c) in enumerate(zip(mine, raw, stripped)):
            _compare(a, b, c, (*path, i), out)
        return
    out.append((path, mine, stripped))  # numbers, booleans, null


def _oracle(path: Path) -> list | None:
    """``(where, ours, python-hcl2's)`` for every literal python-hcl2 reads in ``path``."""
    import hcl2

    from eksguard.adapters.terraform import _Folder

    options = dict(with_comments=False, explicit_blocks=False, preserve_heredocs=False,
                   preserve_scientific_notation=False)
    try:
        raw = hcl2.loads(path.read_text(), serialization_options=hcl2.SerializationOptions(**options))
        stripped = hcl2.loads(path.read_text(),
                              serialization_options=hcl2.SerializationOptions(**options, strip_string_quotes=True))
    except Exception:  # noqa: BLE001 - a fixture that is broken on purpose has no oracle
        return None
    folder = _Folder(path.parent, Path(path.parent.name), path, path.read_text())
    compared: list = []
    _compare(folder.files[path].tree(), raw, stripped, (), compared)
    return compared


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_literals_match_python_hcl2(path):
    pytest.importorskip("hcl2")
    compared = _oracle(path)
    assert compared is not None, "python-hcl2 cannot parse this fixture (broken on purpose? keep it under parse-error/)"
    for where, mine, expected in compared:
        assert mine is not UNKNOWN, f"{where}: python-hcl2 reads a literal, the adapter did not"
        assert mine == expected and type(mine) is not bool or mine is expected, (where, mine, expected)


def test_the_oracle_compares_many_literals():
    pytest.importorskip("hcl2")
    compared = [c for path in _fixture_files() for c in (_oracle(path) or ())]
    assert len(compared) > 300
    assert any(getattr(mine, "heredoc", False) for _, mine, _ in compared)  # heredocs are held to it too


# -- start-up ------------------------------------------------------------------------------
def test_yaml_only_scan_does_not_import_tree_sitter():
    # YAML only (the example platform as a whole holds Terraform under infra/)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "eksguard", "scan", "testdata/examples/teams",
                           "testdata/examples/platform", "testdata/examples/rendered"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not {name for name in imported if "tree_sitter" in name or name.endswith("terraform.hcl")}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "eksguard", "scan",
                           "testdata/terraform/module-v21/main.tf"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "tree_sitter" in proc.stderr


def test_helm_values_from_files_are_unknown(plugins, tmp_path):
    (tmp_path / "main.tf").write_text('resource "helm_release" "x" {\n  name = "x"\n  chart = "x"\n'
                                      '  values = [file("${path.module}/values.yaml"), yamlencode({ a = 1 })]\n}\n')
    release = one(lift(plugins, tmp_path, cwd=tmp_path).platform, HelmRelease, "x")
    assert release.setting("values").value is UNKNOWN


def test_names_not_known_statically_read_unresolved_in_messages(plugins, tmp_path):
    """A NodePool named ``${var.name}`` and an association for ``--namespace "$1"``
    are named ``<unresolved>`` in messages, never ``None``."""
    (tmp_path / "karpenter.tf").write_text('''resource "kubectl_manifest" "pool" {
  yaml_body = <<-YAML
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: ${var.name}
    spec:
      template:
        spec:
          nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      disruption:
        consolidateAfter: Never
  YAML
}
resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "pods.eks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
''')
    (tmp_path / "associate.sh").write_text(
        "aws eks create-pod-identity-association --cluster-name prod --namespace \"$1\" \\\n"
        "  --service-account app --role-arn arn:aws:iam::111122223333:role/app\n")
    result = scan([str(tmp_path)], plugins, cwd=tmp_path)
    messages = {f.code: f.message for f in result.findings}
    assert {"EKS401", "EKS402", "EKS205"} <= set(messages), messages
    assert "NodePool <unresolved> sets no spec.limits" in messages["EKS401"]
    assert "<unresolved>/app" in messages["EKS205"]
    assert not any("None" in m for m in messages.values()), messages


def test_yamldecode_manifest_positions(plugins):
    """``kubernetes_manifest`` with ``manifest = yamldecode(<<-EOT ...)``: the document
    is lifted with positions inside the heredoc."""
    folder = ROOT / "testdata" / "rules" / "nodepool-without-limits" / "fail-terraform-yamldecode"
    result = lift(plugins, folder)
    pools = {o.name: o for o in result.platform.kinds("NodePool")}
    assert set(pools) == {"general", "batch"}
    where = pools["general"].location("spec", "template")
    assert (where.line, where.column) == (10, 7)  # "      template:"


@pytest.mark.parametrize("literal, value, exact", [
    ('"plain"', "plain", True),
    ('""', "", True),
    ('"é and ü"', "é and ü", True),
    ('"say \\"hi\\""', 'say "hi"', False),
    ('"back\\\\slash"', "back\\slash", False),
    ('"tab\\there"', "tab\there", False),
    ('"\\u00e9"', "é", False),
    ('"$${not.a.ref}"', "${not.a.ref}", False),
    ('"%%{not.a.directive}"', "%{not.a.directive}", False),
    ('"a {brace}"', "a {brace}", True),
])
def test_quoted_strings_read_alike_on_every_path(literal, value, exact):
    """Plain quoted strings are read from their bytes (hcl._plain_string), the others
    through their template children: both give the same value and position."""
    from eksguard.adapters.terraform import hcl

    parsed = hcl.parse_file(f'resource "x" "y" {{\n  a = {literal}\n  b = [1, {literal}]\n}}\n')
    body = parsed.blocks[0].body
    for got, line, column in ((body["a"], 2, 8), (body["b"][1], 3, 12)):  # just past the quote
        assert got == value and isinstance(got, hcl.Text)
        assert (got.line, got.column, got.exact) == (line, column, exact)


def test_each_folder_is_parsed_once_and_few_are_kept(plugins, tmp_path, monkeypatch):
    """A folder's files share one parse; the adapter keeps only the last few folders
    (terraform.FOLDERS_KEPT), not every syntax tree of the repository."""
    from eksguard.adapters import terraform
    from eksguard.adapters.terraform import hcl

    for n in range(8):
        folder = tmp_path / f"stack{n}"
        folder.mkdir()
        (folder / "variables.tf").write_text('variable "mode" {\n  default = "OVERWRITE"\n}\n')
        (folder / "main.tf").write_text('resource "aws_eks_addon" "cni" {\n  cluster_name = "c"\n'
                                        '  addon_name = "vpc-cni"\n  resolve_conflicts_on_update = var.mode\n}\n')
    parsed = []
    real = hcl.parse
    monkeypatch.setattr(hcl, "parse", lambda text, path="<string>": parsed.append(path) or real(text, path))
    kept = []
    real_lift = terraform.TerraformAdapter.lift
    monkeypatch.setattr(terraform.TerraformAdapter, "lift",
                        lambda self, source, sink: real_lift(self, source, sink) or kept.append(len(self._folders)))
    read = []
    real_read = terraform.read_text
    monkeypatch.setattr(terraform, "read_text", lambda source, *a, **k: read.append(source.path) or
                        real_read(source, *a, **k))
    result = scan(["."], plugins, cwd=tmp_path, options={"jobs": 1, "cache": False})
    assert sorted(parsed) == sorted(f"stack{n}/{name}" for n in range(8) for name in ("main.tf", "variables.tf"))
    assert max(kept) == terraform.FOLDERS_KEPT
    # ...and each file is read once: its own lift shows the suppression log the text its
    # folder read (a finding in the second file of a folder is still suppressible: see
    # test_suppress.py, other.tf)
    assert sorted(str(path.relative_to(tmp_path)) for path in read) == sorted(parsed)
    assert [f.location.path for f in result.findings if f.code == "EKS501"] == [f"stack{n}/main.tf" for n in range(8)]
