"""``scan --fix``: golden results, idempotency over every fixture, and never damaging a file.

Conventions (STYLE section 5):
- ``testdata/rules/<rule>/fix-<case>.<ext>`` is fixed with ``--fix --unsafe-fixes`` and
  must then equal ``fix-<case>.fixed.<ext>`` byte for byte (so CRLF and BOM count); a
  folder ``fix-<case>/`` is compared with ``fix-<case>.fixed/`` file by file. After the
  fix the rule no longer fires there, and a second ``--fix`` changes nothing.
- Every ``fail-*`` case is fixed in a copy: a second run must have nothing left to do,
  and no fix may leave a file that no longer parses.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from clirun import eksguard
from eksguard.adapters.source import OVERLAY
from eksguard.engine.fix import fix
from eksguard.engine.runner import scan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "testdata" / "rules"


def golden_cases():
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(rule_dir.glob("fix-*")):
            if ".fixed" in entry.name or entry.name.endswith(".expect"):
                continue
            fixed = entry.with_name(entry.name.replace(entry.suffix, ".fixed" + entry.suffix, 1)
                                    if entry.is_file() else entry.name + ".fixed")
            yield pytest.param(rule_dir.name, entry, fixed, id=f"{rule_dir.name}/{entry.name}")


def fail_cases():
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(rule_dir.glob("fail-*")):
            if not entry.name.endswith(".expect"):
                yield pytest.param(entry, id=f"{rule_dir.name}/{entry.name}")


def files_of(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def copy_case(case: Path, into: Path) -> Path:
    target = into / case.name
    if case.is_dir():
        shutil.copytree(case, target, symlinks=True)
    else:
        shutil.copy2(case, target)
    return target


def rule_code(slug: str, rules) -> str:
    return next(r.code for r in rules if r.name == slug)


@pytest.mark.parametrize("slug,case,fixed", list(golden_cases()))
def test_fix_matches_golden(slug, case, fixed, tmp_path, plugins, rules):
    assert fixed.exists(), f"{fixed.name} (the golden result) is missing"
    target = copy_case(case, tmp_path)
    proc = eksguard("scan", target.name, "--fix", "--unsafe-fixes", "--format", "json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "not fixed" not in proc.stderr, proc.stderr
    got, want = files_of(target), files_of(fixed)
    assert got.keys() == want.keys()
    for name in want:
        assert got[name].decode("utf-8") == want[name].decode("utf-8"), name or case.name  # readable diff
        assert got[name] == want[name], f"{name or case.name}: same text, different bytes (line ends, BOM)"
    code = rule_code(slug, rules)
    left = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == code]
    assert left == [], "the rule still fires after its fix"
    if target.is_dir() and (target / ".eksguard.yaml").exists():  # the case configures the rule
        again = eksguard("scan", target.name, "--diff", "--unsafe-fixes", cwd=tmp_path)
        assert (again.returncode, again.stdout) == (0, ""), "a second --fix would change the file again"
    else:  # in-process (faster): the CLI path ran above
        assert fix_in_place([target.name], plugins, rules, tmp_path).changed == {}, "a second --fix changes it again"


def fix_in_place(paths, plugins, rules, cwd: Path, unsafe: bool = True):
    def rescan(overlay):
        token = OVERLAY.set(overlay)
        try:
            return scan(paths, plugins, cwd=cwd, rules=rules)
        finally:
            OVERLAY.reset(token)

    report = fix(rescan, cwd, unsafe=unsafe)
    report.write(cwd)
    return report


@pytest.mark.parametrize("case", list(fail_cases()))
def test_fixing_twice_changes_nothing_the_second_time(case, tmp_path, plugins, rules):
    target = copy_case(case, tmp_path)
    before = files_of(target)
    first = fix_in_place([target.name], plugins, rules, tmp_path)
    broken = [f for f in first.result.findings if f.code == "EKS001"]
    assert len(broken) <= len([f for f in scan([target.name], plugins, cwd=tmp_path, rules=rules).findings
                               if f.code == "EKS001"])
    if first.changed:
        assert files_of(target) != before
    second = fix_in_place([target.name], plugins, rules, tmp_path)
    assert second.changed == {}, f"second pass changed {sorted(second.changed)}"


def test_safe_fixes_only_without_unsafe_flag(tmp_path):
    (tmp_path / "ing.yaml").write_text(INGRESS)
    proc = eksguard("scan", "ing.yaml", "--diff", cwd=tmp_path)
    assert proc.stdout == "" and proc.returncode == 0, proc.stdout
    proc = eksguard("scan", "ing.yaml", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert proc.returncode == 1 and "+    alb.ingress.kubernetes.io/target-type: ip" in proc.stdout, proc.stdout
    assert (tmp_path / "ing.yaml").read_text() == INGRESS, "--diff wrote the file"


INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    alb.ingress.kubernetes.io/scheme: internal
    alb.ingress.kubernetes.io/target-type: instance
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: web, port: {number: 80}}}
"""


