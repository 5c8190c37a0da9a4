"""Scripts and CI steps: the shell tokenizer, the places shell code lives, and what
``aws eks …`` / ``kubectl set env`` commands become in the model — with exact positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from eksguard.adapters import Source
from eksguard.adapters.scripts import ScriptsAdapter
from eksguard.adapters.scripts.lexer import LexError, Lexer, Op, Ref, Word, commands
from eksguard.adapters.scripts.shorthand import parse_struct
from eksguard.adapters.scripts.snippet import Snippet, yaml_scalar
from eksguard.engine.runner import scan
from eksguard.model import UNKNOWN, AccessEntry, Addon, Cluster, CniSettings, PodIdentityAssociation
from eksguard.yaml_loader import load_documents


def tokens(text: str):
    return list(Lexer(text).tokens())


def words(text: str) -> list[list[str]]:
    """Each command's words, a Ref shown as ``${name}`` or ``?``."""
    out = []
    for command in commands(text):
        out.append(["".join(i if isinstance(i, str) else f"${{{i.name}}}" if i.name else "?" for i in w.items)
                    for w in command.words])
    return out


def position(snippet: Snippet, word: Word, index: int = 0) -> tuple[int, int]:
    return snippet.at(word.offsets[index])


def run_scan(plugins, tmp_path: Path, name: str, text: str | bytes):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return scan([str(tmp_path)], plugins, cwd=tmp_path)


def where(setting) -> tuple[int, int]:
    return setting.location.line, setting.location.column


# -- tokenizer -----------------------------------------------------------------------------


def test_words_quotes_and_positions():
    text = "aws eks  'up''date'-addon \"--x\"=\"a b\"\n"
    snippet = Snippet.of_text(text)
    (command,) = commands(text)
    assert [w.literal() for w in command.words] == ["aws", "eks", "update-addon", "--x=a b"]
    third = command.words[2]
    assert third.start == 9 and position(snippet, third) == (1, 11)  # first char inside the quote
    fourth = command.words[3]
    assert position(snippet, fourth, 4) == (1, 34)  # the "a" inside the second quotes


def test_backslash_continuation_keeps_real_lines():
    text = "aws eks update-addon \\\n  --addon-name vpc-cni \\\n\t--resolve-conflicts OVERWRITE\n"
    snippet = Snippet.of_text(text)
    (command,) = commands(text)
    assert [w.literal() for w in command.words][-2:] == ["--resolve-conflicts", "OVERWRITE"]
    assert snippet.at(command.words[-1].start) == (3, 22)
    assert snippet.at(command.words[3].start) == (2, 3)


def test_expansions():
    assert words('echo $A ${B} "${C}x" ${D:-d} $(date) `id` $((1+2)) $1 $@ \'$E\' $\'a\\tb\' \\$F') == [
        ["echo", "${A}", "${B}", "${C}x", "?", "?", "?", "?", "?", "?", "$E", "a\tb", "$F"]]
    quoted = [t for t in tokens('x "$A" $A') if isinstance(t, Word)]
    assert quoted[1].items[0] == Ref("A", True) and quoted[2].items[0] == Ref("A", False)


def test_operators_split_commands_and_comments_are_skipped():
    assert words("a 1 && b 2; c | d & e || f\n(g) # h i\nj#k l") == [
        ["a", "1"], ["b", "2"], ["c"], ["d"], ["e"], ["f"], ["g"], ["j#k", "l"]]


def test_redirections_drop_their_targets():
    assert words("a x >out 2>/dev/null b >&2 c <<<here d &>log") == [["a", "x", "b", "c", "d"]]


def test_heredoc_bodies_are_skipped():
    text = "cat <<EOF > f\naws eks update-addon\nEOF\ncat <<-'X'\n\tkubectl set env\n\tX\nafter 1\n"
    assert words(text) == [["cat"], ["cat"], ["after", "1"]]


def test_unterminated_quote_is_an_error_at_the_quote_and_lexing_resumes():
    text = "aws eks update-addon --x 'abc\nnext 1\n"
    found = tokens(text)
    (error,) = [t for t in found if isinstance(t, LexError)]
    assert error.start == text.index("'") and "single quote" in error.message
    assert words(text)[-1] == ["next", "1"]
    assert [t.text for t in found if isinstance(t, Op)] == ["\n", "\n"]


