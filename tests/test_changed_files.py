"""``scan --changed-files`` (what the pre-commit hook runs), through the CLI: the whole
project is read, only findings in or related to the given files are reported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_precommit import DEFAULT_CLASS, DEPLOYMENT, INGRESS, SERVICE

ROOT = Path(__file__).resolve().parent.parent


def scan(*args: str, cwd: Path) -> tuple[int, list[dict], str]:
    proc = subprocess.run([sys.executable, "-m", "eksguard", "scan", *args, "--format", "json"],
                          cwd=cwd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if proc.returncode == 2:
        return 2, [], proc.stderr
    return proc.returncode, json.loads(proc.stdout)["findings"], proc.stderr


def where(findings: list[dict]) -> set[tuple[str, str]]:
    return {(f["code"], f["location"]["path"]) for f in findings}


@pytest.fixture
def repo(tmp_path) -> Path:
    for rel, text in {
        "platform/ingressclass.yaml": DEFAULT_CLASS,
        "apps/search/ingress.yaml": INGRESS,
        "apps/search/service.yaml": SERVICE,
        "apps/billing/deployment.yaml": DEPLOYMENT,
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def test_the_file_alone_misses_the_cross_file_finding(repo):
    # Scanned alone, the Ingress has no class and no default IngressClass: nothing to say.
    assert scan("apps/search/ingress.yaml", cwd=repo)[:2] == (0, [])


def test_changed_file_is_judged_with_the_rest_of_the_project(repo):
    code, findings, _ = scan("--changed-files", "apps/search/ingress.yaml", cwd=repo)
    assert code == 1
    assert where(findings) == {("EKS601", "apps/search/ingress.yaml")}
    assert findings[0]["related"][0]["location"]["path"] == "platform/ingressclass.yaml"


def test_finding_related_to_a_changed_file_is_reported(repo):
    code, findings, _ = scan("--changed-files", "platform/ingressclass.yaml", cwd=repo)
    assert where(findings) == {("EKS601", "apps/search/ingress.yaml")}


def test_unrelated_changes_report_nothing(repo):
    assert scan("--changed-files", "apps/search/service.yaml", cwd=repo)[:2] == (0, [])


def test_from_a_subfolder_the_project_is_the_git_top_level(repo):
    code, findings, _ = scan("--changed-files", "ingress.yaml", cwd=repo / "apps" / "search")
    assert where(findings) == {("EKS601", "ingress.yaml")}


def test_project_root_narrows_the_project(repo):
    # Without platform/ in the project, the default IngressClass is unknown.
    assert scan("--changed-files", "--project-root", "apps", "apps/search/ingress.yaml", cwd=repo)[:2] == (0, [])


def test_usage_errors(repo):
    assert scan("--project-root", "apps", "apps", cwd=repo)[0] == 2
    code, _, err = scan("--changed-files", "nope.yaml", cwd=repo)
    assert code == 2 and "nope.yaml: no such file" in err
    assert scan("--changed-files", "-", cwd=repo)[0] == 2


def test_chart_values_change_reports_findings_in_templates(tmp_path):
    shutil.copytree(ROOT / "testdata" / "examples", tmp_path / "repo", symlinks=True)
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _, everything, _ = scan(".", cwd=repo)
    in_chart = {(c, p) for c, p in where(everything) if p.startswith("charts/billing/")}
    assert in_chart, "the example chart has a finding (rendered, or EKS002 without a Helm engine)"
    code, findings, _ = scan("--changed-files", "charts/billing/values.yaml", cwd=repo)
    assert where(findings) == in_chart


def test_terraform_variables_change_reports_its_module_folder(tmp_path):
    shutil.copytree(ROOT / "testdata" / "examples", tmp_path / "repo", symlinks=True)
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _, everything, _ = scan(".", cwd=repo)
    infra = {(c, p) for c, p in where(everything) if p.startswith("infra/")}
    assert infra
    _, findings, _ = scan("--changed-files", "infra/variables.tf", cwd=repo)
    assert {(c, p) for c, p in where(findings) if p.startswith("infra/")} == infra
    # ... and findings elsewhere only when they point into infra/.
    for finding in findings:
        paths = [finding["location"]["path"], *(r["location"]["path"] for r in finding["related"])]
        assert any(p.startswith("infra/") for p in paths)


def test_kustomize_overlay_change_reports_its_bases(tmp_path):
    from eksguard.changed import changed_scope

    base, overlay = tmp_path / "base", tmp_path / "overlays" / "prod"
    base.mkdir()
    overlay.mkdir(parents=True)
    (base / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (base / "deployment.yaml").write_text(DEPLOYMENT)
    (overlay / "kustomization.yaml").write_text("resources: [../../base]\npatches: [{path: replicas.yaml}]\n")
    (overlay / "replicas.yaml").write_text("kind: Deployment\n")
    scope = changed_scope(["overlays/prod/replicas.yaml"], tmp_path, ".")
    assert scope.covers(os.path.realpath(base / "deployment.yaml"))
    assert scope.covers(os.path.realpath(overlay / "kustomization.yaml"))
    assert not scope.covers(os.path.realpath(tmp_path / "other.yaml"))


def test_one_realpath_per_file_not_per_location(tmp_path, monkeypatch):
    """The findings of a big repository name ~25,000 locations in a few thousand files:
    each file's real path is looked up once (it was a third of a pre-commit run on a
    5,000-file repository)."""
    from eksguard import changed
    from eksguard.findings import Finding, Location, Related, Severity

    (tmp_path / "a.yaml").write_text("")
    (tmp_path / "b.yaml").write_text("")
    (tmp_path / "c.yaml").write_text("")
    scope = changed.changed_scope(["a.yaml"], tmp_path, project_root=".")
    findings = [Finding("EKS601", "x", Severity.WARNING, "m", Location(name, n, 1),
                        related=[Related(Location("c.yaml", n, 1), "r")])
                for n in range(1, 51) for name in ("a.yaml", "b.yaml")]
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.yaml").write_text("")
    (tmp_path / "sub" / "link.yaml").symlink_to(tmp_path / "a.yaml")
    findings += [Finding("EKS601", "x", Severity.WARNING, "m", Location(name, 1, 1))
                 for name in ("sub/d.yaml", "sub/link.yaml", "sub/../b.yaml", "gone.yaml")]
    calls = []
    real = os.path.realpath
    monkeypatch.setattr(changed.os.path, "realpath", lambda path: calls.append(path) or real(path))
    kept = scope.filter(findings, tmp_path)
    assert [f.location.path for f in kept] == ["a.yaml"] * 50 + ["sub/link.yaml"]  # a link to a.yaml
    assert scope.filter(findings[:10], tmp_path) == findings[:10:2]  # the suppressed ones, say
    # one realpath per folder, and per link or missing file: not one per location
    assert len(calls) == 5
    assert scope.reals == {(str(tmp_path), path): real(tmp_path / path)
                           for path in ("a.yaml", "b.yaml", "c.yaml", "sub/d.yaml", "sub/link.yaml",
                                        "sub/../b.yaml", "gone.yaml")}
