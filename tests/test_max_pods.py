"""The max-pods math (eksguard.model.instances), Karpenter requirement resolution
(eksguard.model.karpenter), the CNI settings in scope (eksguard.model.cni), the shipped
instance table and the ``eksguard max-pods`` command."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from eksguard.engine.runner import scan
from eksguard.model.cni import PREFIX_DELEGATION, cni_config
from eksguard.model.instances import DATA_FILE, instance_table, instance_type
from eksguard.model.karpenter import admitted_types
from clirun import eksguard

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SOURCE = SHARED / "instance-eni-limits.csv"
EXTENDED = SHARED / "instance-eni-limits-extended.csv"


# -- the math against known instance types --------------------------------------------------
# (type, max pods without PD, with PD, IP capacity without PD, with PD); figures from
# ../shared/data/instance-eni-limits*.csv and ../shared/FACTS.md section 5.
KNOWN = [
    ("t3.small", 11, 110, 11, 146),  # FACTS 5 worked example: 11 -> 110
    ("m5.large", 29, 110, 29, 434),  # FACTS 5: 29 -> 110
    ("c5.18xlarge", 250, 250, 737, 11762),  # FACTS 5: eni-max-pods 737 -> recommended 250
    ("p5.48xlarge", 100, 250, 100, 1570),  # 32 network cards, 2 ENIs on card 0 (FACTS 6)
    ("t2.medium", 17, 17, 17, 17),  # xen: no prefix delegation
    ("m4.large", 20, 20, 20, 20),  # xen
    ("t3.nano", 4, 34, 4, 34),  # prefix delegation below the cap
    ("m6i.4xlarge", 110, 110, 234, 3714),  # 16 vCPUs: capped at 110 either way
    ("c6i.8xlarge", 234, 250, 234, 3714),  # 32 vCPUs (> 30): cap 250
    ("m5.8xlarge", 234, 250, 234, 3714),  # exactly 32 vCPUs
    ("c5.metal", 250, 250, 737, 11762),  # bare metal: prefix delegation applies (CNI >= 1.11)
    ("c7a.medium", 8, 98, 8, 98),  # 1 vCPU, 2 ENIs x 4 IPv4
    ("a1.4xlarge", 110, 110, 234, 3714),  # Graviton, 16 vCPUs
]


@pytest.mark.parametrize("name, plain, pd, capacity, pd_capacity", KNOWN)
def test_known_instance_types(name, plain, pd, capacity, pd_capacity):
    it = instance_type(name)
    assert it is not None
    assert it.max_pods().recommended == plain
    assert it.max_pods(prefix_delegation=True).recommended == pd
    assert it.max_pods().capacity == capacity
    assert it.max_pods(prefix_delegation=True).capacity == pd_capacity
    assert it.max_pods().nodeadm == capacity  # nodeadm: ENI formula, no cap, no PD


def test_thirty_vcpus_still_get_110():
    thirty = [t for t in instance_table().values() if t.vcpus == 30]
    assert all(t.cap == 110 for t in thirty)
    assert instance_type("m5.8xlarge").cap == 250  # 32 vCPUs


def test_custom_networking_and_max_eni():
    m5 = instance_type("m5.large")
    assert m5.max_pods(custom_networking=True).capacity == 2 * 9 + 2  # primary ENI carries no pods
    assert m5.max_pods(max_eni=1).capacity == 9 + 2
    # the calculator caps ENIs first, then removes the primary one
    assert m5.max_pods(custom_networking=True, max_eni=2).enis == 1
    assert m5.max_pods(prefix_delegation=True, custom_networking=True).capacity == 2 * 9 * 16 + 2
    assert instance_type("t3.nano").max_pods(custom_networking=True, max_eni=1).capacity == 2


def test_unknown_vcpus_have_no_cap():
    trn = instance_type("trn2.3xlarge")
    assert trn.vcpus is None and trn.cap is None
    assert trn.max_pods(prefix_delegation=True).recommended == trn.max_pods(prefix_delegation=True).capacity


def test_karpenter_labels_from_the_name():
    it = instance_type("u-6tb1.metal")
    assert (it.family, it.category, it.generation, it.size) == ("u-6tb1", "u", "1", "metal")
    it = instance_type("im4gn.large")
    assert (it.category, it.generation, it.arch) == ("im", "4", "arm64")
    assert instance_type("inf2.xlarge").category == "inf"
    assert instance_type("c6gn.large").arch == "arm64"
    assert instance_type("g5.xlarge").arch == "amd64"
    assert instance_type("M5.Large") is instance_type("m5.large")


@pytest.mark.skipif(not EXTENDED.exists(), reason="../shared/data is not beside this checkout")
def test_matches_the_calculator_on_every_row():
    """Our capped values equal max-pods-calculator.sh's (computed in the extended table)
    for every type with a vCPU figure, and nodeadm's equals Karpenter's AL2023 pods."""
    table = instance_table()
    rows = list(csv.DictReader(EXTENDED.open()))
    assert len(rows) == len(table) == 1391
    for row in rows:
        it = table[row["instance_type"]]
        if row["karpenter_pods_al2023"]:
            assert it.max_pods().nodeadm == int(row["karpenter_pods_al2023"]), it.name
        if not row["calc_recommended_max_pods"]:
            continue
        assert it.max_pods().recommended == int(row["calc_recommended_max_pods"]), it.name
        assert it.max_pods(True).recommended == int(row["calc_recommended_max_pods_prefix_delegation"]), it.name


# -- the shipped data -----------------------------------------------------------------------
@pytest.mark.skipif(not SOURCE.exists() or not (ROOT / "scripts" / "gen_instance_data.py").exists(),
                    reason="../shared/data (or scripts/) is not beside this checkout")
def test_shipped_table_is_what_the_script_generates():
    spec = importlib.util.spec_from_file_location("gen_instance_data", ROOT / "scripts" / "gen_instance_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert DATA_FILE.read_text(encoding="utf-8") == module.render(SOURCE), (
        "eksguard/data/instances.csv is stale: run python scripts/gen_instance_data.py"
    )


def test_shipped_table_carries_its_provenance():
    head = DATA_FILE.read_text(encoding="utf-8").split("\ninstance_type,", 1)[0]
    for source in ("amazon-vpc-cni-k8s", "karpenter-provider-aws", "amazon-eks-ami", "gen_instance_data.py"):
        assert source in head


# -- Karpenter requirements -----------------------------------------------------------------
def req(key, operator, *values):
    return {"key": key, "operator": operator, "values": list(values)}


def names(reqs):
    return {t.name for t in admitted_types(reqs).types}


def test_instance_type_in_and_notin():
    assert names([req("node.kubernetes.io/instance-type", "In", "m5.large", "t3.small", "nope.big")]) == {"m5.large", "t3.small"}
    got = names([req("karpenter.k8s.aws/instance-family", "In", "m5"),
                 req("karpenter.k8s.aws/instance-size", "NotIn", "large", "xlarge")])
    assert "m5.2xlarge" in got and "m5.large" not in got and "m5.xlarge" not in got


def test_category_generation_cpu_numeric_operators():
    got = admitted_types([req("karpenter.k8s.aws/instance-category", "In", "c", "m", "r"),
                          req("karpenter.k8s.aws/instance-generation", "Gt", "5"),
                          req("karpenter.k8s.aws/instance-cpu", "Gte", "4"),
                          req("karpenter.k8s.aws/instance-cpu", "Lte", "8"),
                          req("kubernetes.io/arch", "In", "amd64")])
    assert got.resolved
    assert all(t.category in "cmr" and int(t.generation) > 5 and 4 <= t.vcpus <= 8 and t.arch == "amd64"
               for t in got.types)
    smallest = got.smallest()
    assert (smallest.instance.name, smallest.capacity) == ("c6a.xlarge", 58)
    assert got.smallest(prefix_delegation=True).instance.vcpus == 4


def test_exists_doesnotexist_and_unknown_labels():
    # 21 types have no vCPU figure: they never pass a cpu requirement, whatever the operator
    assert "trn2.3xlarge" not in names([req("karpenter.k8s.aws/instance-cpu", "Gt", "0")])
    assert "trn2.3xlarge" not in names([req("karpenter.k8s.aws/instance-cpu", "NotIn", "4")])
    assert "trn2.3xlarge" in names([req("karpenter.k8s.aws/instance-family", "Exists")])
    assert names([req("karpenter.k8s.aws/instance-family", "DoesNotExist")]) == set()
    # cr1/hs1 and bare metal have no hypervisor: never in a hypervisor requirement
    assert "c5.metal" not in names([req("karpenter.k8s.aws/instance-hypervisor", "NotIn", "xen")])


def test_neutral_and_unresolvable_keys():
    everything = len(instance_table())
    neutral = admitted_types([req("karpenter.sh/capacity-type", "In", "spot"),
                              req("topology.kubernetes.io/zone", "In", "eu-west-1a"),
                              req("kubernetes.io/os", "In", "linux"),
                              req("example.com/team", "In", "payments")])
    assert neutral.resolved and len(neutral.types) == everything
    memory = admitted_types([req("karpenter.k8s.aws/instance-memory", "Gt", "8192")])
    assert not memory.resolved and memory.unresolved_keys == ["karpenter.k8s.aws/instance-memory"]
    beta = admitted_types([req("beta.kubernetes.io/instance-type", "In", "m5.large")])
    assert [t.name for t in beta.types] == ["m5.large"]


def test_smallest_prefers_fewest_pods_then_name():
    got = admitted_types([req("node.kubernetes.io/instance-type", "In", "m5.large", "c5.large", "t2.large")])
    assert got.smallest().instance.name == "c5.large"  # 29 pods, ties with m5.large by name
    assert got.smallest(prefix_delegation=True).instance.name == "t2.large"  # xen: 35 pods


def test_smallest_is_kept_per_set_and_configuration():
    """``smallest`` answers from a memo keyed by the set of types (order and repeats do
    not matter: the tie-break is total) and the CNI configuration; every key gives what
    judging each type gives."""
    from eksguard.model import karpenter

    table = list(instance_table().values())
    nitro = [t for t in table if t.nitro][:300]
    for types in (nitro, table[:50], table):
        for args in ((False, False, None), (True, False, None), (True, True, None), (True, False, 2)):
            karpenter._SMALLEST.clear()
            first = karpenter.smallest(types, *args)
            again = karpenter.smallest([*reversed(types), *types], *args)
            expected = min((t.max_pods(*args) for t in types),
                           key=lambda m: (m.capacity, m.instance.vcpus or 0, m.instance.name))
            assert first is again and first == expected
    assert karpenter.smallest([]) is None and karpenter.smallest([], True) is None


# -- the CNI settings in scope ----------------------------------------------------------------
def platform_of(tmp_path, files: dict[str, str], plugins):
    for name, body in files.items():
        (tmp_path / name).write_text(body)
    return scan([str(tmp_path)], plugins, cwd=tmp_path).platform


DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: aws-node, namespace: kube-system}
spec:
  template:
    spec:
      containers:
        - name: aws-node
          env:
            - {name: ENABLE_PREFIX_DELEGATION, value: "%s"}
            - name: MY_NODE_NAME
              valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
"""


