"""What the model keeps (eksguard/engine/retention.py): the objects a rule of the scan can
read. Dropping the rest changes no finding (every rule fixture, with and without), keeps
what suppressions and declarative rules need, works alike in one process, in a worker
and from the cache, and is off when a plugin's check or post-processor is in play."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from eksguard.checks import Check
from eksguard.engine import parallel
from eksguard.engine.runner import active_rules, scan
from eksguard.findings import Location, Violation
from eksguard.hookspecs import hookimpl
from eksguard.plugins import get_plugins

ROOT = Path(__file__).resolve().parent.parent
RULE_FIXTURES = ROOT / "testdata" / "rules"


def _key(finding) -> tuple:
    return (finding.code, str(finding.location), finding.message, finding.json_path, finding.object,
            tuple((str(r.location), r.message) for r in finding.related), finding.fix is not None)


def _outcome(result) -> tuple:
    return [_key(f) for f in result.findings], [_key(f) for f in result.suppressed]


def _cases() -> list[Path]:
    """Every fail-/pass- case of every rule, and the whole of testdata as one scan."""
    out = []
    for rule_dir in sorted(p for p in RULE_FIXTURES.iterdir() if p.is_dir()):
        out.extend(sorted(p for p in rule_dir.iterdir()
                          if p.name.startswith(("fail-", "pass-")) and not p.name.endswith(".expect")))
    return out


def test_dropping_what_no_rule_reads_changes_no_finding():
    """A check that starts reading a kind the retention drops fails here (its fixtures
    then lose findings): add the kind to ``retention.READ_KINDS``."""
    plugins = get_plugins(load_entrypoints=False)
    rules = active_rules(plugins)
    dropped = 0
    cases = _cases()
    assert len(cases) > 300
    for case in [*cases, ROOT / "testdata"]:
        options = {"jobs": 1, "cache": False}
        kept = scan([str(case)], plugins, cwd=case.parent, rules=rules, options=options)
        every = scan([str(case)], plugins, cwd=case.parent, rules=rules, options={**options, "retain": False})
        assert _outcome(kept) == _outcome(every), case
        dropped += len(every.platform.objects) - len(kept.platform.objects)
    assert dropped > 10  # the fixtures do hold objects no rule reads (RBAC, Secrets, CRDs...)


MANIFESTS = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced}
---
apiVersion: v1
kind: Secret
metadata: {name: token, namespace: team}
data: {token: c2VjcmV0}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: team}
rules: []
---
apiVersion: v1
kind: Secret
metadata:
  name: ignored
  namespace: team
  annotations: {eksguard.io/ignore: "EKS406: a Secret has no pods"}
---
apiVersion: karpenter.sh/v1
kind: NodeClaim
metadata: {name: claim}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: platform-admins}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec: {replicas: 3, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-settings, namespace: team}
data: {LOG_LEVEL: info}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data: {mapRoles: "- rolearn: arn:aws:iam::111122223333:role/nodes\\n  username: system:node:{{EC2PrivateDNSName}}"}
"""
# the Secret with the annotation, the aws-auth ConfigMap
KEPT = ["ClusterRoleBinding", "ConfigMap", "Deployment", "NodeClaim", "Secret"]
EVERY = ["ClusterRoleBinding", "ConfigMap", "ConfigMap", "CustomResourceDefinition", "Deployment", "NodeClaim",
         "Role", "Secret", "Secret"]


def _kinds(result) -> list[str]:
    return sorted(obj.kind for obj in result.platform.objects)


@pytest.fixture
def repo(tmp_path):
    for i in range(4):  # enough files for a pool with --jobs 2
        (tmp_path / f"m{i}.yaml").write_text(MANIFESTS)
    return tmp_path


def test_objects_no_rule_reads_are_dropped_and_the_rest_kept(repo):
    plugins = get_plugins(load_entrypoints=False)
    result = scan(["."], plugins, cwd=repo, options={"jobs": 1, "cache": False})
    assert _kinds(result) == sorted(KEPT * 4)
    every = scan(["."], plugins, cwd=repo, options={"jobs": 1, "cache": False, "retain": False})
    assert _kinds(every) == sorted(EVERY * 4)
    # the suppression on the kept Secret is judged: it silences nothing, so EKS003 says so
    assert [f.location.path for f in result.findings if f.code == "EKS003"] == [f"m{i}.yaml" for i in range(4)]
    assert _outcome(result) == _outcome(every)


