"""NodePool requirement reading (model) and the narrowness/budget arithmetic the compute
rules rely on, as table tests: manifest dict in, derived fact out."""

from __future__ import annotations

import pytest

from eksguard.checks.nodepool_narrow import narrowest
from eksguard.model import Origin, karpenter, make_object
from eksguard.model.instances import instance_table
from eksguard.model.kubernetes import (
    GPU_CATEGORIES,
    instance_category,
    scaled_int_or_percent,
)


def pool(*requirements: tuple, kind: str = "NodePool") -> object:
    reqs = [{"key": key, "operator": op, "values": list(rest[0]) if rest else []} for key, op, *rest in requirements]
    body = {"apiVersion": "karpenter.sh/v1", "kind": kind, "metadata": {"name": "p"}}
    if kind == "Provisioner":
        body["apiVersion"] = "karpenter.sh/v1alpha5"
        body["spec"] = {"requirements": reqs}
    else:
        body["spec"] = {"template": {"spec": {"requirements": reqs}}}
    return make_object(body, Origin("t.yaml", "yaml"))


CT = "karpenter.sh/capacity-type"
UNIVERSE = frozenset({"spot", "on-demand", "reserved"})


@pytest.mark.parametrize("reqs, expected", [
    ([], None),
    ([(CT, "In", ["spot"])], {"spot"}),
    ([(CT, "In", ["spot", "on-demand"]), (CT, "NotIn", ["on-demand"])], {"spot"}),
    ([(CT, "NotIn", ["on-demand"])], None),
    ([(CT, "Exists")], None),
    ([(CT, "DoesNotExist")], set()),
])
def test_allowed_values(reqs, expected):
    allowed = pool(*reqs).allowed_values(CT)
    assert (set(allowed) if allowed is not None else None) == expected


def test_allowed_values_against_a_universe():
    assert pool((CT, "NotIn", ["on-demand"])).allowed_values(CT, UNIVERSE) == {"spot", "reserved"}
    assert pool().allowed_values(CT, UNIVERSE) == UNIVERSE


def test_beta_and_auto_mode_keys_are_normalised():
    p = pool(("beta.kubernetes.io/instance-type", "In", ["m5.large"]),
             ("eks.amazonaws.com/instance-family", "In", ["m5"]))
    assert p.requirement("node.kubernetes.io/instance-type").written_key == "beta.kubernetes.io/instance-type"
    assert p.allowed_values("karpenter.k8s.aws/instance-family") == {"m5"}


def test_provisioner_requirements_path():
    p = pool(("node.kubernetes.io/instance-type", "In", ["m5.large"]), kind="Provisioner")
    assert p.requirement("node.kubernetes.io/instance-type").path == ("spec", "requirements", 0)


@pytest.mark.parametrize("name, category", [
    ("m6i", "m"), ("inf2", "inf"), ("trn1n", "trn"), ("g5g.xlarge", "g"), ("gr6", "gr"),
    ("p4de.24xlarge", "p"), ("u-6tb1.metal", "u"), ("x2gd", "x"),
])
def test_instance_category(name, category):
    assert instance_category(name) == category


@pytest.mark.parametrize("reqs, accelerated", [
    ([("karpenter.k8s.aws/instance-category", "In", ["g", "p"])], True),
    ([("karpenter.k8s.aws/instance-category", "In", ["g", "m"])], False),
    ([("karpenter.k8s.aws/instance-family", "In", ["inf2", "trn1"])], True),
    ([("node.kubernetes.io/instance-type", "In", ["p5.48xlarge", "g6.xlarge"])], True),
    ([("karpenter.k8s.aws/instance-gpu-count", "Gt", ["0"])], True),
    ([("karpenter.k8s.aws/instance-gpu-count", "Lt", ["1"])], False),
    ([("karpenter.k8s.aws/instance-gpu-manufacturer", "In", ["nvidia"])], True),
    ([("karpenter.k8s.aws/instance-gpu-count", "In", ["0", "1"])], False),
    ([], False),
])
def test_accelerator_only(reqs, accelerated):
    assert pool(*reqs).accelerator_only(GPU_CATEGORIES) is accelerated


IT, FAM, CAT = "node.kubernetes.io/instance-type", "karpenter.k8s.aws/instance-family", "karpenter.k8s.aws/instance-category"


@pytest.mark.parametrize("reqs, expected", [
    ([(CAT, "In", ["c", "m", "r"])], None),
    ([(IT, "In", ["m5.large"])], (IT, "m5.large", IT)),
    ([(IT, "In", ["m5.large", "m5.xlarge"])], (FAM, "m5", IT)),
    ([(IT, "In", ["m5.large", "c5.large"])], None),
    ([(IT, "In", ["m5.large", "c5.large"]), (CAT, "In", ["m"])], (IT, "m5.large", IT)),
    ([(FAM, "In", ["m5", "m6i"])], (CAT, "m", FAM)),
    ([(FAM, "In", ["m5", "c5"]), (CAT, "In", ["c", "m", "r"])], None),
    ([(CAT, "In", ["t"])], (CAT, "t", CAT)),
    ([(IT, "In", ["m5.large"]), (CAT, "In", ["c"])], None),  # contradiction: not this rule
    ([(FAM, "NotIn", ["t2"])], None),
])
def test_narrowest(reqs, expected):
    assert narrowest(pool(*reqs)) == expected


@pytest.mark.parametrize("value, total, expected", [
    (0, 5, 0), (2, 5, 2), ("0%", 5, 0), ("50%", 1, 1), ("50%", 3, 2), ("100%", 7, 7),
    ("10%", 3, 1), ("12.5%", 8, None), ("2", 5, None), (True, 5, None), (None, 5, None),
])
def test_scaled_int_or_percent_rounds_up(value, total, expected):
    assert scaled_int_or_percent(value, total) == expected


@pytest.mark.parametrize("key", sorted(karpenter.RESOLVED_KEYS))
@pytest.mark.parametrize("operator, values", [
    ("In", ["m5", "large", "4", "c", "7", "nitro", "arm64", "m5.large"]),
    ("NotIn", ["m5", "large", "4", "c", "7", "xen", "amd64"]),
    ("Exists", []), ("DoesNotExist", []),
    ("Gt", ["4"]), ("Lt", ["6"]), ("Gte", ["16"]), ("Lte", ["2"]), ("Gt", ["x"]), ("Gt", []),
    ("Bogus", ["m5"]),
])
def test_the_label_index_admits_what_each_type_admits(key, operator, values):
    """_admitted_by reads types by label value; it must agree with admits() per type."""
    requirement = karpenter.Requirement(key, operator, tuple(values))
    expected = {t.name for t in instance_table().values() if requirement.admits(t)}
    assert karpenter._admitted_by(requirement) == expected