def test_cni_daemonset_env_with_locations(tmp_path, plugins):
    cni = cni_config(platform_of(tmp_path, {"ds.yaml": DAEMONSET % "true"}, plugins))
    (source, setting), = cni.enabled(PREFIX_DELEGATION)
    assert source.kind == "daemonset" and setting.location.line == 10
    assert cni.prefix_delegation() is True
    assert cni.state("MY_NODE_NAME") is None  # valueFrom: unknown
    assert cni.state("ENABLE_POD_ENI") is False  # a full manifest: unset means the default


def test_cni_unknown_without_sources_and_conflicts(tmp_path, plugins):
    assert cni_config(platform_of(tmp_path, {"x.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"},
                                  plugins)).prefix_delegation() is None
    script = "kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=false\n"
    cni = cni_config(platform_of(tmp_path, {"ds.yaml": DAEMONSET % "true", "cni.sh": script}, plugins))
    assert cni.state(PREFIX_DELEGATION) is None  # the two sources disagree
    assert cni.prefix_delegation() is True  # ...but for capacity, on wins (generous)


def test_cni_addon_configuration_values_and_defaults(tmp_path, plugins):
    config = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: c, region: eu-west-1}
addons:
  - name: vpc-cni
    configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"true","MAX_ENI":"2"}}'
  - name: coredns
