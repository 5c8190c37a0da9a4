"""Suppressions end to end through the CLI: comments in YAML, HCL and scripts, blocks,
files, the eksguard.io/ignore annotation (also on rendered Helm output), EKS003, audit
mode and --require-reasons, in every output format (docs/suppression.md)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
from renderers import helm_engine, require
from test_sarif import official_schema
from clirun import eksguard

ROOT = Path(__file__).resolve().parent.parent


run = eksguard


def nlb(name: str, target_line: str = "", *, extra_annotations: str = "") -> str:
    """A Service that fires EKS603 on its target-type line (line 8, or later with extras)."""
    return (
        "apiVersion: v1\nkind: Service\nmetadata:\n"
        f"  name: {name}\n  namespace: shop\n  annotations:\n{extra_annotations}"
        "    service.beta.kubernetes.io/aws-load-balancer-type: external\n"
        f"    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: instance{target_line}\n"
        "spec:\n  type: LoadBalancer\n  ports: [{port: 80}]\n"
    )


def text_lines(result) -> list[str]:
    """The finding lines and the summary of text output (without source excerpts)."""
    lines = result.stdout.splitlines()
    return [line for line in lines if re.match(r"\S+:\d+:\d+: EKS", line)] + lines[-1:]


def scan_json(tmp_path, *args, stdin=None):
    result = run("scan", *args, "--format", "json", cwd=tmp_path, stdin=stdin)
    assert result.returncode in (0, 1), result.stderr
    return result, json.loads(result.stdout)


# -- the comment forms ------------------------------------------------------------------

def test_every_comment_form_suppresses_and_text_counts_them(tmp_path):
    (tmp_path / "eol.yaml").write_text(nlb("eol", "  # eksguard: ignore[EKS603] legacy hosts"))
    target = "    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"
    (tmp_path / "before.yaml").write_text(nlb("before").replace(
        target, "    # eksguard: ignore[nlb-target-type-instance] keeps client IPs\n"
                "    # an unrelated comment in between\n" + target))
    (tmp_path / "wrong.yaml").write_text(nlb(
        "wrong", extra_annotations="    # eksguard: ignore[EKS603] covers the next line only, not the target type\n"))
    (tmp_path / "block.yaml").write_text(
        "# eksguard: disable[EKS6] migrating in Q3\n" + nlb("block") + "# eksguard: enable[EKS6]\n---\n" + nlb("after"))
    # disable-file covers the whole file, wherever it is written
    (tmp_path / "file.yaml").write_text(nlb("file1") + "---\n# eksguard: disable-file[EKS603] legacy file\n" + nlb("file2"))
    result = run("scan", ".", cwd=tmp_path)
    lines = text_lines(result)
    assert [line.split(" [")[0] for line in lines[:-1]] == [
        "block.yaml:22:5: EKS603",  # after enable[EKS6], findings are reported again
        "wrong.yaml:7:5: EKS003",
        "wrong.yaml:9:5: EKS603",
    ], result.stdout
    assert lines[-1] == "Found 3 problems (2 warnings, 1 note) in 2 of 5 files (5 suppressed)."
    assert result.returncode == 1


def test_suppressed_findings_never_count_for_the_exit_code(tmp_path):
    (tmp_path / "svc.yaml").write_text(nlb("web", "  # eksguard: ignore[EKS603] legacy hosts"))
    result = run("scan", ".", "--fail-on", "note", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout == "No problems found in 1 file (1 suppressed).\n"


def test_the_line_before_means_the_next_line_that_is_not_a_comment(tmp_path):
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n"
        "    service.beta.kubernetes.io/aws-load-balancer-type: external\n"
        "    # eksguard: ignore[EKS603] reason one\n"
        "    # eksguard: ignore[EKS601] stacked comments all cover the next line that is not a comment\n"
        "    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: instance\n"
        "spec:\n  type: LoadBalancer\n")
    _, data = scan_json(tmp_path, ".")
    assert [(f["code"], f["location"]["line"]) for f in data["suppressed"]] == [("EKS603", 10)]
    # EKS601 cannot fire on a Service: that stacked comment silences nothing.
    assert [(f["code"], f["location"]["line"]) for f in data["findings"]] == [("EKS003", 9)]


def test_reason_ends_at_a_further_comment_and_several_codes_are_comma_separated(tmp_path):
    (tmp_path / "svc.yaml").write_text(nlb("web", "  # eksguard: ignore[ EKS603 , EKS6 ] -- legacy hosts  # noqa"))
    _, data = scan_json(tmp_path, ".")
    suppression = data["suppressed"][0]["suppression"]
    assert suppression == {"kind": "comment", "directive": "ignore[EKS603,EKS6]", "justification": "legacy hosts",
                           "location": {"path": "svc.yaml", "line": 8, "column": 77}}
    assert data["findings"] == []  # both selectors matched: neither is unused


def test_terraform_hash_and_slash_comments_and_scripts(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_eks_cluster" "a" { # eksguard: ignore[EKS701,EKS101,EKS702] sandbox\n'
        '  name     = "a"\n  role_arn = "arn:aws:iam::111122223333:role/eks"\n'
        '  vpc_config { subnet_ids = ["subnet-1", "subnet-2"] }\n}\n'
        '// eksguard: ignore[EKS701] sandbox too\n'
        'resource "aws_eks_cluster" "b" {\n'
        '  name     = "b"\n  role_arn = "arn:aws:iam::111122223333:role/eks"\n'
        '  vpc_config { subnet_ids = ["subnet-1", "subnet-2"] }\n}\n'
    )
    (tmp_path / "create.sh").write_text(
        "#!/usr/bin/env bash\n"
        "# eksguard: disable-file[EKS7] sandbox clusters, deleted nightly\n"
        "aws eks create-cluster --name sandbox --kubernetes-version 1.33 "
        "--role-arn arn:aws:iam::111122223333:role/eks "
        "--resources-vpc-config subnetIds=subnet-1,subnet-2\n"
    )
    result, data = scan_json(tmp_path, ".")
    by_file = {(f["location"]["path"], f["code"]) for f in data["suppressed"]}
    assert {("main.tf", "EKS701"), ("main.tf", "EKS101"), ("main.tf", "EKS702"),
            ("create.sh", "EKS701"), ("create.sh", "EKS702"), ("create.sh", "EKS703")} <= by_file
    assert [f for f in data["suppressed"] if f["location"]["path"] == "main.tf" and f["code"] == "EKS701"
            and f["location"]["line"] == 7], "the // comment covers the resource line after it"
    reported = {(f["location"]["path"], f["code"]) for f in data["findings"]}
    assert ("main.tf", "EKS701") not in reported and ("create.sh", "EKS701") not in reported
    assert ("main.tf", "EKS101") in reported, "b's EKS101 is not suppressed"
    assert not any(code == "EKS003" for _, code in reported), data["findings"]


def test_a_suppression_moves_with_its_line(tmp_path):
    path = tmp_path / "svc.yaml"
    path.write_text(nlb("web", "  # eksguard: ignore[EKS603] legacy hosts"))
    _, before = scan_json(tmp_path, ".")
    path.write_text("# a new header\n# and another line\n" + path.read_text())
    _, after = scan_json(tmp_path, ".")
    assert before["findings"] == after["findings"] == []
    assert before["suppressed"][0]["fingerprint"] == after["suppressed"][0]["fingerprint"]
    assert after["suppressed"][0]["location"]["line"] == before["suppressed"][0]["location"]["line"] + 2


# -- the annotation -------------------------------------------------------------------

def test_annotation_suppresses_findings_about_its_object_only(tmp_path):
    (tmp_path / "svc.yaml").write_text(
        nlb("web", extra_annotations='    eksguard.io/ignore: "EKS603: legacy hosts; EKS601"\n')
        + "---\n" + nlb("other"))
    _, data = scan_json(tmp_path, ".")
    assert [(f["object"]["name"], f["suppression"]["kind"], f["suppression"]["justification"])
            for f in data["suppressed"]] == [("web", "annotation", "legacy hosts")]
    assert sorted((f["code"], f["location"]["line"]) for f in data["findings"]) == [
        ("EKS003", 7),  # EKS601 in the annotation silences nothing
        ("EKS603", 21),  # the other Service
    ]
    eks003 = next(f for f in data["findings"] if f["code"] == "EKS003")
    assert eks003["object"] == {"kind": "Service", "namespace": "shop", "name": "web"}
    assert eks003["json_path"] == "/metadata/annotations/eksguard.io~1ignore"
    assert "EKS601" in eks003["message"]


RENDERED = """\
---
# Source: edge/templates/svc.yaml
apiVersion: v1
kind: Service
metadata:
  name: release-name-edge
  annotations:
    eksguard.io/ignore: "EKS603: client IPs must be preserved"
    service.beta.kubernetes.io/aws-load-balancer-type: external
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: instance
spec:
  type: LoadBalancer
  ports: [{port: 80}]