def test_workers_and_the_cache_drop_alike(repo, tmp_path_factory, monkeypatch):
    """Dropped objects are never pickled: not back from a worker, not into the cache,
    whose entries are keyed by the retention (a scan that keeps everything has its own)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setattr(parallel, "POOL_MIN_BYTES", 1)
    pickled = []
    real_dumps = parallel._dumps
    monkeypatch.setattr(parallel, "_dumps", lambda lifted: pickled.append(len(lifted.objects)) or real_dumps(lifted))
    plugins = get_plugins(load_entrypoints=False)
    pooled = scan(["."], plugins, cwd=repo, options={"jobs": 2, "cache": False})
    assert _kinds(pooled) == sorted(KEPT * 4)
    cold = scan(["."], plugins, cwd=repo, options={"jobs": 1})
    assert pickled == [len(KEPT)] * 4  # into the cache: what the retention keeps
    warm = scan(["."], plugins, cwd=repo, options={"jobs": 1})
    assert _kinds(cold) == _kinds(warm) == sorted(KEPT * 4)
    assert pickled == [len(KEPT)] * 4  # the warm scan read those entries
    whole = scan(["."], plugins, cwd=repo, options={"jobs": 1, "retain": False})
    assert _kinds(whole) == sorted(EVERY * 4)
    assert pickled[4:] == [len(EVERY)] * 4  # entries of its own
    again = scan(["."], plugins, cwd=repo, options={"jobs": 1, "retain": False})
    assert _kinds(again) == sorted(EVERY * 4) and len(pickled) == 8


class _PluginCheck:
    @hookimpl
    def eksguard_register_checks(self):
        return [Check("count-objects", lambda platform, params: [
            Violation(Location("m0.yaml", 1, 1), f"{len(platform.objects)} objects")])]


class _PostProcessor:
    @hookimpl
    def eksguard_process_findings(self, findings, platform):
        return findings


def test_nothing_is_dropped_for_a_plugin_check_or_post_processor(repo):
    plugins = get_plugins(load_entrypoints=False)
    plugins.pm.register(_PluginCheck(), name="count-objects")
    base = next(r for r in active_rules(plugins) if r.check)
    rules = [*active_rules(plugins), dataclasses.replace(base, code="TEST001", name="count", check="count-objects",
                                                         params={})]
    result = scan(["."], plugins, cwd=repo, rules=rules, options={"jobs": 1, "cache": False})
    assert _kinds(result) == sorted(EVERY * 4)
    assert [f.message for f in result.findings if f.code == "TEST001"] == [f"{len(EVERY) * 4} objects"]

    plugins = get_plugins(load_entrypoints=False)
    assert plugins.post_processors() == []
    plugins.pm.register(_PostProcessor(), name="post")
    assert plugins.post_processors() == ["post"]
    assert _kinds(scan(["."], plugins, cwd=repo, options={"jobs": 1, "cache": False})) == sorted(EVERY * 4)


def test_kinds_a_declarative_rule_reads_are_kept(repo):
    plugins = get_plugins(load_entrypoints=False)
    base = next(r for r in active_rules(plugins) if r.check)
    declarative = dataclasses.replace(base, code="TEST002", name="no-roles", check=None, params={}, kinds=("Role",),
                                      schema={"not": {"properties": {"kind": {"const": "Role"}}}})
    result = scan(["."], plugins, cwd=repo, rules=[*active_rules(plugins), declarative],
                  options={"jobs": 1, "cache": False})
    assert _kinds(result) == sorted([*KEPT, "Role"] * 4)
    assert len([f for f in result.findings if f.code == "TEST002"]) == 4


def test_the_models_most_numerous_records_carry_no_instance_dict():
    """A scan keeps a Location, Setting or Origin for nearly every value the rules read
    (36,000 of them at bench/'s 5,000 files); an instance dict each was ~3 MiB of a
    25 MiB model. They are slotted dataclasses, and stay equal, hashable and picklable."""
    import pickle

    from eksguard.model import Origin
    from eksguard.model.aws import Setting

    location = Location("a.yaml", 3, 5)
    for record in (location, Setting("x", location), Origin("a.yaml", "yaml")):
        assert not hasattr(record, "__dict__"), type(record).__name__
        assert pickle.loads(pickle.dumps(record)) == record
        assert hash(record) == hash(dataclasses.replace(record))


def test_the_records_pickle_every_field():
    """Location, Setting and Origin pickle as their class and field values (half the
    unpickling time of dataclasses' own ``__setstate__``): every field comes back,
    also one that equality ignores (an Origin's line map)."""
    import pickle

    from eksguard.model import Origin
    from eksguard.model.aws import Setting
    from eksguard.model.base import LineMap

    location = Location("a.yaml", 3, 5, 4, 9, "templates/a.yaml")
    lines = LineMap({1: ("templates/a.yaml", 1)}, ("templates/a.yaml", 1))
    records = (location, Setting({"k": [1]}, location, True),
               Origin("a.yaml", "helm-chart", 2, "templates/a.yaml", "module.eks", lines))
    for record in records:
        assert record.__reduce__()[0] is type(record)  # a constructor call, not __setstate__
        again = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(again) is type(record)
        for field in dataclasses.fields(record):
            mine, theirs = getattr(record, field.name), getattr(again, field.name)
            assert (mine is None) == (theirs is None) and type(mine) is type(theirs), field.name
            if field.compare:
                assert mine == theirs, field.name
    assert pickle.loads(pickle.dumps(records[2])).lines.lines == {1: ("templates/a.yaml", 1)}