"""
    cni = cni_config(platform_of(tmp_path, {"cluster.yaml": config}, plugins))
    (source,) = cni.sources
    assert source.kind == "addon" and source.env[PREFIX_DELEGATION].location.line == 6
    assert cni.max_eni() == 2
    assert [s for s, _ in cni.positive("WARM_PREFIX_TARGET")] == [source]  # the add-on's default "1"


def test_cni_script_overlay_alone_is_not_complete(tmp_path, plugins):
    script = "kubectl -n kube-system set env ds/aws-node WARM_PREFIX_TARGET=1\n"
    cni = cni_config(platform_of(tmp_path, {"cni.sh": script}, plugins))
    assert not cni.known and cni.state(PREFIX_DELEGATION) is None


# -- the command ------------------------------------------------------------------------------
run = eksguard


def test_cli_text_shows_the_arithmetic():
    result = run("max-pods", "m5.large", "--prefix-delegation")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("m5.large: max pods 110\n")
    assert "3 ENIs x 9 prefixes x 16 IPs + 2 = 434" in out
    assert "cap: 110 (at most 30 vCPUs); max pods = min(434, 110) = 110" in out
    assert "nodeadm (AL2023) with no maxPods set: 29" in out


def test_cli_json_for_scripts():
    result = run("max-pods", "t3.small", "c5.18xlarge", "t2.medium", "--prefix-delegation", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(d["instance_type"], d["max_pods"], d["capacity"]) for d in data] == [
        ("t3.small", 110, 146), ("c5.18xlarge", 250, 11762), ("t2.medium", 17, 17)]
    assert data[2]["prefix_delegation"] is True and data[2]["prefix_delegation_applied"] is False


def test_cli_custom_networking_and_max_eni():
    data = json.loads(run("max-pods", "m5.large", "--custom-networking", "--max-eni", "2", "-f", "json").stdout)
    assert (data[0]["enis_for_pods"], data[0]["capacity"], data[0]["max_pods"]) == (1, 11, 11)


def test_cli_unknown_instance_type_is_one_line_exit_2():
    result = run("max-pods", "m5.large", "m5.huge")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "m5.huge" in result.stderr


def test_cli_bad_max_eni_is_a_usage_error():
    result = run("max-pods", "m5.large", "--max-eni", "0")
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_nodepool_max_pods_reported_once_when_several_classes_share_its_class_name(tmp_path, plugins):
    """One folder per cluster, scanned at once: a v1beta1 NodePool's own kubelet.maxPods is
    one setting and one finding, however many EC2NodeClasses are named like its nodeClassRef
    (found in the corpus review, where it came out eight times)."""
    node_class = ("apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata: {name: default}\n"
                  "spec: {role: r, amiSelectorTerms: [{alias: al2023@latest}]}\n")
    for cluster in ("dev", "staging", "prod"):
        (tmp_path / cluster).mkdir()
        (tmp_path / cluster / "nodeclass.yaml").write_text(node_class)
    (tmp_path / "pool.yaml").write_text(
        "apiVersion: karpenter.sh/v1beta1\nkind: NodePool\nmetadata: {name: default}\nspec:\n  template:\n"
        "    spec:\n      nodeClassRef: {name: default}\n      kubelet: {maxPods: 110}\n      requirements:\n"
        "        - {key: node.kubernetes.io/instance-type, operator: In, values: [t3.micro]}\n")
    (tmp_path / "cni.sh").write_text("kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true\n")
    result = scan([str(tmp_path)], plugins, cwd=tmp_path)
    hits = [(f.location.path, f.location.line) for f in result.findings if f.code == "EKS302"]
    assert hits == [("pool.yaml", 8)]