"""


def test_annotation_survives_helm_template_output_on_stdin(tmp_path):
    result, data = scan_json(tmp_path, "-", stdin=RENDERED)
    assert result.returncode == 0
    assert data["findings"] == []
    [suppressed] = data["suppressed"]
    assert suppressed["location"]["path"] == "<stdin>"
    assert suppressed["location"]["template"] == "edge/templates/svc.yaml"
    assert suppressed["suppression"]["justification"] == "client IPs must be preserved"


def test_comments_and_annotations_in_a_chart_eksguard_renders(tmp_path):
    require(helm_engine() is not None, "a Helm engine (helm or helm-python-sdk)")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: edge\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("targetType: instance\n")
    (chart / "templates" / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-edge\n  annotations:\n"
        "    service.beta.kubernetes.io/aws-load-balancer-type: external\n"
        "    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: {{ .Values.targetType }}"
        "  # eksguard: ignore[EKS603] client IPs\n"
        "spec:\n  type: LoadBalancer\n  ports: [{port: 80}]\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-mqtt\n  annotations:\n"
        '    eksguard.io/ignore: "EKS603: brokers"\n'
        "    service.beta.kubernetes.io/aws-load-balancer-type: external\n"
        "    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: {{ .Values.targetType }}\n"
        "spec:\n  type: LoadBalancer\n  ports: [{port: 1883}]\n"
    )
    result, data = scan_json(tmp_path, "chart")
    assert data["findings"] == [] and result.returncode == 0
    assert [(f["location"]["path"], f["location"]["line"], f["suppression"]["kind"]) for f in data["suppressed"]] == [
        ("chart/templates/svc.yaml", 7, "comment"), ("chart/templates/svc.yaml", 19, "annotation")]


# -- EKS003, audit mode, --require-reasons ----------------------------------------------

def test_unused_suppressions_are_eks003_notes(tmp_path):
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
        "spec:\n  type: ClusterIP  # eksguard: ignore[EKS603] not a load balancer any more\n"
        "# eksguard: ignore\n"
    )
    result = run("scan", ".", cwd=tmp_path)
    assert result.returncode == 0, "EKS003 is a note: below the default --fail-on"
    assert text_lines(result) == [
        "svc.yaml:5:20: EKS003 [*] [note] unused suppression ignore[EKS603]: it silences nothing in this run",
        "svc.yaml:6:1: EKS003 [note] 'eksguard: ignore' names no codes: there is no blanket suppression, "
        "write ignore[EKS603] reason",
        "Found 2 problems (2 notes) in 1 of 1 file.",
    ]
    assert "\n[*] 1 fixable with --fix.\nFound 2 problems" in result.stdout
    assert run("scan", ".", "--fail-on", "note", cwd=tmp_path).returncode == 1


def test_only_rules_that_ran_are_judged(tmp_path):
    (tmp_path / "svc.yaml").write_text(nlb("web", "  # eksguard: ignore[EKS603] legacy hosts"))
    _, data = scan_json(tmp_path, ".", "--ignore", "EKS603")
    assert data["findings"] == [] and data["suppressed"] == []
    _, data = scan_json(tmp_path, ".", "--ignore", "EKS003")
    assert data["findings"] == [] and len(data["suppressed"]) == 1


def test_only_files_inside_the_scanned_inputs_are_judged(tmp_path):
    """Scanning one .tf file reads its siblings for context; their comments are not judged."""
    (tmp_path / "main.tf").write_text('variable "x" {\n  default = "a"\n}\n')
    (tmp_path / "other.tf").write_text('locals {\n  y = 1 # eksguard: ignore[EKS701] unused\n}\n')
    _, alone = scan_json(tmp_path, "main.tf")
    assert alone["findings"] == []
    _, both = scan_json(tmp_path, ".")
    assert [(f["location"]["path"], f["code"]) for f in both["findings"]] == [("other.tf", "EKS003")]


def test_eks003_can_be_suppressed_for_a_file(tmp_path):
    (tmp_path / "svc.yaml").write_text(
        "# eksguard: disable-file[EKS003] used by the prod values only\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
        "spec:\n  type: ClusterIP  # eksguard: ignore[EKS603] prod renders a LoadBalancer\n"
    )
    _, data = scan_json(tmp_path, ".")
    assert data["findings"] == []
    assert [f["code"] for f in data["suppressed"]] == ["EKS003"]


def test_no_suppressions_is_an_audit(tmp_path):
    (tmp_path / "svc.yaml").write_text(
        nlb("web", "  # eksguard: ignore[EKS603] legacy hosts")
        + "---\n" + nlb("other", extra_annotations='    eksguard.io/ignore: "EKS603: x; EKS601: y"\n')
        + "# eksguard: ignore[EKS999] unused\n")
    result, data = scan_json(tmp_path, ".", "--no-suppressions")
    assert result.returncode == 1
    assert [f["code"] for f in data["findings"]] == ["EKS603", "EKS603"]
    assert data["suppressed"] == [] and data["summary"]["suppressed"] == 0


def test_require_reasons_refuses_suppressions_without_one(tmp_path):
    (tmp_path / "svc.yaml").write_text(
        nlb("web", "  # eksguard: ignore[EKS603]")
        + "---\n" + nlb("reasoned", "  # eksguard: ignore[EKS603] legacy hosts")
        + "---\n" + nlb("annotated", extra_annotations='    eksguard.io/ignore: "EKS603"\n'))
    result, loose = scan_json(tmp_path, ".")
    assert result.returncode == 0 and len(loose["suppressed"]) == 3
    result, strict = scan_json(tmp_path, ".", "--require-reasons")
    assert result.returncode == 1
    assert [f["object"]["name"] for f in strict["suppressed"]] == ["reasoned"]
    reported = sorted((f["code"], f["object"]["name"] if f["object"] else "") for f in strict["findings"])
    assert reported == [("EKS003", ""), ("EKS003", "annotated"), ("EKS603", "annotated"), ("EKS603", "web")]
    assert all("gives no reason" in f["message"] for f in strict["findings"] if f["code"] == "EKS003")


def test_require_reasons_does_not_ask_an_enable_for_one(tmp_path):
    """The reason of a block is on its ``disable``; the ``enable`` that ends it needs none."""
    (tmp_path / "svc.yaml").write_text("# eksguard: disable[EKS603] legacy NLBs, migrating in Q3\n" + nlb("web")
                                       + "# eksguard: enable[EKS603]\n---\n" + nlb("after"))
    result, strict = scan_json(tmp_path, ".", "--require-reasons")
    assert result.returncode == 1
    assert [f["object"]["name"] for f in strict["suppressed"]] == ["web"]
    assert [(f["code"], f["object"]["name"]) for f in strict["findings"]] == [("EKS603", "after")]


# -- output formats -------------------------------------------------------------------

def test_sarif_keeps_suppressed_results_with_in_source_suppressions(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "svc.yaml").write_text(nlb("web", "  # eksguard: ignore[EKS603] legacy hosts") + "---\n" + nlb("other"))
    result = run("scan", ".", "--format", "sarif", cwd=tmp_path)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(official_schema()).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == 2
    [suppressed] = [r for r in results if r.get("suppressions")]
    assert suppressed["ruleId"] == "EKS603"
    assert suppressed["locations"][0]["physicalLocation"]["region"]["startLine"] == 8
    [entry] = suppressed["suppressions"]
    assert entry["kind"] == "inSource" and entry["status"] == "accepted"
    assert entry["justification"] == "legacy hosts"
    assert entry["location"]["physicalLocation"]["region"] == {"startLine": 8, "startColumn": 77}
    active = next(r for r in results if not r.get("suppressions"))
    assert "suppressions" not in active and "baselineState" not in active
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert any(r["id"] == "EKS003" and r["name"] == "unused-suppression" for r in rules)


def test_json_suppressed_field_and_summary(tmp_path):
    (tmp_path / "svc.yaml").write_text(nlb("web", "  # eksguard: ignore[EKS603] legacy hosts"))
    result, data = scan_json(tmp_path, ".")
    assert result.returncode == 0
    assert data["summary"]["findings"] == 0 and data["summary"]["suppressed"] == 1
    [item] = data["suppressed"]
    assert item["code"] == "EKS603" and item["fingerprint"]
    assert item["suppression"]["justification"] == "legacy hosts"


@pytest.mark.parametrize("fmt", ["github", "junit"])
def test_other_formats_do_not_report_suppressed_findings(tmp_path, fmt):
    (tmp_path / "svc.yaml").write_text(nlb("web", "  # eksguard: ignore[EKS603] legacy hosts"))
    result = run("scan", ".", "--format", fmt, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "title=EKS603" not in result.stdout and "<failure" not in result.stdout
