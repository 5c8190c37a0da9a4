"""Hypothesis strategies for the adapters' input formats, shared by ``tests/test_fuzz.py``
(short, deterministic, in CI) and ``tests/fuzz_long.py`` (long local runs).

Each strategy draws a plausible document (Kubernetes-like YAML, Terraform with the
resources and module inputs eksguard lifts, shell with ``aws eks`` commands) and then
damages it with a few edits from the same draw: hostile snippets (anchors, aliases,
tags, braces, heredoc markers, BOMs, NUL bytes), deleted slices and raw bytes.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

# -- shared -------------------------------------------------------------------------------

WORDS = ["web", "shop", "kube-system", "prod", "coredns", "vpc-cni", "aws-node", "alb", "spot", "on-demand",
         "OVERWRITE", "PRESERVE", "NONE", "API", "CONFIG_MAP", "API_AND_CONFIG_MAP", "WhenEmpty",
         "WhenEmptyOrUnderutilized", "ip", "instance", "true", "false", "null", "1.30", "1.29", "v1.19.2-eksbuild.1",
         "m5.large", "arn:aws:iam::111122223333:role/x", "0.0.0.0/0", "3", "-1", "0", "1e3", ".inf", "~", "yes",
         "ENABLE_PREFIX_DELEGATION", "WARM_PREFIX_TARGET", "110", "karpenter.sh/capacity-type", "In", "NotIn",
         "{{ .Values.x }}", "${var.name}", "%{ if true }x%{ endif }", "", " ", "é", "\u2028", "日本"]

#: Snippets that stress parsers, spliced into otherwise plausible text.
HOSTILE = ["&a ", "*a", "*missing", "<<: *a\n", "!!python/object/apply:os.system [\"touch PWNED\"]",
           "!!binary aGVsbG8=", "!custom ", "? [a, b]\n: c\n", "{", "}", "[", "]", "\"", "'", "---\n", "...\n",
           "%YAML 1.1\n", "\t", ": ", "- ", "#", "\r\n", "\r", "\ufeff", "\x00", "\x85", "{{", "}}", "${", "%{",
           "<<EOT\n", "<<-EOT\n", "EOT\n", "\\\n", "`", "$(", ")", "&&", "|", ";", "=", "\"${var.x}\"", "/*", "*/",
           "\u2028", "\u00e9", "0x1F", "0o17", "+.5", "- - - -", "[[[[[[[[", "{a: {b: {c:"]


@st.composite
def damaged(draw, text: str) -> bytes:
    """``text`` with up to four edits: a hostile snippet, a deleted slice, raw bytes."""
    data = text.encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.integers(0, 2))
        if edit == 0:
            data = data[:at] + draw(st.sampled_from(HOSTILE)).encode("utf-8", "surrogatepass") + data[at:]
        elif edit == 1:
            data = data[:at] + data[at + draw(st.integers(1, 40)):]
        else:
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


scalar_text = st.one_of(st.sampled_from(WORDS), st.text(max_size=12), st.integers(-3, 2**40).map(str))

# -- YAML ---------------------------------------------------------------------------------

K8S_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "replicas",
            "template", "containers", "image", "env", "value", "selector", "matchLabels", "limits", "cpu",
            "requirements", "key", "operator", "values", "disruption", "consolidationPolicy", "budgets", "nodes",
            "data", "items", "accessConfig", "authenticationMode", "accessEntries", "addons", "version",
            "resolveConflicts", "configurationValues", "managedNodeGroups", "nodeGroups", "instanceType",
            "maxPodsPerNode", "iam", "podIdentityAssociations", "serviceAccounts", "ingressClassName", "rules",
            "type", "ports", "serviceAccountName", "minAvailable", "maxUnavailable", "group", "scheme", "targetType",
            "alb.ingress.kubernetes.io/group.name", "alb.ingress.kubernetes.io/target-type",
            "service.beta.kubernetes.io/aws-load-balancer-type", "eks.amazonaws.com/role-arn", "amiFamily",
            "kubelet", "maxPods", "vpc", "clusterEndpoints", "publicAccess", "secretsEncryption", "cloudWatch",
            "<<", "1.30", "true", "null", ""]
KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Service", "Ingress", "IngressClass", "IngressClassParams",
         "NodePool", "EC2NodeClass", "Provisioner", "AWSNodeTemplate", "PodDisruptionBudget", "ServiceAccount",
         "ConfigMap", "ClusterConfig", "HorizontalPodAutoscaler", "List", "DeploymentList", "Pod", "CronJob",
         "Namespace", "HelmRelease", "Kustomization"]
API_VERSIONS = ["v1", "apps/v1", "networking.k8s.io/v1", "karpenter.sh/v1", "karpenter.sh/v1beta1",
                "karpenter.sh/v1alpha5", "karpenter.k8s.aws/v1", "eksctl.io/v1alpha5", "policy/v1",
                "autoscaling/v2", "elbv2.k8s.aws/v1beta1", "helm.toolkit.fluxcd.io/v2", "batch/v1"]

yaml_scalar = st.one_of(st.sampled_from(WORDS), st.integers(-3, 10**6), st.booleans(), st.none(),
                        st.text(max_size=10), st.floats(allow_nan=True, allow_infinity=True))
yaml_value = st.recursive(
    yaml_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(K8S_KEYS), inner, max_size=5)),
    max_leaves=30,
)


@st.composite
def k8s_document(draw) -> object:
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return draw(yaml_value)  # a scalar or a list at the top level, an odd mapping
    body = {"apiVersion": draw(st.sampled_from(API_VERSIONS)), "kind": draw(st.sampled_from(KINDS)),
            "metadata": draw(st.one_of(st.fixed_dictionaries({"name": st.sampled_from(WORDS)},
                                                             optional={"namespace": st.sampled_from(WORDS),
                                                                       "annotations": yaml_value,
                                                                       "labels": yaml_value}),
                                       yaml_value))}
    body.update(draw(st.dictionaries(st.sampled_from(K8S_KEYS), yaml_value, max_size=5)))
    return body


def _key(key: str) -> str:
    return json.dumps(key) if key in ("", "<<", "true", "null", "1.30") else key


def _emit(value: object, indent: int, flow: bool, choices: list[int], anchors: list[str]) -> str:
    """Block-style YAML (JSON-style flow when ``flow``). ``choices`` (drawn) decide where
    a nested node gets an anchor and where a key becomes an alias or a merge of one."""
    pad = "  " * indent
    if isinstance(value, dict) and value and not flow:
        lines = []
        for key, item in value.items():
            choice = choices.pop() if choices else 0
            if choice == 1 and anchors:
                lines.append(f"{pad}{_key(key)}: *{anchors[-1]}")
                continue
            if choice == 2 and anchors:
                lines.append(f"{pad}<<: *{anchors[0]}")
            if isinstance(item, (dict, list)) and item:
                anchor = ""
                if choice == 3:
                    anchor = f" &a{len(anchors)}"
                    anchors.append(f"a{len(anchors)}")
                lines.append(f"{pad}{_key(key)}:{anchor}")
                lines.append(_emit(item, indent + 1, False, choices, anchors))
            else:
                lines.append(f"{pad}{_key(key)}: " + _emit(item, 0, True, choices, anchors))
        return "\n".join(lines)
    if isinstance(value, list) and value and not flow:
        return "\n".join(f"{pad}- " + _emit(item, indent + 1, True, choices, anchors) for item in value)
    return json.dumps(value, ensure_ascii=False, default=str)  # JSON is flow YAML


@st.composite
def yaml_text(draw) -> bytes:
    docs = draw(st.lists(k8s_document(), min_size=1, max_size=4))
    parts = []
    for doc in docs:
        flow = draw(st.integers(0, 4)) == 0
        choices = draw(st.lists(st.integers(0, 6), max_size=40))
        parts.append(_emit(doc, 0, flow, choices, []))
    separator = draw(st.sampled_from(["\n---\n", "\n--- \n", "\n---\n# c\n", "\n...\n---\n"]))
    text = separator.join(parts) + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text
    return draw(damaged(text))


# -- Terraform ------------------------------------------------------------------------------

TF_TYPES = ["aws_eks_cluster", "aws_eks_addon", "aws_eks_node_group", "aws_eks_access_entry",
            "aws_eks_access_policy_association", "aws_eks_pod_identity_association", "aws_eks_fargate_profile",
            "aws_launch_template", "aws_iam_role", "aws_iam_role_policy_attachment", "kubernetes_manifest",
            "kubectl_manifest", "helm_release", "kubernetes_deployment", "kubernetes_deployment_v1",
            "kubernetes_config_map", "kubernetes_config_map_v1", "kubernetes_service_account",
            "kubernetes_ingress_v1", "kubernetes_daemonset", "kubernetes_pod_disruption_budget_v1",
            "aws_security_group", "null_resource"]
TF_ATTRS = ["name", "cluster_name", "addon_name", "addon_version", "resolve_conflicts", "resolve_conflicts_on_update",
            "resolve_conflicts_on_create", "configuration_values", "version", "cluster_version", "kubernetes_version",
            "authentication_mode", "bootstrap_cluster_creator_admin_permissions",
            "enable_cluster_creator_admin_permissions", "principal_arn", "policy_arn", "type", "kubernetes_groups",
            "service_account", "namespace", "role_arn", "capacity_type", "instance_types", "ami_type", "user_data",
            "yaml_body", "manifest", "values", "chart", "repository", "max_pods", "endpoint_public_access",
            "public_access_cidrs", "enabled_cluster_log_types", "cluster_endpoint_public_access",
            "cluster_enabled_log_types", "cluster_addons", "addons", "access_entries", "eks_managed_node_groups",
            "self_managed_node_groups", "fargate_profiles", "source", "default", "tags", "count", "for_each",
            "desired_size", "min_size", "max_size", "replicas", "data", "metadata", "spec", "annotations"]
TF_BLOCKS = ["access_config", "vpc_config", "encryption_config", "scaling_config", "launch_template", "metadata",
             "spec", "template", "container", "env", "set", "access_scope", "kubernetes_network_config",
             "upgrade_policy", "lifecycle", "dynamic", "content"]


@st.composite
def tf_expression(draw, depth: int = 0) -> str:
    choice = draw(st.integers(0, 15 if depth < 3 else 5))
    if choice == 0:
        return str(draw(st.integers(-5, 10**6)))
    if choice == 1:
        return draw(st.sampled_from(["true", "false", "null"]))
    if choice in (2, 3):
        return json.dumps(draw(scalar_text), ensure_ascii=False)
    if choice == 4:
        return draw(st.sampled_from(["var.cluster_name", "local.tags", "var.addons", "module.eks.cluster_name",
                                     "aws_eks_cluster.this.name", "each.value", "count.index", "var.x[0]",
                                     "local.m[\"k\"]", "var.l[*].id", "data.aws_caller_identity.c.account_id"]))
    if choice == 5:
        return '"${' + draw(st.sampled_from(["var.name", "local.p", "1 + 2", "upper(\"a\")"])) + '}-x"'
    if choice in (6, 7):
        items = draw(st.lists(tf_expression(depth + 1), max_size=4))
        return "[" + ", ".join(items) + "]"
    if choice in (8, 9):
        keys = draw(st.lists(st.sampled_from(TF_ATTRS + WORDS[:8]), max_size=4))
        sep = draw(st.sampled_from([" = ", ": "]))
        inner = ", ".join(f"{k if k.isidentifier() else json.dumps(k)}{sep}{draw(tf_expression(depth + 1))}"
                          for k in keys)
        return "{" + inner + "}"
    if choice == 10:
        yaml_body = draw(yaml_text()).decode("utf-8", "replace").replace("\r", "")
        marker = draw(st.sampled_from(["<<EOT", "<<-EOT", "<<YAML", "<<-YAML"]))
        end = marker.lstrip("<-")
        return marker + "\n" + yaml_body + ("\n" if not yaml_body.endswith("\n") else "") + f"  {end}"
    if choice == 11:
        fn = draw(st.sampled_from(["jsonencode", "yamlencode", "merge", "concat", "lookup", "try", "file", "tostring",
                                   "base64encode", "templatefile", "coalesce", "format"]))
        args = draw(st.lists(tf_expression(depth + 1), max_size=3))
        return f"{fn}({', '.join(args)})"
    if choice == 12:
        return f"{draw(tf_expression(depth + 1))} ? {draw(tf_expression(depth + 1))} : {draw(tf_expression(depth + 1))}"
    if choice == 13:
        return f"[for x in {draw(tf_expression(depth + 1))} : x]"
    if choice == 14:
        return f"({draw(tf_expression(depth + 1))}) {draw(st.sampled_from(['+', '==', '&&', '-']))} 1"
    return "-" + draw(tf_expression(depth + 1))


@st.composite
def tf_body(draw, depth: int = 0) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            name = draw(st.sampled_from(TF_BLOCKS))
            label = ' "env"' if name == "dynamic" else ""
            lines.append(f"{name}{label} {{\n{draw(tf_body(depth + 1))}}}")
        else:
            lines.append(f"{draw(st.sampled_from(TF_ATTRS))} = {draw(tf_expression())}")
    return "".join(f"  {line}\n" for line in lines)


@st.composite
def tf_block(draw) -> str:
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return f'variable "{draw(st.sampled_from(["cluster_name", "addons", "x", "l"]))}" {{\n' \
               f"  default = {draw(tf_expression())}\n}}\n"
    if kind == 1:
        return f"locals {{\n{draw(tf_body())}}}\n"
    if kind == 2:
        return f'module "eks" {{\n  source = "terraform-aws-modules/eks/aws"\n' \
               f'  version = "{draw(st.sampled_from(["~> 20.0", "21.1.0", "19.0"]))}"\n{draw(tf_body())}}}\n'
    if kind == 3:
        return f'data "{draw(st.sampled_from(TF_TYPES))}" "d" {{\n{draw(tf_body())}}}\n'
    return f'resource "{draw(st.sampled_from(TF_TYPES))}" "{draw(st.sampled_from(["this", "a", "b"]))}" ' \
           f"{{\n{draw(tf_body())}}}\n"


@st.composite
def tf_text(draw) -> bytes:
    text = "\n".join(draw(st.lists(tf_block(), min_size=1, max_size=4)))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return draw(damaged(text))


tfvars_text = st.lists(st.tuples(st.sampled_from(["cluster_name", "addons", "x", "l"]), tf_expression()),
                       max_size=3).map(lambda pairs: "".join(f"{k} = {v}\n" for k, v in pairs).encode())

# -- shell --------------------------------------------------------------------------------

AWS_COMMANDS = ["create-cluster", "update-cluster-config", "create-addon", "update-addon", "create-nodegroup",
                "create-access-entry", "associate-access-policy", "create-pod-identity-association",
                "update-cluster-version", "associate-encryption-config", "wait", "describe-cluster"]
FLAGS = ["--name", "--cluster-name", "--addon-name", "--addon-version", "--resolve-conflicts",
         "--configuration-values", "--access-config", "--resources-vpc-config", "--logging", "--kubernetes-version",
         "--encryption-config", "--principal-arn", "--policy-arn", "--access-scope", "--service-account",
         "--namespace", "--role-arn", "--capacity-type", "--instance-types", "--scaling-config",
         "--bootstrap-cluster-creator-admin-permissions", "--region", "--output", "--version"]
SHELL_VALUES = WORDS + ["authenticationMode=API", "authenticationMode=CONFIG_MAP,bootstrapClusterCreatorAdminPermissions=false",
                        "endpointPublicAccess=true,publicAccessCidrs=0.0.0.0/0", "type=cluster",
                        '{"clusterLogging":[{"types":["api"],"enabled":false}]}', "'{\"replicaCount\": 1}'",
                        "file://values.json", "$CLUSTER", "\"$CLUSTER\"", "${CLUSTER:-prod}", "$(date)", "`id`",
                        "'unterminated", "\"unterminated", "a\\ b", "x=1", "--", "-"]


@st.composite
def shell_line(draw) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return f"{draw(st.sampled_from(['CLUSTER', 'CONFLICTS', 'X']))}={draw(st.sampled_from(SHELL_VALUES))}"
    if kind == 1:
        env = " ".join(f"{draw(st.sampled_from(['ENABLE_PREFIX_DELEGATION', 'WARM_PREFIX_TARGET', 'WARM_IP_TARGET', 'MINIMUM_IP_TARGET']))}"
                       f"={draw(st.sampled_from(SHELL_VALUES))}" for _ in range(draw(st.integers(0, 3))))
        return f"kubectl set env {draw(st.sampled_from(['daemonset', 'ds', 'daemonset/aws-node']))} aws-node " \
               f"-n kube-system {env}"
    if kind == 2:
        return draw(st.sampled_from(["# aws eks update-addon --resolve-conflicts OVERWRITE", "echo 'aws eks x'",
                                     "if [ -n \"$X\" ]; then", "fi", "for i in 1 2; do", "done", "set -euo pipefail",
                                     "cat <<EOF", "EOF", "function f() {", "}", "exit 0", ""]))
    if kind == 3:
        return draw(st.text(max_size=30))
    parts = ["aws", "eks", draw(st.sampled_from(AWS_COMMANDS))]
    for _ in range(draw(st.integers(0, 6))):
        flag = draw(st.sampled_from(FLAGS))
        value = draw(st.sampled_from(SHELL_VALUES))
        style = draw(st.integers(0, 3))
        parts.append(f"{flag}={value}" if style == 0 else f"{flag}" if style == 1 else f"{flag} {value}")
    joiner = draw(st.sampled_from([" ", " \\\n  ", "  "]))
    return joiner.join(parts)


@st.composite
def shell_text(draw) -> bytes:
    text = "#!/bin/sh\n" + "\n".join(draw(st.lists(shell_line(), min_size=1, max_size=8))) + "\n"
    return draw(damaged(text))


@st.composite
def workflow_text(draw) -> bytes:
    steps = draw(st.lists(st.lists(shell_line(), min_size=1, max_size=3), min_size=1, max_size=3))
    body = "".join("      - run: |\n" + "".join(f"          {line.replace(chr(10), ' ')}\n" for line in step)
                   for step in steps)
    text = f"name: ci\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n{body}"
    return draw(damaged(text))