@pytest.mark.parametrize("text", ['"abc', "$(abc", "`abc", "${abc", "$'abc", "<(abc", "\\", "'", '"\\'])
def test_unterminated_constructs_never_raise(text):
    list(commands(text))


def test_shorthand():
    parsed = parse_struct("subnetIds=a,b,endpointPublicAccess=true,publicAccessCidrs=[1.2.3.4/32,5.6.7.8/32]")
    assert parsed["subnetIds"] == (["a", "b"], 10)
    assert parsed["endpointPublicAccess"] == ("true", 35)
    assert parsed["publicAccessCidrs"][0] == ["1.2.3.4/32", "5.6.7.8/32"]
    nested = parse_struct("clusterLogging=[{types=[api,audit],enabled=true}]")
    assert nested["clusterLogging"][0] == [{"types": ["api", "audit"], "enabled": "true"}]
    assert parse_struct('{"authenticationMode": "API"}') == {"authenticationMode": ("API", 23)}


# -- YAML scalars ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "yaml_text, value_char, expected",
    [
        ("run: |\n  set -e\n  aws eks x \\\n    --y Z\n", "Z", (4, 9)),
        ("run: |-\n    one\n\n    two Z\nnext: 1\n", "Z", (4, 9)),
        ("run: aws eks\n  update-addon Z\n", "Z", (2, 16)),
        ('run: "aws \\"q\\" Z"\n', "Z", (1, 17)),
        ("run: 'it''s Z'\n", "Z", (1, 13)),
        ("run: >-\n  aws eks\n  --y Z\n", "Z", (3, 7)),
    ],
)
def test_yaml_scalar_positions(yaml_text, value_char, expected):
    (doc,) = load_documents(yaml_text)
    value = doc.value["run"]
    line, column = doc.value.value_mark("run")
    snippet = yaml_scalar(yaml_text.split("\n"), line, column, value)
    assert snippet.text == value
    assert snippet.at(value.index(value_char)) == expected


def test_yaml_scalar_falls_back_to_the_value_start():
    text = "run: |2\n    odd indentation indicator Z\n"
    (doc,) = load_documents(text)
    line, column = doc.value.value_mark("run")
    snippet = yaml_scalar(text.split("\n"), line, column, doc.value["run"])
    assert snippet.text == doc.value["run"]
    assert snippet.at(len(snippet.text) - 2) == (1, 6)


# -- command forms ---------------------------------------------------------------------------


def test_update_addon_with_continuations(plugins, tmp_path):
    text = (
        "#!/bin/sh\n"
        "aws eks update-addon \\\n"
        "  --cluster-name platform-prod \\\n"
        "  --addon-name vpc-cni --addon-version v1.19.2-eksbuild.1 \\\n"
        "  --service-account-role-arn arn:aws:iam::111122223333:role/cni \\\n"
        "  --resolve-conflicts overwrite\n"
    )
    result = run_scan(plugins, tmp_path, "up.sh", text)
    (addon,) = result.platform.of_kind(Addon)
    assert (addon.name, addon.cluster, addon.location.line, addon.location.column) == ("vpc-cni", "platform-prod", 2, 1)
    assert addon.origin.format == "shell"
    assert addon.value("resolve_conflicts_on_update") == "OVERWRITE" and where(addon.setting("resolve_conflicts_on_update")) == (6, 23)
    assert addon.setting("resolve_conflicts_on_create") is None
    assert addon.value("version") == "v1.19.2-eksbuild.1" and where(addon.setting("version")) == (4, 40)
    assert addon.value("service_account_role_arn").endswith("role/cni")
    assert [(f.code, f.location.line, f.location.column) for f in result.findings] == [("EKS501", 6, 23)]


def test_flag_equals_value_points_at_the_value_part(plugins, tmp_path):
    result = run_scan(plugins, tmp_path, "a.sh", "aws eks update-addon --addon-name=coredns --resolve-conflicts='OVERWRITE'\n")
    (addon,) = result.platform.of_kind(Addon)
    assert addon.name == "coredns"
    assert where(addon.setting("resolve_conflicts_on_update")) == (1, 63)  # the opening quote of the value


