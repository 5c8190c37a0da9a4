"""The command line as a user runs it: exit codes, one-line errors, every output format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eksguard import __version__
from clirun import eksguard

ROOT = Path(__file__).resolve().parent.parent

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/healthcheck-path: /healthz
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
"""

CLEAN = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: ClusterIP
  ports: [{port: 80}]
"""


run = eksguard


@pytest.fixture
def project(tmp_path):
    (tmp_path / "ingress.yaml").write_text(INGRESS)
    (tmp_path / "clean.yaml").write_text(CLEAN)
    return tmp_path


def test_version():
    result = run("--version")
    assert result.stdout.strip() == f"eksguard {__version__}"


def test_findings_exit_1_with_file_line_col(project):
    result = run("scan", ".", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("ingress.yaml:2:1: EKS601 [warning] Ingress shop/web")
    assert result.stdout.splitlines()[-1] == "Found 1 problem (1 warning) in 1 of 2 files."
    assert result.stderr == ""


def test_text_report_shows_the_source_line_with_a_caret(project):
    result = run("scan", ".", "--color", "never", cwd=project)
    assert result.stdout == (
        "ingress.yaml:2:1: EKS601 [warning] Ingress shop/web is served by the AWS Load Balancer Controller "
        "(ingressClassName alb) without alb.ingress.kubernetes.io/group.name and no IngressClassParams group: "
        "it gets an ALB of its own\n"
        "   |\n"
        " 2 | kind: Ingress\n"
        "   | ^^^^\n"
        "\n"
        "Found 1 problem (1 warning) in 1 of 2 files.\n"
    )


def test_no_argument_means_current_folder(project):
    assert run("scan", cwd=project).stdout == run("scan", ".", cwd=project).stdout


def test_clean_exit_0(project):
    result = run("scan", "clean.yaml", cwd=project)
    assert result.returncode == 0
    assert result.stdout == "No problems found in 1 file.\n"


def test_fail_on_threshold(project):
    assert run("scan", ".", "--fail-on", "error", cwd=project).returncode == 0
    assert run("scan", ".", "--fail-on", "note", cwd=project).returncode == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["scan", "missing.yaml"], "eksguard: error: missing.yaml: no such file or directory"),
        (["scan", "--bogus"], "eksguard: error: unrecognized arguments: --bogus"),
        (["scan", "--format", "xml", "."], "eksguard: error: unknown format 'xml'"),
        (["scan", "--fail-on", "fatal", "."], "eksguard scan: error: argument --fail-on: invalid choice"),
        (["explain", "EKS999"], "eksguard: error: no rule 'EKS999'"),
        (["scan", ".", "--output", "/nonexistent/dir/out.txt"], "eksguard: error: cannot write /nonexistent/dir/out.txt"),
    ],
)
def test_usage_errors_are_one_line_exit_2(project, args, message):
    result = run(*args, cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_stdin(project):
    result = run("scan", "-", cwd=project, stdin=INGRESS)
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:2:1: EKS601")


def test_json_output_shape(project):
    result = run("scan", ".", "--format", "json", cwd=project)
    data = json.loads(result.stdout)
    assert data["tool"] == "eksguard" and data["version"] == __version__ and data["schema_version"] == 1
    assert data["summary"] == {"files_scanned": 2, "findings": 1, "by_severity": {"error": 0, "warning": 1, "note": 0},
                               "suppressed": 0}
    assert data["suppressed"] == [] and "baseline" not in data
    finding = data["findings"][0]
    assert finding["code"] == "EKS601" and finding["name"] == "alb-ingress-without-group"
    assert finding["location"] == {"path": "ingress.yaml", "line": 2, "column": 1}
    assert finding["object"] == {"kind": "Ingress", "namespace": "shop", "name": "web"}
    assert finding["json_path"] == "/metadata/annotations/alb.ingress.kubernetes.io~1group.name"
    assert len(finding["fingerprint"]) == 32


def test_fingerprint_survives_unrelated_edits(project):
    before = json.loads(run("scan", "ingress.yaml", "--format", "json", cwd=project).stdout)["findings"][0]
    (project / "ingress.yaml").write_text("# a new comment\n# and another\n" + INGRESS)
    after = json.loads(run("scan", "ingress.yaml", "--format", "json", cwd=project).stdout)["findings"][0]
    assert after["location"]["line"] == before["location"]["line"] + 2
    assert after["fingerprint"] == before["fingerprint"]


def test_output_file_and_no_colour_when_not_a_tty(project):
    result = run("scan", ".", "--output", "report.txt", "--color", "auto", cwd=project)
    assert result.stdout == ""
    assert "\x1b[" not in (project / "report.txt").read_text()
    forced = run("scan", ".", "--color", "always", cwd=project)
    assert "\x1b[1m" in forced.stdout


def test_rules_lists_every_rule():
    result = run("rules")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("EKS601  alb-ingress-without-group") and "warning" in line for line in lines)
    assert [line.split()[0] for line in lines] == sorted(line.split()[0] for line in lines)


@pytest.mark.parametrize("key", ["EKS601", "eks601", "alb-ingress-without-group"])
def test_explain_prints_full_docs(key):
    result = run("explain", key)
    assert result.returncode == 0
    for heading in ("# EKS601 alb-ingress-without-group", "## What it does", "## Why it hurts at scale",
                    "## How to confirm on a live cluster", "## Example", "## Use instead", "## Fix safety",
                    "## When to ignore", "## References"):
        assert heading in result.stdout


def test_broken_pipe_is_quiet(project):
    proc = subprocess.Popen(
        f"{sys.executable} -m eksguard scan . --format sarif | head -c 10",
        shell=True, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err


def _on_a_terminal(args: list[str], env: dict) -> str:
    """stdout of ``eksguard ARGS`` written to a pseudo-terminal (auto colour looks at it)."""
    import pty
    import threading

    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO once the child closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        subprocess.run([sys.executable, "-m", "eksguard", *args], stdout=slave, stderr=subprocess.DEVNULL,
                       env=env, timeout=120, check=False)
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("no_color, coloured", [(None, True), ("", True), ("1", False)])
def test_colour_on_a_terminal_unless_no_color_is_set(no_color, coloured):
    """no-color.org: only a NO_COLOR that is present *and not empty* turns colour off."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    out = _on_a_terminal(["scan", "--no-config", str(ROOT / "testdata" / "rules" / "nlb-target-type-instance")], env)
    assert "EKS603" in out
    assert ("\x1b[" in out) is coloured


