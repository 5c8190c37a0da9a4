"""Baselines end to end through the CLI: record, hide known findings, report new and
gone ones, stay stable when lines move, fail cleanly on a bad file."""

from __future__ import annotations

import json
import subprocess

import jsonschema
import pytest
from test_sarif import official_schema
from clirun import eksguard

BASELINE = ".eksguard-baseline.json"


run = eksguard


def service(name: str, namespace: str = "shop") -> str:
    """Fires EKS603 (warning) on line 8 of the document."""
    return (
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\n  annotations:\n"
        "    service.beta.kubernetes.io/aws-load-balancer-type: external\n"
        "    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: instance\n"
        "spec:\n  type: LoadBalancer\n  ports: [{port: 80}]\n"
    )


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(service("web"))
    (tmp_path / "k8s" / "api.yaml").write_text(service("api"))
    result = run("baseline", "k8s", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"eksguard: recorded 2 findings in {BASELINE}\n"
    return tmp_path


def test_baseline_records_fingerprints_with_code_path_and_message(repo):
    data = json.loads((repo / BASELINE).read_text())
    assert data["tool"] == "eksguard" and data["baseline_version"] == 1
    assert [(e["path"], e["code"], e["object"]) for e in data["findings"]] == [
        ("k8s/api.yaml", "EKS603", "Service shop/api"),
        ("k8s/web.yaml", "EKS603", "Service shop/web"),
    ]
    scan = json.loads(run("scan", "k8s", "--format", "json", cwd=repo).stdout)
    assert sorted(e["fingerprint"] for e in data["findings"]) == sorted(f["fingerprint"] for f in scan["findings"])
    assert all(e["message"].startswith("Service shop/") for e in data["findings"])


def test_known_findings_are_hidden_and_counted(repo):
    result = run("scan", "k8s", "--baseline", BASELINE, cwd=repo)
    assert result.returncode == 0, result.stdout
    assert result.stderr == "eksguard: 2 known findings hidden by the baseline\n"
    assert result.stdout == "No problems found in 2 files (2 known findings hidden by the baseline).\n"


def test_fingerprints_survive_lines_moving(repo):
    web = repo / "k8s" / "web.yaml"
    web.write_text("# header added later\n# and a second line\n\n" + web.read_text().replace("  ports:", "  # note\n  ports:"))
    result = run("scan", "k8s", "--baseline", BASELINE, "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["findings"] == []
    assert data["baseline"]["known"] == 2 and data["baseline"]["gone"] == []


def test_only_new_findings_are_reported_and_fail(repo):
    (repo / "k8s" / "web.yaml").write_text(service("web") + "---\n" + service("web", namespace="checkout"))
    result = run("scan", "k8s", "--baseline", BASELINE, "--format", "json", cwd=repo)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [(f["location"]["line"], f["object"]["namespace"]) for f in data["findings"]] == [(20, "checkout")]
    assert data["summary"]["findings"] == 1
    assert data["baseline"]["known"] == 2
    assert "2 known findings hidden" in result.stderr


def test_fixed_findings_are_reported_as_gone(repo):
    (repo / "k8s" / "api.yaml").write_text(service("api").replace("target-type: instance", "target-type: ip"))
    result = run("scan", "k8s", "--baseline", BASELINE, cwd=repo)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("k8s/api.yaml: EKS603 gone (fixed since the baseline): Service shop/api")
    assert lines[-1] == "No problems found in 2 files (1 known finding hidden by the baseline, 1 gone)."
    assert "1 gone" in result.stderr and "'eksguard baseline' updates it" in result.stderr
    data = json.loads(run("scan", "k8s", "--baseline", BASELINE, "--format", "json", cwd=repo).stdout)
    [gone] = data["baseline"]["gone"]
    assert (gone["path"], gone["code"], gone["object"]) == ("k8s/api.yaml", "EKS603", "Service shop/api")
    assert gone["fingerprint"]


def test_entries_of_files_not_scanned_are_not_gone(repo):
    result = run("scan", "k8s/web.yaml", "--baseline", BASELINE, "--format", "json", cwd=repo)
    data = json.loads(result.stdout)
    assert result.returncode == 0 and data["findings"] == []
    assert data["baseline"] == {"path": str(repo / BASELINE), "known": 1, "gone": []}


def test_a_suppressed_finding_is_not_gone(repo):
    web = repo / "k8s" / "web.yaml"
    web.write_text(web.read_text().replace("target-type: instance", "target-type: instance  # eksguard: ignore[EKS603] ok"))
    data = json.loads(run("scan", "k8s", "--baseline", BASELINE, "--format", "json", cwd=repo).stdout)
    assert data["baseline"]["gone"] == [] and data["baseline"]["known"] == 1
    assert len(data["suppressed"]) == 1


def test_matches_from_a_subfolder(repo):
    result = run("scan", ".", "--baseline", f"../{BASELINE}", cwd=repo / "k8s")
    assert result.returncode == 0, result.stdout
    assert "2 known findings hidden" in result.stderr


def test_a_fingerprint_recorded_once_hides_one_finding(tmp_path):
    (tmp_path / "a.yaml").write_text(service("web"))
    assert run("baseline", ".", cwd=tmp_path).returncode == 0
    # The same object twice in one file: same fingerprint, only one is known.
    (tmp_path / "a.yaml").write_text(service("web") + "---\n" + service("web"))
    result = run("scan", ".", "--baseline", BASELINE, "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    assert len(json.loads(result.stdout)["findings"]) == 1


def test_sarif_with_a_baseline_marks_results_new_and_is_schema_valid(repo):
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "k8s" / "new.yaml").write_text(service("new"))
    result = run("scan", "k8s", "--baseline", BASELINE, "--format", "sarif", cwd=repo)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(official_schema()).validate(log)
    [only] = log["runs"][0]["results"]
    assert only["baselineState"] == "new"
    assert only["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/new.yaml"


def test_output_option_and_exit_code_of_baseline(tmp_path):
    (tmp_path / "a.yaml").write_text(service("web"))
    result = run("baseline", ".", "--output", "ci/known.json", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1  # the folder does not exist
    (tmp_path / "ci").mkdir()
    result = run("baseline", ".", "-o", "ci/known.json", cwd=tmp_path)
    assert result.returncode == 0, "recording findings is not failing"
    assert json.loads((tmp_path / "ci" / "known.json").read_text())["findings"][0]["path"] == "../a.yaml"
    assert run("scan", ".", "--baseline", "ci/known.json", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("content, message", [
    (None, "baseline broken.json: no such file (create it with 'eksguard baseline')"),
    ("{not json", "baseline broken.json: not valid JSON (line 1: Expecting property name enclosed in double quotes)"),
    ('["a list"]', 'baseline broken.json: not an eksguard baseline (no "findings" list)'),
    ('{"findings": []}', "baseline broken.json: baseline_version None is not supported (expected 1; "
                         "recreate it with 'eksguard baseline')"),
    ('{"baseline_version": 1, "findings": [{"code": "EKS603"}]}',
     'baseline broken.json: finding 1 is not an object with a "fingerprint" string'),
])
def test_missing_or_corrupt_baseline_is_one_line_and_exit_2(tmp_path, content, message):
    (tmp_path / "a.yaml").write_text(service("web"))
    if content is not None:
        (tmp_path / "broken.json").write_text(content)
    result = run("scan", "a.yaml", "--baseline", "broken.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"eksguard: error: {message}\n"
    assert result.stdout == ""


def test_library_api_fingerprint_is_line_independent(tmp_path, plugins):
    from eksguard.engine.runner import scan

    path = tmp_path / "a.yaml"
    path.write_text(service("web"))
    before = scan([str(path)], plugins, cwd=tmp_path).findings
    path.write_text("\n\n# moved\n" + service("web"))
    after = scan([str(path)], plugins, cwd=tmp_path).findings
    assert [f.location.line for f in before] == [8] and [f.location.line for f in after] == [11]
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
