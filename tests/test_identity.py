"""The identity facts several rules share (eksguard.model.identity), as table tests."""

from __future__ import annotations

import pytest

from eksguard.findings import Location
from eksguard.model import UNKNOWN, AccessEntry, AccessPolicy, Cluster, Origin, Platform, Setting
from eksguard.model.identity import (
    arn_account,
    cluster_admin,
    node_access,
    pod_identity_trust,
    role_name,
    unresolved,
)

HERE = Location("x.yaml", 1, 1)
ORIGIN = Origin("x.yaml", "eksctl")


@pytest.mark.parametrize("value, name", [
    ("arn:aws:iam::111122223333:role/KarpenterNodeRole-prod", "KarpenterNodeRole-prod"),
    ("arn:aws:iam::111122223333:role/eks/nodes/KarpenterNodeRole-prod", "KarpenterNodeRole-prod"),
    ("arn:aws-us-gov:iam::111122223333:role/nodes", "nodes"),
    ("KarpenterNodeRole-prod", "KarpenterNodeRole-prod"),
    ("arn:aws:iam::111122223333:instance-profile/nodes", None),
    ("arn:aws:sts::111122223333:assumed-role/nodes/i-0abc", None),
    ("KarpenterNodeRole-${CLUSTER_NAME}", None),
    ("aws_iam_role.node.arn", None),
    ("<role created by eksctl>", None),
    (UNKNOWN, None),
    (None, None),
])
def test_role_name(value, name):
    assert role_name(value) == name


def test_arn_account_and_unresolved():
    assert arn_account("arn:aws:iam::444455556666:role/x") == "444455556666"
    assert arn_account("arn:aws:eks:us-east-1:111122223333:cluster/prod") == "111122223333"
    assert arn_account("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy") is None
    assert arn_account("checkout-app") is None
    assert unresolved("{{ .Values.role }}") and unresolved("module.eks.cluster_name") and unresolved("")
    assert not unresolved("arn:aws:iam::111122223333:role/x")