def test_installed_command_ends_without_freeing_the_scan(project, monkeypatch):
    """``eksguard`` (cli.run) ends with os._exit: the scan's model is kept to the end
    rather than freed object by object as ``cmd_scan`` returns; ``main()`` called by an
    embedder or a test keeps nothing."""
    from eksguard import cli
    from eksguard.engine.runner import ScanResult

    monkeypatch.chdir(project)
    monkeypatch.setenv("EKSGUARD_NO_CACHE", "1")  # as --no-cache sets it: undone after the test
    monkeypatch.setattr(cli, "_KEPT_TO_EXIT", None)
    assert cli.main(["scan", ".", "-qq", "--no-config", "--no-cache"]) == 1
    assert cli._KEPT_TO_EXIT is None
    ended = []
    monkeypatch.setattr(os, "_exit", ended.append)
    monkeypatch.setattr(sys, "argv", ["eksguard", "scan", ".", "-qq", "--no-config", "--no-cache"])
    cli.run()
    assert ended == [1]
    assert [type(kept) for kept in cli._KEPT_TO_EXIT] == [ScanResult]
    assert any(finding.code for finding in cli._KEPT_TO_EXIT[0].findings)


def test_reports_are_written_with_the_collector_paused(project, monkeypatch):
    """Reports only allocate (120,000 objects for a 4,000-result SARIF log); a full
    collection then would walk the scan's whole model for nothing. The collector is
    paused while fix edits are resolved and every report is written, and on again after."""
    import gc

    from eksguard import cli
    from eksguard.engine import fix
    from eksguard.formatters.json import JsonFormatter
    from eksguard.formatters.sarif import SarifFormatter

    seen = []

    def recording(function):
        def call(*args, **kwargs):
            seen.append((function.__qualname__, gc.isenabled()))
            return function(*args, **kwargs)
        return call

    fixable = ROOT / "testdata" / "rules" / "nlb-target-type-instance" / "fix-external-instance.yaml"
    (project / "service.yaml").write_text(fixable.read_text())  # a finding with a fix: edits are resolved
    monkeypatch.chdir(project)
    monkeypatch.setenv("EKSGUARD_NO_CACHE", "1")  # as --no-cache sets it: undone after the test
    monkeypatch.setattr(fix, "attach_edits", recording(fix.attach_edits))
    for formatter in (SarifFormatter, JsonFormatter):
        monkeypatch.setattr(formatter, "stop", recording(formatter.stop))
    assert gc.isenabled()
    assert cli.main(["scan", ".", "-qq", "--no-config", "--no-cache", "--format", "sarif", "-o", "out.sarif",
                     "--format", "json", "-o", "out.json"]) == 1
    assert gc.isenabled()
    assert sorted(seen) == [("JsonFormatter.stop", False), ("SarifFormatter.stop", False),
                            ("attach_edits", False)]
