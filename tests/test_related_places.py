"""Related places are bounded per finding (eksguard/findings.py, MAX_RELATED): a setting
written in many places (prefix delegation turned on in each cluster's script) is listed
up to the bound on each finding, the places most about the finding first, and every
report says how many more there are."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from clirun import eksguard
from eksguard.findings import MAX_RELATED

SCRIPTS = 14  # each turns prefix delegation on: more than MAX_RELATED places

NODES = """\
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec:
  role: KarpenterNodeRole-platform
  amiSelectorTerms:
    - alias: al2023@latest
---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: general
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    assert SCRIPTS > MAX_RELATED
    for n in range(SCRIPTS):
        (tmp_path / f"cluster-{n:02d}.sh").write_text(
            "kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true\n")
    (tmp_path / "nodes.yaml").write_text(NODES)
    return tmp_path


def _eks301(document: dict) -> dict:
    [finding] = [f for f in document["findings"] if f["code"] == "EKS301"]
    return finding


def test_json_lists_the_first_places_its_own_pool_first_and_counts_the_rest(repo):
    result = eksguard("scan", ".", "--format", "json", "--no-config", cwd=repo)
    assert result.returncode == 1, result.stderr
    finding = _eks301(json.loads(result.stdout))
    related = finding["related"]
    assert len(related) == MAX_RELATED
    assert related[0]["message"] == "NodePool general launches from it"  # about this node, not the repo
    assert related[0]["location"] == {"path": "nodes.yaml", "line": 11, "column": 1}  # its kind:
    assert all("prefix delegation is turned on here" in r["message"] for r in related[1:])
    assert finding["related_omitted"] == SCRIPTS + 1 - MAX_RELATED
    others = [f for f in json.loads(result.stdout)["findings"] if f["code"] != "EKS301"]
    assert all(f["related_omitted"] == 0 for f in others)


def test_text_github_junit_and_sarif_say_how_many_are_not_listed(repo):
    omitted = SCRIPTS + 1 - MAX_RELATED
    note = f"and {omitted} more related places, not listed"
    text = eksguard("scan", ".", "--no-config", "--format", "text", cwd=repo).stdout
    block = text[text.index("EKS301"):]
    assert block.count("prefix delegation is turned on here") == MAX_RELATED - 1
    assert f"= {note}" in block
    github = eksguard("scan", ".", "--no-config", "--format", "github", cwd=repo).stdout
    [line] = [ln for ln in github.splitlines() if "EKS301" in ln]
    assert f"({note})" in line
    junit = eksguard("scan", ".", "--no-config", "--format", "junit", cwd=repo).stdout
    failures = [f.text for f in ElementTree.fromstring(junit).iter("failure") if "EKS301" in (f.text or "")]
    assert failures and f"({note})" in failures[0]
    sarif = json.loads(eksguard("scan", ".", "--no-config", "--format", "sarif", cwd=repo).stdout)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "EKS301"]
    assert len(result["relatedLocations"]) == MAX_RELATED
    assert result["properties"]["relatedLocationsOmitted"] == omitted
