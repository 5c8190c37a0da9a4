"""The `github` and `junit` formats, `--format auto`, and repeatable --format/--output pairs,
through the CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eksguard.findings import Finding, Location, Related, Severity
from eksguard.formatters import Report
from eksguard.formatters.github import GithubFormatter, escape_data, escape_property
from clirun import eksguard

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = "testdata/examples"


def run(*args, cwd=ROOT, env=None):
    return eksguard(*args, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def examples_json() -> dict:
    proc = run("scan", EXAMPLES, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


# -- github -----------------------------------------------------------------------------------

def test_escaping_follows_the_runner():
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_one_annotation_per_finding(examples_json):
    proc = run("scan", EXAMPLES, "--format", "github")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    findings = examples_json["findings"]
    assert len(lines) == len(findings)
    for line, finding in zip(lines, findings):
        level = {"error": "error", "warning": "warning", "note": "notice"}[finding["severity"]]
        loc = finding["location"]
        head = (f"::{level} file={loc['path']},line={loc['line']},col={loc['column']},"
                f"{'endLine=%d,endColumn=%d,' % (loc['end_line'], loc['end_column']) if 'end_line' in loc else ''}"
                f"title={finding['code']} {finding['name']}::")
        assert line.startswith(head), (line, head)
        assert "\n" not in line and "\r" not in line


def test_properties_and_message_are_escaped(tmp_path):
    finding = Finding("EKS601", "alb-ingress-without-group", Severity.NOTE, "50% of it:\nsecond line",
                      Location("we,ird:name.yaml", 3, 5, 3, 9),
                      related=[Related(Location("other.yaml", 7, 1), "the class")])
    from eksguard.engine.runner import ScanResult

    stream = __import__("io").StringIO()
    report = Report(result=ScanResult([finding], [], None, []), version="0", cwd=tmp_path, _root=tmp_path)
    formatter = GithubFormatter(stream, report)
    formatter.start()
    formatter.handle(finding)
    formatter.stop()
    assert stream.getvalue() == (
        "::notice file=we%2Cird%3Aname.yaml,line=3,col=5,endLine=3,endColumn=9,"
        "title=EKS601 alb-ingress-without-group::50%25 of it:%0Asecond line%0Aother.yaml:7: the class\n"
    )


def test_paths_are_relative_to_the_repository_root(tmp_path):
    proc = run("scan", ".", "--format", "github", cwd=ROOT / EXAMPLES / "teams")
    assert proc.stdout.startswith("::") and "file=testdata/examples/teams/" in proc.stdout


def test_auto_is_github_under_actions_and_text_elsewhere():
    under_actions = run("scan", EXAMPLES, env={"GITHUB_ACTIONS": "true"})
    assert under_actions.stdout.startswith("::")
    plain = run("scan", EXAMPLES)
    assert not plain.stdout.startswith("::") and "Found " in plain.stdout
    explicit = run("scan", EXAMPLES, "--format", "auto", env={"GITHUB_ACTIONS": "true"})
    assert explicit.stdout == under_actions.stdout


def test_auto_to_a_file_is_text_even_under_actions(tmp_path):
    out = tmp_path / "report.txt"
    run("scan", EXAMPLES, "--output", str(out), env={"GITHUB_ACTIONS": "true"})
    text = out.read_text()
    assert "Found " in text and not any(line.startswith("::") for line in text.splitlines())


# -- junit ------------------------------------------------------------------------------------

def test_junit_is_one_testcase_per_rule_and_file(examples_json):
    proc = run("scan", EXAMPLES, "--format", "junit")
    assert proc.returncode == 1
    root = ET.fromstring(proc.stdout)
    assert root.tag == "testsuites" and root.get("name") == "eksguard"
    expected = {(f["code"], f["location"]["path"]) for f in examples_json["findings"]}
    failing = set()
    total_tests = total_failures = 0
    for suite in root.findall("testsuite"):
        code = suite.get("name").split()[0]
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        failures = [c for c in cases if c.find("failure") is not None]
        assert int(suite.get("failures")) == len(failures)
        total_tests += len(cases)
        total_failures += len(failures)
        for case in cases:
            assert case.get("classname") == f"eksguard.{code}"
            failure = case.find("failure")
            if failure is None:
                assert case.get("name") == "all scanned files" and len(cases) == 1
                continue
            failing.add((code, case.get("file")))
            assert case.get("name") == case.get("file")
            assert failure.get("type") in ("error", "warning", "note")
            assert failure.get("message").startswith(case.get("file") + ":")
            assert code in failure.text
    assert failing == expected
    assert int(root.get("tests")) == total_tests and int(root.get("failures")) == total_failures == len(expected)


def test_junit_survives_odd_characters(tmp_path):
    from eksguard.engine.runner import ScanResult
    from eksguard.formatters.junit import JunitFormatter

    finding = Finding("EKS001", "parse-error", Severity.ERROR, "bad \x00 byte <&> \"q\"", Location("a&b.yaml", 1, 1))
    stream = __import__("io").StringIO()
    formatter = JunitFormatter(stream, Report(result=ScanResult([finding], [], None, []), version="0",
                                              cwd=tmp_path, _root=tmp_path))
    formatter.start()
    formatter.handle(finding)
    formatter.stop()
    case = ET.fromstring(stream.getvalue()).find("testsuite/testcase")
    assert case.get("file") == "a&b.yaml"
    assert "<&>" in case.find("failure").text


# -- --format/--output pairs --------------------------------------------------------------------

def test_pairs_write_every_report(tmp_path, examples_json):
    sarif, junit, js = tmp_path / "a.sarif", tmp_path / "r.xml", tmp_path / "r.json"
    proc = run("scan", EXAMPLES, "--format", "sarif", "--output", str(sarif), "--format", "github",
               "-f", "junit", "-o", str(junit), "--format", "json", "--output", str(js))
    assert proc.returncode == 1, proc.stderr
    n = len(examples_json["findings"])
    assert len(json.loads(sarif.read_text())["runs"][0]["results"]) == n
    assert len(proc.stdout.splitlines()) == n and proc.stdout.startswith("::")
    assert ET.parse(junit).getroot().tag == "testsuites"
    assert json.loads(js.read_text())["findings"] == examples_json["findings"]


def test_single_format_and_output_pair_in_either_order(tmp_path):
    out = tmp_path / "r.json"
    assert run("scan", EXAMPLES, "--output", str(out), "--format", "json").returncode == 1
    assert json.loads(out.read_text())["tool"] == "eksguard"


def test_output_dash_is_stdout(tmp_path):
    proc = run("scan", EXAMPLES, "-f", "json", "-o", "-", "-f", "sarif", "-o", str(tmp_path / "x.sarif"))
    assert json.loads(proc.stdout)["tool"] == "eksguard"


@pytest.mark.parametrize(("args", "message"), [
    (["-f", "text", "-f", "json"], "all go to standard output"),
    (["-o", "a.json", "-o", "b.json", "-f", "json"], "must follow the --format"),
    (["-f", "json", "-o", "a.json", "-o", "b.json", "-f", "text"], "must follow the --format"),
    (["-f", "json", "-o", "same.out", "-f", "sarif", "-o", "same.out"], "same --output"),
    (["-f", "nope"], "unknown format 'nope'"),
])
def test_pairs_that_do_not_pair_are_usage_errors(tmp_path, args, message):
    proc = run("scan", str(ROOT / EXAMPLES), *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing written before the error


def test_repository_paths_resolve_links_with_one_realpath_per_folder(tmp_path, monkeypatch):
    """Every CI format names files by their path in the repository, links resolved, as
    ``Path.resolve()`` would; with one ``realpath`` per folder (and per link or missing
    file), not one per file: the Action's reports name thousands of files."""
    import os

    from eksguard.formatters import _paths

    root = tmp_path / "repo"
    (root / "k8s" / "sub").mkdir(parents=True)
    for name in ("a.yaml", "b.yaml", "sub/c.yaml"):
        (root / "k8s" / name).write_text("")
    (tmp_path / "outside.yaml").write_text("")
    (root / "k8s" / "link.yaml").symlink_to(root / "k8s" / "sub" / "c.yaml")
    (root / "k8s" / "out.yaml").symlink_to(tmp_path / "outside.yaml")
    (root / "folder-link").symlink_to(root / "k8s" / "sub")
    displays = ["k8s/a.yaml", "k8s/b.yaml", "k8s/sub/c.yaml", "k8s/link.yaml", "k8s/out.yaml",
                "folder-link/c.yaml", "k8s/sub/../a.yaml", "k8s/gone.yaml", str(root / "k8s" / "b.yaml"),
                "../outside.yaml", "."]
    for n in range(30):
        (root / "k8s" / f"many-{n}.yaml").write_text("")
        displays.append(f"k8s/many-{n}.yaml")

    def expected(display):
        try:
            return (Path(display) if Path(display).is_absolute() else root / display).resolve() \
                .relative_to(root.resolve()).as_posix()
        except ValueError:
            return None

    want = [expected(display) for display in displays]
    _paths.in_repository.cache_clear()
    monkeypatch.setattr(_paths, "_REAL_FOLDERS", {})
    calls = []
    real = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda path, **kw: calls.append(path) or real(path, **kw))
    got = [_paths.in_repository(display, root, root) for display in displays]
    assert got == want
    assert got[3] == "k8s/sub/c.yaml" and got[4] is None and got[5] == "k8s/sub/c.yaml"
    # one per folder (repo/k8s, repo/k8s/sub, repo/folder-link, repo/k8s/sub/.., repo/..),
    # per link (2), for the missing file, for "." and for the root: 10 for 41 paths
    assert len(calls) == 10
    _paths.in_repository.cache_clear()