def test_create_addon_configuration_values(plugins, tmp_path):
    text = (
        "aws eks create-addon --cluster-name c --addon-name vpc-cni --resolve-conflicts OVERWRITE \\\n"
        "  --configuration-values '{\"env\":{\"ENABLE_PREFIX_DELEGATION\":\"true\"}}' \\\n"
        "  --pod-identity-associations serviceAccount=aws-node,roleArn=arn:aws:iam::111122223333:role/cni\n"
        "aws eks create-addon --cluster-name c --addon-name coredns --configuration-values file://coredns.json\n"
        "aws eks create-addon --cluster-name c --addon-name kube-proxy --configuration-values 'replicaCount: 2'\n"
    )
    result = run_scan(plugins, tmp_path, "create.sh", text)
    addons = {a.name: a for a in result.platform.of_kind(Addon)}
    cni = addons["vpc-cni"]
    assert cni.value("resolve_conflicts_on_create") == "OVERWRITE" and cni.setting("resolve_conflicts_on_update") is None
    assert cni.value("configuration_values") == {"env": {"ENABLE_PREFIX_DELEGATION": "true"}}
    assert where(cni.setting("configuration_values")) == (2, 26)
    (pia,) = cni.pod_identity_associations
    assert pia.name == "kube-system/aws-node" and pia.setting("namespace").default
    assert pia.value("role_arn") == "arn:aws:iam::111122223333:role/cni"
    assert addons["coredns"].setting("configuration_values").value is UNKNOWN
    assert addons["kube-proxy"].value("configuration_values") == {"replicaCount": 2}
    assert not [f for f in result.findings if f.code == "EKS501"]


def test_bad_configuration_values_is_eks001(plugins, tmp_path):
    result = run_scan(plugins, tmp_path, "bad.sh", "aws eks update-addon --addon-name x --configuration-values '{\"env\": [x'\n")
    assert [(f.code, f.location.line, f.location.column) for f in result.findings] == [("EKS001", 1, 60)]


def test_update_cluster_config_carries_only_what_it_changes(plugins, tmp_path):
    text = (
        "aws eks update-cluster-config --name platform-prod --access-config authenticationMode=API\n"
        "aws eks update-cluster-config --name platform-prod \\\n"
        "  --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=203.0.113.0/24,198.51.100.0/24\n"
        "aws eks update-cluster-config --name platform-prod --logging "
        "'{\"clusterLogging\":[{\"types\":[\"api\",\"audit\"],\"enabled\":true}]}'\n"
        "aws eks update-cluster-version --name platform-prod --kubernetes-version 1.32\n"
    )
    clusters = run_scan(plugins, tmp_path, "c.sh", text).platform.of_kind(Cluster)
    auth, vpc, logging, version = clusters
    assert auth.settings.keys() == {"authentication_mode"} and auth.value("authentication_mode") == "API"
    assert where(auth.setting("authentication_mode")) == (1, 87)
    assert vpc.value("endpoint_public_access") is True and where(vpc.setting("endpoint_public_access")) == (3, 47)
    assert vpc.value("public_access_cidrs") == ["203.0.113.0/24", "198.51.100.0/24"]
    assert vpc.settings.keys() == {"endpoint_public_access", "public_access_cidrs"}
    assert logging.settings.keys() == {"log_types_enabled", "log_types_disabled"}
    assert logging.value("log_types_enabled") == ["api", "audit"]
    assert version.value("version") == "1.32" and where(version.setting("version")) == (5, 74)
    assert {c.name for c in clusters} == {"platform-prod"}


def test_create_cluster_records_api_defaults(plugins, tmp_path):
    text = (
        "aws eks create-cluster --name lab --kubernetes-version 1.31 --role-arn arn:r \\\n"
        "  --resources-vpc-config subnetIds=subnet-a,subnet-b,endpointPrivateAccess=true \\\n"
        "  --access-config authenticationMode=API_AND_CONFIG_MAP,bootstrapClusterCreatorAdminPermissions=false \\\n"
        "  --encryption-config '[{\"resources\":[\"secrets\"],\"provider\":{\"keyArn\":\"arn:aws:kms:k\"}}]' \\\n"
        "  --logging 'clusterLogging=[{types=[api,audit,authenticator],enabled=true}]'\n"
    )
    (cluster,) = run_scan(plugins, tmp_path, "create.sh", text).platform.of_kind(Cluster)
    assert cluster.value("version") == "1.31"
    assert cluster.value("authentication_mode") == "API_AND_CONFIG_MAP" and where(cluster.setting("authentication_mode")) == (3, 38)
    assert cluster.value("bootstrap_cluster_creator_admin_permissions") is False
    assert cluster.value("endpoint_private_access") is True
    assert cluster.value("endpoint_public_access") is True and cluster.setting("endpoint_public_access").default
    assert cluster.value("public_access_cidrs") == ["0.0.0.0/0"] and where(cluster.setting("public_access_cidrs")) == (1, 1)
    assert cluster.value("secrets_encryption") is True and not cluster.setting("secrets_encryption").default
    assert cluster.value("log_types") == ["api", "audit", "authenticator"]


