"""The rules stage on several processes (eksguard/engine/split_rules.py): the same
findings in the same order as one process; the rules shared out as they go (children
from the start of the catalogue, this process from the end); fixes made in a child edit
this process's objects; what a crashing rule prints still shown; any failure of a child
means the rules no process reported running are run here."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from eksguard.checks import Check
from eksguard.engine import forked, split_rules
from eksguard.engine.runner import active_rules, scan
from eksguard.findings import Location, Violation
from eksguard.hookspecs import hookimpl
from eksguard.plugins import get_plugins

ROOT = Path(__file__).resolve().parent.parent


def _key(finding) -> tuple:
    return (finding.code, str(finding.location), finding.message, finding.json_path, finding.object,
            [(str(r.location), r.message) for r in finding.related], finding.fix is not None)


def test_several_processes_give_the_findings_of_one_in_the_same_order(monkeypatch):
    monkeypatch.setattr(split_rules, "MIN_OBJECTS", 1)
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    plugins = get_plugins(load_entrypoints=False)
    one = scan(["testdata"], plugins, cwd=ROOT, options={"jobs": 1, "cache": False})
    assert not forks
    two = scan(["testdata"], plugins, cwd=ROOT, options={"jobs": 2, "cache": False})
    assert forks
    assert [_key(f) for f in two.findings] == [_key(f) for f in one.findings]
    four = scan(["testdata"], plugins, cwd=ROOT, options={"jobs": 4, "cache": False})
    assert len(forks) > 2
    assert [_key(f) for f in four.findings] == [_key(f) for f in one.findings]
    fixed = [f for f in two.findings if f.fix is not None]
    assert fixed
    # whichever process made a fix, it edits this process's objects, not copies
    model = {id(obj) for obj in two.platform.objects}
    edited = [change.obj for f in fixed for change in f.fix.changes if hasattr(change, "obj")]
    assert edited and all(id(obj) in model for obj in edited if type(obj).__name__ != "_EksctlDocument")


# -- which process ran which rule --------------------------------------------------------

class _Checks:
    def __init__(self, func):
        self.func = func

    @hookimpl
    def eksguard_register_checks(self):
        return [Check("pid-test", self.func)]


def _pid_check(platform, params):
    yield Violation(Location("pid.yaml", 1, 1), f"pid {os.getpid()}")


def _slow_fixing_check(platform, params):
    """Slow enough that every process takes some rules; a Fix on the one ConfigMap."""
    import time

    from eksguard.fixes import Fix, SetKey
    from eksguard.model import ConfigMap

    time.sleep(0.02)
    [cm] = platform.of_kind(ConfigMap)
    yield Violation(Location("pid.yaml", 1, 1), f"pid {os.getpid()}",
                    fix=Fix("set a key", (SetKey(cm, ("data", "k"), "v"),)))


def _setup(func, monkeypatch, tmp_path):
    """Plugins with check ``pid-test`` and two rules on it: TEST001 offers no fix (the
    child's), TEST002 a safe one (this process')."""
    monkeypatch.setattr(split_rules, "MIN_OBJECTS", 1)
    plugins = get_plugins(load_entrypoints=False)
    plugins.pm.register(_Checks(func), name="pid-test")
    base = next(r for r in active_rules(plugins) if r.check)
    rules = [dataclasses.replace(base, code="TEST001", name="child-rule", check="pid-test", params={},
                                 fix={"applicability": "none"}),
             dataclasses.replace(base, code="TEST002", name="parent-rule", check="pid-test", params={},
                                 fix={"applicability": "safe"})]
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    return plugins, rules


def _messages(result) -> dict[str, str]:
    return {f.code: f.message for f in result.findings}


def test_fix_free_rules_run_in_a_child_the_others_here(monkeypatch, tmp_path):
    plugins, rules = _setup(_pid_check, monkeypatch, tmp_path)
    result = scan(["."], plugins, cwd=tmp_path, rules=rules, options={"jobs": 2, "cache": False})
    messages = _messages(result)
    assert messages["TEST002"] == f"pid {os.getpid()}"
    assert messages["TEST001"] != f"pid {os.getpid()}"


def test_one_process_when_forking_is_not_safe_or_not_asked(monkeypatch, tmp_path):
    plugins, rules = _setup(_pid_check, monkeypatch, tmp_path)
    here = f"pid {os.getpid()}"
    result = scan(["."], plugins, cwd=tmp_path, rules=rules, options={"jobs": 1, "cache": False})
    assert set(_messages(result).values()) == {here}
    monkeypatch.setattr(forked, "fork_is_safe", lambda: False)
    result = scan(["."], plugins, cwd=tmp_path, rules=rules, options={"jobs": 2, "cache": False})
    assert set(_messages(result).values()) == {here}


def test_a_rule_crashing_in_the_child_is_reported_here(monkeypatch, tmp_path, capsys):
    parent = os.getpid()

    def crashes_in_child(platform, params):
        if os.getpid() != parent:
            raise ValueError("boom")
        yield from _pid_check(platform, params)

    plugins, rules = _setup(crashes_in_child, monkeypatch, tmp_path)
    monkeypatch.delenv("EKSGUARD_DEBUG", raising=False)
    result = scan(["."], plugins, cwd=tmp_path, rules=rules, options={"jobs": 2, "cache": False})
    assert _messages(result) == {"TEST002": f"pid {parent}"}
    assert "internal error in rule TEST001 (ValueError: boom); rule skipped" in capsys.readouterr().err
    monkeypatch.setenv("EKSGUARD_DEBUG", "1")  # debugging: the exception itself, from the child
    with pytest.raises(ValueError, match="boom"):
        scan(["."], plugins, cwd=tmp_path, rules=rules, options={"jobs": 2, "cache": False})


def test_a_child_that_dies_has_its_rules_run_here(monkeypatch, tmp_path):
    parent = os.getpid()

    def dies_in_child(platform, params):
        if os.getpid() != parent:
            os._exit(9)  # killed, out of memory...
        yield from _pid_check(platform, params)

    plugins, rules = _setup(dies_in_child, monkeypatch, tmp_path)
    result = scan(["."], plugins, cwd=tmp_path, rules=rules, options={"jobs": 2, "cache": False})
    assert _messages(result) == {"TEST001": f"pid {parent}", "TEST002": f"pid {parent}"}
    assert [f.code for f in result.findings] == ["TEST001", "TEST002"]


def test_the_rules_are_shared_as_they_go_and_a_childs_fix_edits_these_objects(monkeypatch, tmp_path):
    """Twenty slow rules: both processes take some, each rule runs once, the findings come
    in rule order; a Fix made in the child holds this process's object."""
    from eksguard.model import ConfigMap

    plugins, rules = _setup(_slow_fixing_check, monkeypatch, tmp_path)
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, "
                                      "namespace: kube-system}\n")
    many = [dataclasses.replace(rules[1], code=f"TEST{n:03d}", name=f"rule-{n}") for n in range(20)]
    result = scan(["."], plugins, cwd=tmp_path, rules=many, options={"jobs": 2, "cache": False})
    assert [f.code for f in result.findings] == [rule.code for rule in many]
    pids = [f.message for f in result.findings]
    here = f"pid {os.getpid()}"
    assert pids[0] != here and pids[-1] == here  # each end's first rule
    assert 3 <= pids.count(here) <= 17  # neither process ran nearly all of them
    [cm] = result.platform.of_kind(ConfigMap)
    assert all(f.fix.changes[0].obj is cm for f in result.findings)