def trust(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


POD = {"Service": "pods.eks.amazonaws.com"}


@pytest.mark.parametrize("policy, verdict, missing", [
    (trust({"Effect": "Allow", "Principal": POD, "Action": ["sts:AssumeRole", "sts:TagSession"]}), True, []),
    (trust({"Effect": "Allow", "Principal": POD, "Action": "sts:*"}), True, []),
    (trust({"Effect": "Allow", "Principal": POD, "Action": "*"}), True, []),
    (trust({"Effect": "Allow", "Principal": POD, "Action": "STS:assumerole"},
           {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "pods.eks.amazonaws.com"]},
            "Action": "sts:TagSession"}), True, []),
    (trust({"Effect": "Allow", "Principal": POD, "Action": "sts:AssumeRole"}), False, ["sts:TagSession"]),
    (trust({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:*"}), False,
     ["sts:AssumeRole", "sts:TagSession"]),
    (trust({"Effect": "Allow", "Principal": POD, "Action": "sts:*"},
           {"Effect": "Deny", "Principal": POD, "Action": "sts:TagSession"}), False, ["sts:TagSession"]),
    (trust({"Effect": "Allow", "Principal": POD, "Action": "sts:*"},  # a conditional Deny is not judged
           {"Effect": "Deny", "Principal": POD, "Action": "sts:TagSession",
            "Condition": {"StringNotEquals": {"aws:SourceAccount": "111122223333"}}}), True, []),
    ('{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*"}}', True, []),
    (trust({"Effect": "Allow", "Principal": POD, "NotAction": "sts:AssumeRoleWithWebIdentity"}), None, []),
    (trust({"Effect": "Allow", "Principal": POD, "Action": UNKNOWN}), None, []),
    (trust({"Effect": "Allow", "Principal": {"Service": UNKNOWN}, "Action": "sts:*"}), None, []),
    (UNKNOWN, None, []),
    ("not json", None, []),
])
def test_pod_identity_trust(policy, verdict, missing):
    assert pod_identity_trust(policy) == (verdict, missing)


def entry(principal, *policies, cluster="prod", type_="STANDARD", groups=None):
    obj = AccessEntry(principal if isinstance(principal, str) else None, ORIGIN, HERE, cluster=cluster)
    obj.set("principal_arn", principal, HERE)
    obj.set("type", type_, HERE)
    if groups is not None:
        obj.set("kubernetes_groups", groups, HERE)
    for arn, scope in policies:
        obj.policies.append(AccessPolicy(Setting(arn, HERE), None if scope is None else Setting(scope, HERE)))
    return obj


ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"


def platform(*objects):
    p = Platform()
    p.add(Cluster("prod", ORIGIN, HERE))
    p.add(Cluster("staging", ORIGIN, HERE))
    for obj in objects:
        p.add(obj)
    return p


@pytest.mark.parametrize("entries, granted", [
    ([], False),
    ([entry("arn:aws:iam::111122223333:role/a", (VIEW, "cluster"))], False),
    ([entry("arn:aws:iam::111122223333:role/a", (ADMIN, "cluster"))], True),
    ([entry("arn:aws:iam::111122223333:role/a", (ADMIN, "Cluster"))], True),
    ([entry(UNKNOWN, (ADMIN, "cluster"))], True),  # the module's creator entry: principal unknown
    ([entry("arn:aws:iam::111122223333:role/a", (ADMIN, "namespace"))], False),
    ([entry("arn:aws:iam::111122223333:role/a", (ADMIN, "cluster"), cluster="staging")], False),
    ([entry("arn:aws:iam::111122223333:role/a", (ADMIN, "cluster"), cluster="aws_eks_cluster.this")], True),
    ([entry("arn:aws:iam::111122223333:role/a", (ADMIN, "cluster"), cluster=None)], True),
    ([entry("arn:aws:iam::111122223333:role/a", (UNKNOWN, "cluster"))], None),
    ([entry("arn:aws:iam::111122223333:role/a", (ADMIN, None))], None),
    ([entry("arn:aws:iam::111122223333:role/a", groups=UNKNOWN)], None),
])
def test_cluster_admin(entries, granted):
    p = platform(*entries)
    prod = p.of_kind(Cluster)[0]
    assert cluster_admin(p, prod).granted is granted


@pytest.mark.parametrize("entries, status", [
    ([entry("arn:aws:iam::111122223333:role/KarpenterNodeRole", type_="EC2_LINUX")], "entry"),
    ([entry("arn:aws:iam::111122223333:role/karpenter/KarpenterNodeRole", type_="EC2_WINDOWS")], "entry"),
    ([entry("arn:aws:iam::111122223333:role/KarpenterNodeRole")], "wrong-type"),
    ([entry("arn:aws:iam::111122223333:role/Other", type_="EC2_LINUX")], "none"),
    ([entry("arn:aws:iam::111122223333:role/KarpenterNodeRole", type_="EC2_LINUX", cluster="staging")], "none"),
    ([entry(UNKNOWN, type_="EC2_LINUX")], "unknown"),
    ([entry(UNKNOWN, type_="STANDARD")], "none"),  # an unreadable admin entry says nothing about nodes
    ([entry("arn:aws:iam::111122223333:role/KarpenterNodeRole", type_=UNKNOWN)], "unknown"),
])
def test_node_access(entries, status):
    assert node_access(platform(*entries), "KarpenterNodeRole", "prod").status == status


# -- the indexes behind node_access and access_entries_for agree with their definitions --

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from eksguard.model.identity import (  # noqa: E402
    NODE_ENTRY_TYPES,
    access_entries_for,
    clusters_named,
    may_share_cluster,
)

ENTRIES = st.lists(st.tuples(
    st.sampled_from(["arn:aws:iam::111122223333:role/KarpenterNodeRole", "arn:aws:iam::111122223333:role/Other",
                     "KarpenterNodeRole-${CLUSTER}", UNKNOWN]),
    st.sampled_from(["EC2_LINUX", "ec2_windows", "STANDARD", UNKNOWN, "${TYPE}"]),
    st.sampled_from([None, "prod", "staging", "defined-elsewhere"]),
), max_size=8)


def shares(p, cluster):
    """access_entries_for as first written: a walk of every entry."""
    return [e for e in p.of_kind(AccessEntry) if may_share_cluster(p, e.cluster, cluster)]


def walked_node_access(p, role, cluster):
    """node_access as first written: every entry read on every call."""
    unknown, other = False, None
    for e in p.of_kind(AccessEntry):
        if not may_share_cluster(p, e.cluster, cluster):
            continue
        etype = e.setting("type")
        type_value = etype.value.upper() if etype is not None and isinstance(etype.value, str) else None
        name = role_name(e.setting("principal_arn").value)
        if name is None:
            unknown = unknown or type_value is None or type_value in NODE_ENTRY_TYPES
            continue
        if name != role:
            continue
        if type_value in NODE_ENTRY_TYPES:
            return "entry", e
        if type_value is None or unresolved(type_value):
            unknown = True
        else:
            other = e
    if unknown:
        return "unknown", None
    return ("wrong-type", other) if other is not None else ("none", None)


@settings(max_examples=300, deadline=None)
@given(ENTRIES, st.sampled_from([None, "prod", "defined-elsewhere"]))
def test_indexed_identity_lookups_match_a_walk_of_every_entry(rows, cluster):
    p = platform(*(entry(principal, cluster=where, type_=type_) for principal, type_, where in rows))
    assert access_entries_for(p, cluster) == shares(p, cluster)
    assert clusters_named(p, cluster) == [c for c in p.of_kind(Cluster) if may_share_cluster(p, c.name, cluster)]
    found = node_access(p, "KarpenterNodeRole", cluster)
    assert (found.status, found.entry) == walked_node_access(p, "KarpenterNodeRole", cluster)