def test_create_cluster_defaults_to_config_map(plugins, tmp_path):
    (cluster,) = run_scan(plugins, tmp_path, "c.sh", "aws eks create-cluster --name x\n").platform.of_kind(Cluster)
    assert cluster.value("authentication_mode") == "CONFIG_MAP" and cluster.setting("authentication_mode").default
    assert cluster.value("secrets_encryption") is False and cluster.value("log_types") == []


def test_access_entry_and_policy(plugins, tmp_path):
    text = (
        "aws eks create-access-entry --cluster-name lab-eks \\\n"
        "  --principal-arn arn:aws:iam::111122223333:role/dev-readers --kubernetes-groups viewers auditors\n"
        "aws eks associate-access-policy --cluster-name lab-eks \\\n"
        "  --principal-arn arn:aws:iam::111122223333:role/dev-readers \\\n"
        "  --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy \\\n"
        "  --access-scope type=namespace,namespaces=dev,qa\n"
        "aws eks associate-access-policy --cluster-name lab-eks --principal-arn arn:aws:iam::111122223333:role/admins \\\n"
        "  --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy --access-scope type=cluster\n"
    )
    entries = run_scan(plugins, tmp_path, "access.sh", text).platform.of_kind(AccessEntry)
    readers, admins = entries
    assert readers.cluster == "lab-eks" and readers.value("type") == "STANDARD" and readers.setting("type").default
    assert readers.value("kubernetes_groups") == ["viewers", "auditors"]
    (policy,) = readers.policies
    assert policy.policy_arn.value.endswith("AmazonEKSViewPolicy") and where(policy.policy_arn) == (5, 16)
    assert policy.scope_type.value == "namespace" and where(policy.scope_type) == (6, 23)
    assert policy.namespaces.value == ["dev", "qa"] and where(policy.namespaces) == (6, 44)
    assert admins.name.endswith("role/admins") and admins.setting("type") is None
    assert admins.policies[0].scope_type.value == "cluster"


def test_pod_identity_association(plugins, tmp_path):
    text = ("aws eks create-pod-identity-association --cluster-name lab-eks \\\n"
            "  --namespace lab --service-account s3-reader \\\n"
            "  --role-arn arn:aws:iam::111122223333:role/lab-s3-reader\n")
    (pia,) = run_scan(plugins, tmp_path, "pia.sh", text).platform.of_kind(PodIdentityAssociation)
    assert pia.name == "lab/s3-reader" and pia.cluster == "lab-eks"
    assert where(pia.setting("namespace")) == (2, 15) and where(pia.setting("service_account")) == (2, 37)
    assert where(pia.setting("role_arn")) == (3, 14)


@pytest.mark.parametrize(
    "command",
    [
        "kubectl set env daemonset aws-node -n kube-system",
        "kubectl set env ds/aws-node --namespace kube-system",
        "kubectl set env daemonset/aws-node -n=kube-system",
        "kubectl -n kube-system set env ds aws-node",
        "kubectl set env daemonset.apps/aws-node --namespace=kube-system -c aws-node",
        "sudo kubectl --context prod set env ds aws-node -nkube-system",
    ],
)
def test_kubectl_set_env_forms(plugins, tmp_path, command):
    text = f"{command} ENABLE_PREFIX_DELEGATION=true WARM_PREFIX_TARGET=1 MINIMUM_IP_TARGET-\n"
    (cni,) = run_scan(plugins, tmp_path, "cni.sh", text).platform.of_kind(CniSettings)
    assert cni.value("ENABLE_PREFIX_DELEGATION") == "true" and cni.value("WARM_PREFIX_TARGET") == "1"
    assert "MINIMUM_IP_TARGET" in cni.settings and cni.setting("MINIMUM_IP_TARGET").value is None
    assert where(cni.setting("ENABLE_PREFIX_DELEGATION")) == (1, len(command) + 2)


