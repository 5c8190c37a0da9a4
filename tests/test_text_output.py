"""The human text report through the CLI: source lines with carets, grouping by file,
the summary, ``--quiet``/``-qq``, ``--statistics``, ``--verbose`` and the progress line."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from eksguard.findings import Location
from eksguard.formatters._snippet import snippet
from eksguard.progress import Progress
from clirun import eksguard

FINDING = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+): (?P<code>EKS\d{3}) ")


def deployment(name: str, replicas: int = 3, comment: str = "") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment{comment}
metadata: {{name: {name}, namespace: shop}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: {name}, image: nginx}}]}}
"""


PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api, namespace: shop}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: api}}
"""


def run(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return eksguard("scan", "--color", "never", *args, cwd=cwd, stdin=stdin)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "b.yaml").write_text(deployment("web") + "---\n" + deployment("worker"))
    (tmp_path / "a.yaml").write_text(deployment("api", replicas=2) + "---\n" + PDB)
    return tmp_path


def test_findings_grouped_by_file_each_with_its_line(project):
    out = run(project, ".").stdout
    heads = [m.group(0) for m in map(FINDING.match, out.splitlines()) if m]
    assert [h.split(":")[0] for h in heads] == ["a.yaml", "b.yaml", "b.yaml"]
    blocks = out.split("\n\n")
    assert len(blocks) == 4  # three findings and the summary, a blank line between
    assert blocks[1] == (
        "b.yaml:2:1: EKS406 [warning] Deployment shop/web runs 3 replicas and no PodDisruptionBudget in namespace "
        "shop selects its pods (app=web)\n"
        "   |\n"
        " 2 | kind: Deployment\n"
        "   | ^^^^\n"
        "   = a.yaml:12:1: PodDisruptionBudget api in this namespace does not select these pods"
    )
    assert blocks[0].splitlines()[1:] == [  # the gutter widens with the line number
        "    |",
        " 15 |   minAvailable: 2",
        "    |   ^^^^^^^^^^^^",
        "    = a.yaml:2:1: Deployment shop/api runs the selected pods",
    ]
    assert blocks[3] == ("2 fixable with --fix --unsafe-fixes.\n"  # the EKS406 PDBs
                         "Found 3 problems (3 warnings) in 2 of 2 files.\n")


def test_caret_spans_the_token_and_columns_survive_tabs_and_odd_characters(tmp_path):
    line = '\tkey:  "a\x1b[31mred"  # c'
    shown = snippet(Location("x", 7, 8), line, lambda text, _: text, "")
    assert shown[1] == ' 7 |     key:  "a\ufffd[31mred"  # c'  # a tab is 4 columns, ESC is shown as one
    assert shown[2] == "   |           ^^^^^^^^^^^"
    exact = snippet(Location("x", 7, 2, end_line=7, end_column=5), line, lambda text, _: text, "")
    assert exact[2] == "   |     ^^^"


def test_long_lines_are_cut_around_the_column():
    line = "x" * 300 + " key: value " + "y" * 300
    shown = snippet(Location("x", 1, 302), line, lambda text, _: text, "")
    assert shown[1].startswith(" 1 | …") and shown[1].endswith("…")
    assert len(shown[1]) < 180
    caret = shown[2].index("^")
    assert shown[1][caret:caret + 3] == "key"


def test_no_source_line_for_stdin_or_unreadable_files(project):
    out = run(project, "-", stdin=deployment("web")).stdout
    assert out.splitlines()[:2] == [out.splitlines()[0], ""]
    assert "|" not in out


def test_hostile_source_lines_cannot_drive_the_terminal(tmp_path):
    (tmp_path / "up.sh").write_text("#!/bin/sh\naws eks update-addon --cluster-name prod --addon-name coredns "
                                    "--resolve-conflicts OVERWRITE # \x1b]0;pwned\x07 \u202e\n")
    out = run(tmp_path, ".").stdout
    assert out.startswith("up.sh:2:83: EKS501 ")
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "--resolve-conflicts OVERWRITE # \ufffd]0;pwned\ufffd \ufffd\n" in out


def test_helm_findings_show_the_template_line(tmp_path):
    from renderers import helm_engine, require

    require(helm_engine() is not None, "a Helm engine (helm or helm-python-sdk)")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("replicas: 3\n")
    (chart / "templates" / "web.yaml").write_text(
        "{{- /* the web tier */}}\n" + deployment("web").replace("replicas: 3", "replicas: {{ .Values.replicas }}"))
    out = run(tmp_path, "chart").stdout
    assert out.splitlines()[:4][1:] == ["   |", " 3 | kind: Deployment", "   | ^^^^"]
    assert out.startswith("chart/templates/web.yaml:3:1: EKS406 ")


def test_quiet_and_very_quiet(project):
    normal = run(project, ".")
    quiet = run(project, ".", "-q")
    assert quiet.returncode == normal.returncode == 1
    assert quiet.stdout == normal.stdout.rsplit("\n\n", 1)[0] + "\n"  # everything but the summary
    assert quiet.stderr == ""
    silent = run(project, ".", "-qq", "--format", "json", "--output", "report.json")
    assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")
    assert (project / "report.json").read_text().startswith("{")
    assert run(project, ".", "-qq").stdout == ""
    assert run(project, "a.yaml", "-q", "--fail-on", "error").returncode == 0


def test_statistics(project):
    result = run(project, ".", "--statistics")
    assert result.stdout.splitlines() == [  # most frequent first
        "2  EKS406  warning  workload-without-pdb",
        "1  EKS407  warning  pdb-blocks-eviction",
        "2 fixable with --fix --unsafe-fixes.",
        "Found 3 problems (3 warnings) in 2 of 2 files.",
    ]
    assert run(project, ".", "--statistics", "-q").stdout.splitlines()[-1] == "1  EKS407  warning  pdb-blocks-eviction"


def test_verbose_ends_with_the_slowest_phase(project):
    result = run(project, ".", "--verbose")
    assert re.fullmatch(r"Slowest phase: (discover|parse|rules), \d+ ms of \d+ ms\.", result.stdout.splitlines()[-1])
    assert result.stdout.splitlines()[-2].startswith("Found 3 problems")
    assert "discover" in result.stderr  # the per-phase timings stay on stderr


def test_progress_only_after_a_while_and_cleared():
    stream = io.StringIO()
    progress = Progress(stream, delay=3600)
    progress(1, 10, "a.yaml")
    progress.close()
    assert stream.getvalue() == ""  # a short scan never draws
    progress = Progress(stream, delay=0, interval=0)
    progress(1, 10, "charts/bill\x1bing")
    assert stream.getvalue() == "\r\x1b[2Keksguard: reading 1/10 charts/bill?ing"
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[2K")


def test_no_progress_when_stderr_is_not_a_terminal(project):
    assert run(project, ".").stderr == ""


def test_source_lines_read_a_big_file_only_as_far_as_needed(tmp_path):
    """A file refused for its size is reported at line 1: showing that line reads the
    first MiB, not the whole file; a finding further down reads on."""
    from eksguard.findings import Location
    from eksguard.formatters._snippet import SourceLines

    rows = [f"key{i}: {'x' * 60}" for i in range(60_000)]  # ~4 MiB
    (tmp_path / "big.yaml").write_text("\n".join(rows) + "\n")
    lines = SourceLines(tmp_path)
    assert lines.line(Location("big.yaml", 1, 1)) == rows[0]
    read, whole = lines.files["big.yaml"]
    assert not whole and len(read) < 20_000
    assert lines.line(Location("big.yaml", 59_999, 1)) == rows[59_998]
    assert lines.files["big.yaml"][1]
    assert lines.line(Location("big.yaml", 60_002, 1)) is None