def test_mode_and_crlf_survive_and_write_is_atomic(tmp_path):
    path = tmp_path / "ing.yaml"
    path.write_bytes(INGRESS.replace("\n", "\r\n").encode())
    path.chmod(0o640)
    proc = eksguard("scan", "ing.yaml", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    data = path.read_bytes()
    assert b"target-type: ip\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["ing.yaml"], "a temporary file was left behind"


def test_stdin_is_never_fixed_but_the_fix_is_suggested(tmp_path):
    proc = eksguard("scan", "-", "--fix", "--unsafe-fixes", cwd=tmp_path, stdin=INGRESS)
    assert "not fixed: read from standard input" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_symlinked_file_is_not_rewritten(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "ing.yaml").write_text(INGRESS)
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    os.symlink(real / "ing.yaml", scanned / "ing.yaml")
    eksguard("scan", ".", "--fix", "--unsafe-fixes", cwd=scanned)
    assert (real / "ing.yaml").read_text() == INGRESS


def test_unsafe_fixes_needs_fix_or_diff(tmp_path):
    proc = eksguard("scan", ".", "--unsafe-fixes", cwd=tmp_path)
    assert proc.returncode == 2 and "--unsafe-fixes goes with --fix or --diff" in proc.stderr


def test_every_rule_that_declares_a_fix_has_a_golden_case(rules):
    """`eksguard rules` and `explain` show a rule's fix applicability: it must be real."""
    declared = {r.name for r in rules if r.fix_applicability in ("safe", "unsafe")}
    golden = {slug for slug, _, _ in (p.values for p in golden_cases())}
    assert declared - golden == set(), "rules that declare a fix without a fix-* golden case"
    assert golden - declared == set(), "fix-* cases for rules that declare no fix"


def _finding(path: str, line: int, fix, code: str = "EKS999", message: str = "m"):
    from eksguard.findings import Finding, Location, Severity

    return Finding(code, "x", Severity.WARNING, message, Location(path, line, 1), fix=fix)


def test_a_fix_that_does_not_remove_its_finding_is_rolled_back(tmp_path):
    """The engine trusts no fix: the file keeps its text and the fix is reported."""
    from types import SimpleNamespace

    from eksguard.fixes import EditText, Fix

    (tmp_path / "a.yaml").write_text("a: 1\nb: 2\n")
    stubborn = _finding("a.yaml", 1, Fix("rename", (EditText("a.yaml", 1, 1, 2, "c"),), "safe"))
    report = fix(lambda overlay: SimpleNamespace(findings=[stubborn], suppressed=[]), tmp_path, unsafe=False)
    assert report.changed == {} and report.fixed == []
    assert [r.reason for r in report.rejected] == ["the fix did not remove EKS999 (m)"]
    report.write(tmp_path)
    assert (tmp_path / "a.yaml").read_text() == "a: 1\nb: 2\n"


def test_a_fix_that_breaks_parsing_is_rolled_back(tmp_path):
    from types import SimpleNamespace

    from eksguard.fixes import EditText, Fix

    (tmp_path / "a.yaml").write_text("a: 1\n")
    finding = _finding("a.yaml", 1, Fix("break", (EditText("a.yaml", 1, 1, 2, "[: "),), "safe"))
    broken = _finding("a.yaml", 1, None, code="EKS001", message="YAML syntax error")
    scans = iter([SimpleNamespace(findings=[finding], suppressed=[]),
                  SimpleNamespace(findings=[broken], suppressed=[]),
                  SimpleNamespace(findings=[finding], suppressed=[])])
    report = fix(lambda overlay: next(scans), tmp_path, unsafe=False)
    assert report.changed == {}
    assert report.rejected[0].reason.startswith("the fixed file no longer parses")


def test_ruamel_normalising_the_edited_line_refuses_the_fix():
    """A line ruamel would rewrite is not silently reformatted: the fix is refused."""
    from eksguard.engine.fix import yaml_edit
    from eksguard.engine.fix.edits import CannotEdit

    lines = ["metadata:", "  annotations: {a: b,   c:    d}", "kind: X"]  # ruamel respaces this flow map
    with pytest.raises(CannotEdit, match="round-trip"):
        yaml_edit.edit_region(lines, 1, "", [(yaml_edit.set_key, ("metadata", "annotations", "a"), "z")])


def test_heredoc_yaml_is_edited_in_place_with_its_indentation():
    from eksguard.engine.fix import yaml_edit
    from eksguard.engine.fix.edits import apply_edits

    tf = ('resource "kubectl_manifest" "pool" {\n'
          '  yaml_body = <<-YAML\n'
          '    apiVersion: karpenter.sh/v1\n'
          '    kind: NodePool\n'
          '    metadata:\n'
          '      name: default  # the only pool\n'
          '    spec:\n'
          '      limits: {}\n'
          '  YAML\n'
          '}\n')
    lines = tf.split("\n")
    first, last, indent = yaml_edit.heredoc_span(lines, 4)
    assert (first, last, indent) == (3, 8, "    ")
    edits = yaml_edit.edit_region(lines[first - 1:last], first, indent,
                                  [(yaml_edit.set_key, ("spec", "limits", "cpu"), "1000")])
    fixed = apply_edits(tf, edits)
    assert '      limits:\n        cpu: "1000"\n  YAML\n' in fixed, fixed


def test_changed_files_fixes_only_the_changed_files(tmp_path):
    """pre-commit passes the changed files: --fix must not rewrite the rest of the repo."""
    eksctl = (ROOT / "testdata/rules/addon-overwrite-conflicts/fix-eksctl.yaml").read_text()
    (tmp_path / "a.yaml").write_text(eksctl)
    (tmp_path / "b.yaml").write_text(eksctl.replace("platform-prod", "platform-dev"))
    proc = eksguard("scan", "--changed-files", "a.yaml", "--project-root", ".", "--fix", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "preserve" in (tmp_path / "a.yaml").read_text().split("addons:")[1]
    assert (tmp_path / "b.yaml").read_text() == eksctl.replace("platform-prod", "platform-dev")


def test_diff_marks_a_last_line_without_newline():
    """As git and GNU diff do, so that ``--diff`` output applies with ``patch``."""
    from eksguard.engine.fix.edits import unified_diff

    diff = unified_diff("a.yaml", "x: 1\ny: 2", "x: 1\ny: 3")
    assert diff.endswith("-y: 2\n\\ No newline at end of file\n+y: 3\n\\ No newline at end of file\n")


def report_edits(plugins, cwd: Path, jobs: int = 1) -> list:
    """``(code, location, edits)`` of each fixable finding of a scan of ``cwd``, its fix
    resolved into edits as JSON and SARIF reports carry them (``attach_edits``)."""
    from eksguard.engine import fix as fixing

    result = scan(["."], plugins, cwd=cwd, options={"cache": False, "jobs": 1})
    fixing.attach_edits(result.findings, cwd, jobs)
    return [(f.code, str(f.location), f.edits) for f in result.findings if f.fix is not None]


def test_many_fixes_resolved_on_several_processes_give_the_same_edits(tmp_path, monkeypatch, plugins):
    """JSON and SARIF carry every fix's edits; past FORK_MIN_FIXES they are resolved by
    this process and a forked child together (engine/forked.py), with the same edits,
    in the same findings, as one process gives; a child that fails leaves its share
    to this process."""
    from eksguard.engine import fix as fixing

    case = (FIXTURES / "alb-target-type-instance" / "fix-missing-annotation.yaml").read_text()
    for n in range(fixing.FORK_MIN_FIXES + 8):
        (tmp_path / f"ingress-{n:02d}.yaml").write_text(case.replace("name: grafana", f"name: grafana-{n}", 1))

    def edits(jobs: int) -> list:
        return report_edits(plugins, tmp_path, jobs)

    one = edits(1)
    assert len(one) > fixing.FORK_MIN_FIXES and all(e and not e[0].refused and e[0].edits for *_, e in one)
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    assert edits(2) == one
    assert forks == [1]

    parent, real_resolve = os.getpid(), fixing.resolve

    def dies_in_child(fix, files):
        if os.getpid() != parent:
            os._exit(3)
        return real_resolve(fix, files)

    monkeypatch.setattr(fixing, "resolve", dies_in_child)
    assert edits(2) == one


def test_structural_edits_are_resolved_once_and_then_read_from_the_cache(tmp_path, monkeypatch, plugins):
    """JSON and SARIF reports carry each fix's edits; a structural one is a ruamel.yaml
    round trip of its document. The edits of a document already resolved (the same
    lines, place and operations) come from the cache; a changed document is resolved
    again; a refusal is remembered too; --no-cache reads and writes nothing."""
    from eksguard.engine import fix as fixing
    from eksguard.engine.fix import memo, yaml_edit

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    work = tmp_path / "repo"
    work.mkdir()
    case = (FIXTURES / "alb-target-type-instance" / "fix-missing-annotation.yaml").read_text()
    (work / "a.yaml").write_text(case)
    (work / "b.yaml").write_text(case.replace("name: grafana", "name: other", 1))

    calls = []
    real = yaml_edit.edit_region
    monkeypatch.setattr(yaml_edit, "edit_region", lambda *a: calls.append(a[1]) or real(*a))

    def edits() -> list:
        return report_edits(plugins, work)

    first = edits()
    assert len(calls) == 2 and all(e and e[0].edits for *_, e in first)
    assert len(list((tmp_path / "cache" / "eksguard" / "edits").rglob("*"))) >= 2
    assert edits() == first and len(calls) == 2  # both from the cache

    (work / "b.yaml").write_text(case.replace("name: grafana", "name: changed", 1))
    again = edits()
    assert len(calls) == 3 and again[0] == first[0]  # only the changed document

    def refuse(*args):
        calls.append("refused")
        raise fixing.CannotEdit("no")

    monkeypatch.setattr(yaml_edit, "edit_region", refuse)
    (work / "a.yaml").write_text(case.replace("name: grafana", "name: refused", 1))
    assert edits()[0][2][0].refused == "no" and calls[-1] == "refused"
    count = len(calls)
    assert edits()[0][2][0].refused == "no" and len(calls) == count  # the refusal, from the cache

    monkeypatch.setenv("EKSGUARD_NO_CACHE", "1")
    shutil.rmtree(tmp_path / "cache")
    edits()
    assert len(calls) == count + 2 and not (tmp_path / "cache").exists()
    assert memo._store() is None