@pytest.mark.parametrize(
    "command",
    [
        "kubectl set env daemonset aws-node ENABLE_PREFIX_DELEGATION=true",  # no namespace: not kube-system
        "kubectl set env daemonset aws-node -n default ENABLE_PREFIX_DELEGATION=true",
        "kubectl set env deployment aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true",
        "kubectl set env ds aws-node -n kube-system -c aws-vpc-cni-init DISABLE_TCP_EARLY_DEMUX=true",
        "kubectl set env ds aws-node -n kube-system --list",
        "echo kubectl set env ds aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true",
        "# kubectl set env ds aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true",
    ],
)
def test_kubectl_set_env_elsewhere_is_not_cni(plugins, tmp_path, command):
    assert not run_scan(plugins, tmp_path, "cni.sh", command + "\n").platform.of_kind(CniSettings)


def test_cni_env_on_continuation_lines(plugins, tmp_path):
    text = "kubectl set env daemonset aws-node -n kube-system \\\n  ENABLE_PREFIX_DELEGATION=true\n"
    (cni,) = run_scan(plugins, tmp_path, "cni.sh", text).platform.of_kind(CniSettings)
    assert where(cni.setting("ENABLE_PREFIX_DELEGATION")) == (2, 3)
    assert cni.location.line == 1


def test_variables(plugins, tmp_path):
    text = (
        "NAME=vpc-cni\n"
        "export CLUSTER='platform-prod' MODE=OVER\n"
        "MODE+=WRITE\n"
        "FLAGS='--addon-name coredns'\n"
        "aws eks update-addon --cluster-name ${CLUSTER} --addon-name $NAME --resolve-conflicts \"$MODE\"\n"
        "aws eks update-addon $FLAGS --cluster-name $FROM_ENV --resolve-conflicts $(cat mode)\n"
        "for NAME in a b; do aws eks update-addon --addon-name $NAME; done\n"
        "if ! time aws eks update-addon --addon-name x --resolve-conflicts PRESERVE; then exit 1; fi\n"
        "aws --region us-east-1 --no-cli-pager eks update-addon --addon-name y\n"
    )
    addons = run_scan(plugins, tmp_path, "vars.sh", text).platform.of_kind(Addon)
    assert [(a.name, a.cluster) for a in addons] == [
        ("vpc-cni", "platform-prod"), ("coredns", None), (None, None), ("x", None), ("y", None)]
    first, second = addons[:2]
    assert first.value("resolve_conflicts_on_update") == "OVERWRITE"
    assert where(first.setting("resolve_conflicts_on_update")) == (5, 87)  # at "$MODE"'s opening quote
    assert second.setting("resolve_conflicts_on_update").value is UNKNOWN
    assert addons[3].location.column == 11


# -- containers ------------------------------------------------------------------------------


WORKFLOW = """\
name: upgrade
on: workflow_dispatch
env:
  CLUSTER: platform-prod
jobs:
  addons:
    runs-on: ubuntu-latest
    env:
      MODE: OVERWRITE
    steps:
      - uses: actions/checkout@v4
      - name: cni
        run: |
          set -e
          aws eks update-addon \\
            --cluster-name "${{ env.CLUSTER }}" \\
            --addon-name vpc-cni \\
            --resolve-conflicts OVERWRITE
      - run: aws eks update-addon --cluster-name $CLUSTER --addon-name coredns --resolve-conflicts $MODE
      - run: aws eks update-addon --addon-name "${{ inputs.addon }}" --cluster-name "${{ secrets.C }}"
      - shell: pwsh
        run: aws eks update-addon --addon-name pwsh --resolve-conflicts OVERWRITE
  windows:
    runs-on: windows-latest
    steps:
      - run: aws eks update-addon --addon-name windows --resolve-conflicts OVERWRITE
"""