def test_a_child_that_dies_midway_leaves_its_rules_to_this_process(monkeypatch, tmp_path):
    parent = os.getpid()
    ran = []

    def dies_on_its_third(platform, params):
        if os.getpid() != parent:
            ran.append(1)
            if len(ran) == 3:
                os._exit(9)
        import time

        time.sleep(0.01)
        yield from _pid_check(platform, params)

    plugins, rules = _setup(dies_on_its_third, monkeypatch, tmp_path)
    many = [dataclasses.replace(rules[0], code=f"TEST{n:03d}", name=f"rule-{n}") for n in range(12)]
    result = scan(["."], plugins, cwd=tmp_path, rules=many, options={"jobs": 2, "cache": False})
    assert [f.code for f in result.findings] == [rule.code for rule in many]
    assert {f.message for f in result.findings} == {f"pid {parent}"}


def test_more_cores_more_processes_each_rule_once(monkeypatch, tmp_path):
    """``--jobs 3``: two children and this process share the rules; every rule runs once,
    the findings come in rule order, and every Fix holds this process's object."""
    from eksguard.model import ConfigMap

    plugins, rules = _setup(_slow_fixing_check, monkeypatch, tmp_path)
    many = [dataclasses.replace(rules[1], code=f"TEST{n:03d}", name=f"rule-{n}") for n in range(24)]
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    result = scan(["."], plugins, cwd=tmp_path, rules=many, options={"jobs": 3, "cache": False})
    assert len(forks) == 2
    assert [f.code for f in result.findings] == [rule.code for rule in many]
    pids = [f.message for f in result.findings]
    assert len(set(pids)) == 3 and pids[-1] == f"pid {os.getpid()}"
    assert pids[0] != pids[1] and f"pid {os.getpid()}" not in pids[:2]  # each child's first rule
    [cm] = result.platform.of_kind(ConfigMap)
    assert all(f.fix.changes[0].obj is cm for f in result.findings)