# -- json and sarif are streamed, finding by finding -----------------------------------------

NLB = """apiVersion: v1
kind: Service
metadata:
  name: {name}
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: external
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: instance{comment}
spec:
  type: LoadBalancer
"""


@pytest.mark.parametrize("services", [
    [],  # nothing to report
    [("open", "")],  # findings only
    [("kept", "  # eksguard: ignore[EKS603] brokers need client IPs")],  # suppressed only
    [("open", ""), ("kept", "  # eksguard: ignore[EKS603] brokers need client IPs")],
], ids=["none", "findings", "suppressed", "both"])
@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_streamed_reports_are_what_one_dump_of_the_whole_writes(tmp_path, services, fmt):
    """Each finding (JUnit: each rule's suite) is encoded and written in turn (the whole
    document in memory added ~95 MiB per report to the Action's peak on 20,000 files);
    the bytes are those of one json.dumps() of the whole (JSON indented by two, SARIF
    compact), or of one ET.tostring() of the whole indented tree."""
    (tmp_path / "svc.yaml").write_text("---\n".join(NLB.format(name=n, comment=c) for n, c in services) or "{}\n")
    proc = run("scan", ".", "--format", fmt, "--no-config", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    if fmt == "junit":
        declaration, _, body = proc.stdout.partition("\n")
        assert ET.tostring(ET.fromstring(body), encoding="unicode") + "\n" == body
        failing = [case for case in ET.fromstring(body).iter("testcase") if case.find("failure") is not None]
        assert len(failing) == (1 if any(not c for _, c in services) else 0)
        return
    document = json.loads(proc.stdout)
    whole = json.dumps(document, indent=2) if fmt == "json" else json.dumps(document, separators=(",", ":"))
    assert proc.stdout == whole + "\n"
    results = document["findings"] + document["suppressed"] if fmt == "json" else document["runs"][0]["results"]
    assert len(results) == len(services)


def _formatted_with_peak(formatter_cls, count: int, tmp_path) -> tuple[int, int]:
    """Characters written, and traced peak bytes beyond them, of ``formatter_cls`` over
    ``count`` findings of 100 rules with related places, in 20 files (a report's memo
    of each path's place in the repository grows with the files, not the findings)."""
    import io
    import tracemalloc

    from eksguard.engine.parallel import collector_paused
    from eksguard.engine.runner import ScanResult

    findings = [Finding(f"EKS{i % 100:03d}", "some-rule", Severity.WARNING, f"finding {i} " + "x" * 200,
                        Location(f"teams/app-{i % 20}/svc.yaml", i + 1, 5),
                        related=[Related(Location(f"teams/app-{i % 20}/other.yaml", j + 1, 1), f"place {j}")
                                 for j in range(5)])
                for i in range(count)]
    stream = io.StringIO()
    report = Report(result=ScanResult(findings, [], None, []), version="0", cwd=tmp_path, _root=tmp_path)
    formatter = formatter_cls(stream, report)
    formatter.start()
    for finding in findings:
        formatter.handle(finding)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        with collector_paused():  # as the CLI writes reports: what cycles stays
            formatter.stop()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return len(stream.getvalue()), peak - len(stream.getvalue())


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_a_report_holds_one_finding_at_a_time_not_the_document(tmp_path, fmt):
    """What writing a report allocates beyond the text it writes (kept by the StringIO
    here) stays about the same for 100 findings and for 2,000 (JUnit: a rule's suite at
    a time): built whole, the
    document's dicts and its string grew with the findings, as did a reference cycle
    per finding from json.dumps(indent=2) with the collector paused."""
    from eksguard.formatters.json import JsonFormatter
    from eksguard.formatters.junit import JunitFormatter
    from eksguard.formatters.sarif import SarifFormatter

    cls = {"json": JsonFormatter, "sarif": SarifFormatter, "junit": JunitFormatter}[fmt]
    _, small = _formatted_with_peak(cls, 100, tmp_path)
    written, large = _formatted_with_peak(cls, 2000, tmp_path)
    assert large < small + written // 4, (small, large, written)



@settings(max_examples=400, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=20),
       st.sampled_from(["", "    "]))
def test_indented_is_json_dumps_with_indent_two(value, indent):
    """The JSON report's writer of one finding (no reference cycle per call) writes what
    json.dumps(indent=2) does, at any depth: escapes, empty containers, numbers."""
    from eksguard.formatters.json import indented

    assert indented(value, indent) == json.dumps(value, indent=2).replace("\n", "\n" + indent)