def test_workflow_run_blocks(plugins, tmp_path):
    result = run_scan(plugins, tmp_path, ".github/workflows/upgrade.yaml", WORKFLOW)
    addons = result.platform.of_kind(Addon)
    assert [(a.name, a.cluster, a.location.line, a.location.column) for a in addons] == [
        ("vpc-cni", "platform-prod", 15, 11), ("coredns", "platform-prod", 19, 14), (None, None, 20, 14)]
    assert where(addons[0].setting("resolve_conflicts_on_update")) == (18, 33)
    assert where(addons[1].setting("resolve_conflicts_on_update")) == (19, 100)
    assert sorted((f.code, f.location.line) for f in result.findings) == [("EKS501", 18), ("EKS501", 19)]


def test_workflow_yaml_is_not_read_as_kubernetes_and_broken_yaml_is_eks001(plugins, tmp_path):
    result = run_scan(plugins, tmp_path, ".github/workflows/bad.yml", "jobs:\n  a: [\n")
    assert [(f.code, f.location.path) for f in result.findings] == [("EKS001", ".github/workflows/bad.yml")]
    assert result.sources[0].display == ".github/workflows/bad.yml"


def test_gitlab_ci(plugins, tmp_path):
    text = (
        "variables:\n"
        "  CLUSTER: platform-prod\n"
        "upgrade:\n"
        "  variables:\n"
        "    MODE: {value: OVERWRITE, description: how}\n"
        "  before_script:\n"
        "    - ADDON=vpc-cni\n"
        "  script:\n"
        "    - aws eks update-addon --cluster-name $CLUSTER --addon-name $ADDON --resolve-conflicts $MODE\n"
        "    - |\n"
        "      kubectl set env daemonset aws-node -n kube-system \\\n"
        "        ENABLE_PREFIX_DELEGATION=true\n"
    )
    result = run_scan(plugins, tmp_path, ".gitlab-ci.yml", text)
    (addon,) = result.platform.of_kind(Addon)
    assert (addon.name, addon.cluster) == ("vpc-cni", "platform-prod")
    assert where(addon.setting("resolve_conflicts_on_update")) == (9, 92)
    (cni,) = result.platform.of_kind(CniSettings)
    assert where(cni.setting("ENABLE_PREFIX_DELEGATION")) == (12, 9)


MAKEFILE = """\
CLUSTER ?= platform-prod
export MODE := OVERWRITE # how to resolve
AWS = aws

addons: deps
\t@echo "upgrading $(CLUSTER)"
\t$(AWS) eks update-addon --cluster-name $(CLUSTER) \\
\t\t--addon-name vpc-cni \\
\t\t--resolve-conflicts $$MODE
\t-@aws eks update-addon --cluster-name ${CLUSTER} --addon-name coredns --resolve-conflicts $(MODE)
\taws eks update-addon --addon-name $@ --resolve-conflicts $(UNDEFINED)
"""


def test_makefile_recipes(plugins, tmp_path):
    result = run_scan(plugins, tmp_path, "Makefile", MAKEFILE)
    addons = result.platform.of_kind(Addon)
    assert [(a.name, a.cluster, a.location.line, a.location.column) for a in addons] == [
        ("vpc-cni", "platform-prod", 7, 2), ("coredns", "platform-prod", 10, 4), (None, None, 11, 2)]
    assert where(addons[0].setting("resolve_conflicts_on_update")) == (9, 23)
    assert where(addons[1].setting("resolve_conflicts_on_update")) == (10, 92)
    assert addons[2].setting("resolve_conflicts_on_update").value is UNKNOWN


# -- robustness ------------------------------------------------------------------------------


def test_unterminated_quote_in_a_lifted_command_is_eks001(plugins, tmp_path):
    text = (
        "aws eks update-addon --addon-name vpc-cni --resolve-conflicts OVERWRITE\n"
        "aws eks update-addon --addon-name coredns --configuration-values '{\"a\": 1}\n"
    )
    result = run_scan(plugins, tmp_path, "odd.sh", text)
    assert sorted((f.code, f.location.line, f.location.column) for f in result.findings) == [
        ("EKS001", 2, 66), ("EKS501", 1, 63)]
    assert [a.name for a in result.platform.of_kind(Addon)] == ["vpc-cni"]