def test_of_two_children_one_dies_its_rules_run_here_the_others_kept(monkeypatch, tmp_path):
    parent = os.getpid()
    marker = tmp_path / "died"

    def one_child_dies(platform, params):
        import time

        time.sleep(0.01)
        if os.getpid() != parent:
            try:
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                os._exit(9)  # the first child here dies; the other goes on
            except FileExistsError:
                pass
        yield from _pid_check(platform, params)

    plugins, rules = _setup(one_child_dies, monkeypatch, tmp_path)
    many = [dataclasses.replace(rules[0], code=f"TEST{n:03d}", name=f"rule-{n}") for n in range(16)]
    result = scan(["."], plugins, cwd=tmp_path, rules=many, options={"jobs": 3, "cache": False})
    assert [f.code for f in result.findings] == [rule.code for rule in many]
    pids = {f.message for f in result.findings}
    assert f"pid {parent}" in pids and len(pids) == 2  # this process, and the child that lived


def test_processes_follow_cores_objects_and_rules(monkeypatch):
    class Model:
        objects = [object()] * split_rules.MIN_OBJECTS

    rules = list(range(30))
    assert split_rules.processes(Model, rules, 1) == 1
    assert split_rules.processes(Model, rules, 2) == 2
    assert split_rules.processes(Model, rules, 64) == split_rules.MAX_PROCESSES
    assert split_rules.processes(Model, rules[:3], 64) == 3
    Model.objects = Model.objects[1:]
    assert split_rules.processes(Model, rules, 64) == 1


def test_a_fork_that_fails_midway_leaves_that_childs_rules_here(monkeypatch, tmp_path):
    """Out of processes after the first child: the rule reserved for the second runs here,
    every rule once, in order."""
    import time

    def slow(platform, params):
        time.sleep(0.01)
        yield from _pid_check(platform, params)

    plugins, rules = _setup(slow, monkeypatch, tmp_path)
    many = [dataclasses.replace(rules[0], code=f"TEST{n:03d}", name=f"rule-{n}") for n in range(12)]
    forks = []
    real_fork = os.fork

    def fork():
        forks.append(1)
        if len(forks) == 2:
            raise OSError(11, "Resource temporarily unavailable")
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    result = scan(["."], plugins, cwd=tmp_path, rules=many, options={"jobs": 3, "cache": False})
    assert len(forks) == 2
    assert [f.code for f in result.findings] == [rule.code for rule in many]
    assert result.findings[1].message == f"pid {os.getpid()}"  # the second child's first rule
    assert len({f.message for f in result.findings}) == 2


def test_findings_a_child_cannot_pickle_are_made_again_here(monkeypatch, tmp_path):
    """A plugin's Fix holding something pickle refuses (a lambda): the child cannot send
    its findings, so its rules run here; no finding is lost (docs/plugins.md)."""
    import time

    from eksguard.fixes import Fix, SetKey
    from eksguard.model import ConfigMap

    def unpicklable_fix(platform, params):
        time.sleep(0.01)
        [cm] = platform.of_kind(ConfigMap)
        yield Violation(Location("pid.yaml", 1, 1), f"pid {os.getpid()}",
                        fix=Fix("set a key", (SetKey(cm, ("data", "k"), lambda: "v"),)))

    plugins, rules = _setup(unpicklable_fix, monkeypatch, tmp_path)
    many = [dataclasses.replace(rules[1], code=f"TEST{n:03d}", name=f"rule-{n}") for n in range(8)]
    result = scan(["."], plugins, cwd=tmp_path, rules=many, options={"jobs": 2, "cache": False})
    assert [f.code for f in result.findings] == [rule.code for rule in many]
    assert {f.message for f in result.findings} == {f"pid {os.getpid()}"}