def test_unterminated_quote_elsewhere_is_silent(plugins, tmp_path):
    text = "aws eks update-addon --addon-name vpc-cni --resolve-conflicts OVERWRITE\necho \"don't\nls '\n"
    result = run_scan(plugins, tmp_path, "odd.sh", text)
    assert [(f.code, f.location.line) for f in result.findings] == [("EKS501", 1)]


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02aws eks update-addon --resolve-conflicts OVERWRITE\n",
        b"\xff\xfe\xfd garbage \xc3\x28 ''' \"\"\" ` $( ${ <<",
        b"\"'\"'\"'\"'`$(${{}}\\\\\\",
        b"case $x in a) aws eks;; esac; f() { :; }; arr=(a b); [[ $a =~ ^x ]] && :\n",
    ],
)
def test_junk_never_raises_and_the_scan_goes_on(plugins, tmp_path, content):
    (tmp_path / "junk.sh").write_bytes(content)
    (tmp_path / "ok.sh").write_text("aws eks update-addon --addon-name x --resolve-conflicts OVERWRITE\n")
    result = scan([str(tmp_path)], plugins, cwd=tmp_path)
    assert [(f.location.path, f.code) for f in result.findings if f.code == "EKS501"] == [("ok.sh", "EKS501")]


def test_latin1_comments_do_not_hide_commands(plugins, tmp_path):
    content = "# caf\xe9\naws eks update-addon --addon-name x --resolve-conflicts OVERWRITE\n".encode("latin-1")
    result = run_scan(plugins, tmp_path, "old.sh", content)
    assert [(f.code, f.location.line) for f in result.findings] == [("EKS501", 2)]


@pytest.mark.parametrize(
    "path, claimed",
    [
        ("deploy.sh", True), ("x.BASH", True), ("Makefile", True), ("GNUmakefile", True), ("rules.mk", True),
        (".github/workflows/ci.yml", True), (".github/workflows/ci.yaml", True), (".gitlab-ci.yml", True),
        ("ci/deploy.gitlab-ci.yml", True), ("k8s/deploy.yaml", False), ("workflows/ci.yml", False),
        (".github/ci.yml", False), ("script.py", False),
    ],
)
def test_claims(path, claimed):
    assert ScriptsAdapter().claims(Source(path, Path("/repo") / path)) is claimed
    assert not ScriptsAdapter().claims(Source("<stdin>", None, stdin_data=b"aws eks"))


def test_commands_inside_substitutions(plugins, tmp_path):
    text = (
        "UPDATE_ID=$(aws eks update-addon --cluster-name c --addon-name vpc-cni \\\n"
        "  --resolve-conflicts OVERWRITE --query update.id --output text)\n"
        'echo "started `aws eks update-addon --addon-name coredns --resolve-conflicts OVERWRITE`"\n'
        "echo $((1 + 2))\n"
    )
    result = run_scan(plugins, tmp_path, "sub.sh", text)
    assert [(a.name, a.location.line, a.location.column) for a in result.platform.of_kind(Addon)] == [
        ("vpc-cni", 1, 13), ("coredns", 3, 16)]
    assert sorted((f.code, f.location.line, f.location.column) for f in result.findings) == [
        ("EKS501", 2, 23), ("EKS501", 3, 78)]


def test_unterminated_quote_in_kubectl_set_env(plugins, tmp_path):
    text = ("kubectl set env deployment web -n shop 'A=1\n"
            "kubectl set env daemonset aws-node -n kube-system ENABLE_POD_ENI=\"true\n")
    result = run_scan(plugins, tmp_path, "k.sh", text)
    assert [(f.code, f.location.line, f.location.column) for f in result.findings] == [("EKS001", 2, 66)]


def test_update_addon_in_a_loop_is_reported_without_a_made_up_name(plugins, tmp_path):
    """``--addon-name "$addon"`` in a loop (found in the corpus review): the finding stays,
    and says the name is not known rather than ``<unnamed>``."""
    result = run_scan(plugins, tmp_path, "upgrade.sh",
                      'for addon in vpc-cni coredns; do\n'
                      '  aws eks update-addon --cluster-name prod --addon-name "$addon" --resolve-conflicts OVERWRITE\n'
                      'done\n')
    (finding,) = [f for f in result.findings if f.code == "EKS501"]
    assert (finding.location.line, finding.location.column) == (2, 86)
    assert "<unnamed>" not in finding.message and "not known statically" in finding.message
