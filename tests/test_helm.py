"""Helm charts rendered by the real engine (``helm`` on PATH or helm-python-sdk).

Charts live in ``testdata/charts/``. Tests that render skip when no engine is
installed, and fail instead under CI (``CI=true``), where .ci/run installs the
``helm`` extra. Positions are pinned exactly: findings point into the template file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from eksguard.adapters.helm import _Chart, _classify, split_helm_output
from eksguard.adapters.helm_lines import template_line_map
from renderers import has_sdk, helm_engine, hits, require, run, write

ROOT = Path(__file__).resolve().parent.parent
CHARTS = ROOT / "testdata" / "charts"


@pytest.fixture
def engine():
    require(helm_engine() is not None, "a Helm engine (helm or helm-python-sdk)")




# -- rendering and positions ----------------------------------------------------------

def test_replicated_deployment_without_pdb_points_into_its_template(engine, plugins, rules):
    result = run(plugins, rules, "testdata/charts/billing-api")
    [finding] = [f for f in result.findings if f.code == "EKS406"]
    assert (finding.location.path, finding.location.line, finding.location.column) == (
        "testdata/charts/billing-api/templates/deployment.yaml", 2, 1)
    assert finding.location.template == "billing-api/templates/deployment.yaml"
    assert "runs 3 replicas" in finding.message
    [deployment] = result.platform.kinds("Deployment")
    assert deployment.origin.format == "helm-chart"
    assert deployment.name == "release-name-billing-api"


def test_helm_set_changes_the_values(engine, plugins, rules):
    result = run(plugins, rules, "testdata/charts/billing-api", helm_set=["replicaCount=1"])
    assert hits(result, "EKS406") == []
    assert [d.get("spec", "replicas") for d in result.platform.kinds("Deployment")] == [1]


def test_helm_values_file(engine, plugins, rules):
    values = CHARTS / "billing-api" / "values-prod.yaml"
    result = run(plugins, rules, "testdata/charts/billing-api", helm_values=[str(values)])
    assert hits(result, "EKS406") == []
    [pdb] = result.platform.kinds("PodDisruptionBudget")
    assert pdb.kind_location().path == "testdata/charts/billing-api/templates/pdb.yaml"
    assert pdb.kind_location().line == 3


def test_values_files_then_sets_later_wins(engine, plugins, rules, tmp_path):
    first = write(tmp_path, {"a.yaml": "replicaCount: 5\nimage: {tag: '9.9'}\n"}) / "a.yaml"
    second = write(tmp_path, {"b.yaml": "replicaCount: 4\n"}) / "b.yaml"
    result = run(plugins, rules, "testdata/charts/billing-api",
                 helm_values=[str(first), str(second)], helm_set=["image.tag=10.0"])
    [deployment] = result.platform.kinds("Deployment")
    assert deployment.get("spec", "replicas") == 4
    assert deployment.get("spec", "template", "spec", "containers", 0, "image").endswith(":10.0")


def test_positions_map_key_by_key_into_the_template(engine, plugins, rules):
    result = run(plugins, rules, "testdata/charts/billing-api", helm_set=["ingress.targetType=instance"])
    template = "testdata/charts/billing-api/templates/"
    assert hits(result, "EKS602") == [(template + "ingress.yaml", 12, 5, "EKS602")]
    [deployment] = result.platform.kinds("Deployment")

    def at(location):
        return location.path.removeprefix(template), location.line, location.column

    containers = ("spec", "template", "spec", "containers")
    assert at(deployment.location("spec", "replicas")) == ("deployment.yaml", 8, 3)
    assert at(deployment.value_location("spec", "replicas")) == ("deployment.yaml", 8, 13)  # the {{ action
    assert at(deployment.location(*containers, 0, "image")) == ("deployment.yaml", 19, 11)
    assert at(deployment.location(*containers, 0, "ports", 0, "containerPort")) == ("deployment.yaml", 22, 15)
    # Keys an action generated map to their nearest literal ancestor.
    assert at(deployment.location(*containers, 0, "resources", "requests", "cpu")) == ("deployment.yaml", 24, 11)
    assert at(deployment.location("metadata", "labels", "helm.sh/chart")) == ("deployment.yaml", 5, 3)
    [ingress] = result.platform.kinds("Ingress")
    group = ("metadata", "annotations", "alb.ingress.kubernetes.io/group.name")
    assert at(ingress.location(*group)) == ("ingress.yaml", 10, 5)
    assert ingress.location(*group).template == "billing-api/templates/ingress.yaml"


def test_subcharts_render_with_their_parent(engine, plugins, rules):
    result = run(plugins, rules, "testdata/charts/platform-stack")
    assert hits(result, "EKS406") == [
        ("testdata/charts/platform-stack/charts/metrics-gateway/templates/deployment.yaml", 2, 1, "EKS406"),
        ("testdata/charts/platform-stack/charts/queue-worker/templates/statefulset.yaml", 2, 1, "EKS406"),
    ]
    templates = {f.location.template for f in result.findings if f.code == "EKS406"}
    # Helm names an aliased subchart by its alias; the file is found by its name.
    assert templates == {"platform-stack/charts/gateway/templates/deployment.yaml",
                         "platform-stack/charts/queue-worker/templates/statefulset.yaml"}
    quiet = run(plugins, rules, "testdata/charts/platform-stack",
                helm_set=["queue-worker.replicas=1", "gateway.enabled=false"])
    assert hits(quiet, "EKS406") == []
    assert [d.name for d in quiet.platform.kinds("Deployment")] == []


def test_cli_passes_values_and_checks_them(engine, tmp_path):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "eksguard", "scan", "testdata/charts/billing-api",
                               "--format", "json", *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)

    def codes(proc):
        return sorted(f["code"] for f in json.loads(proc.stdout)["findings"])

    assert "EKS406" in codes(cli())
    assert "EKS406" not in codes(cli("--helm-set", "replicaCount=1"))
    assert "EKS406" not in codes(cli("--helm-values", "testdata/charts/billing-api/values-prod.yaml"))
    for bad in (["--helm-values", "nope.yaml"], ["--helm-set", "replicaCount"], ["--render-timeout", "0"]):
        proc = cli(*bad)
        assert proc.returncode == 2 and proc.stdout == "", bad
        assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("eksguard: error:"), proc.stderr


# -- charts that do not render --------------------------------------------------------

def test_charts_that_fail_to_render_are_findings_and_the_scan_goes_on(engine):
    proc = subprocess.run(
        [sys.executable, "-m", "eksguard", "scan", "testdata/charts", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_COLOR": "1", "EKSGUARD_DEBUG": "1"},
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    found = {(f["location"]["path"], f["location"]["line"], f["location"]["column"], f["code"])
             for f in json.loads(proc.stdout)["findings"]}
    assert ("testdata/charts/broken-template/templates/configmap.yaml", 6, 1, "EKS001") in found
    assert ("testdata/charts/required-value/templates/serviceaccount.yaml", 6, 35, "EKS002") in found
    assert ("testdata/charts/billing-api/templates/deployment.yaml", 2, 1, "EKS406") in found


def test_an_unclosed_action_points_at_its_opener(engine, plugins, rules, tmp_path):
    """Go's parser reports an unclosed ``{{`` where the file ends (a line past the last);
    the finding points at the ``{{`` instead."""
    write(tmp_path, {
        "syn/Chart.yaml": "apiVersion: v2\nname: syn\nversion: 0.1.0\n",
        "syn/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.a\n",
    })
    [finding] = run(plugins, rules, "syn", cwd=tmp_path).findings
    where = finding.location
    assert (finding.code, where.path, where.line, where.column) == ("EKS001", "syn/templates/cm.yaml", 6, 6)


def test_missing_dependency_is_eks002_naming_dependency_build(plugins, rules, tmp_path):
    """No engine needed: the chart is refused before rendering, as Helm would."""
    write(tmp_path, {
        "web/Chart.yaml": """\
            apiVersion: v2
            name: web
            version: 0.1.0
            dependencies:
              - name: postgresql
                version: 15.x.x
                repository: https://charts.bitnami.com/bitnami
            """,
        "web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    })
    result = run(plugins, rules, "web", cwd=tmp_path)
    [finding] = result.findings
    assert (finding.code, finding.location.path, finding.location.line, finding.location.column) == (
        "EKS002", "web/Chart.yaml", 5, 5)
    assert "`helm dependency build web`" in finding.message


def test_render_time_is_bounded(engine, plugins, rules, tmp_path):
    write(tmp_path, {
        "slow/Chart.yaml": "apiVersion: v2\nname: slow\nversion: 0.1.0\n",
        "slow/templates/cm.yaml": "{{- range until 1000000000 }}{{ end }}\napiVersion: v1\nkind: ConfigMap\n",
        "plain.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 2}\n",
    })
    result = run(plugins, rules, ".", cwd=tmp_path, render_timeout=1)
    assert hits(result) == [("plain.yaml", 2, 1, "EKS406"), ("slow/Chart.yaml", 1, 1, "EKS002")]
    [note] = [f for f in result.findings if f.code == "EKS002"]
    assert "longer than 1 s" in note.message


def test_without_a_renderer_the_chart_is_one_eks002_with_the_command(plugins, rules):
    result = run(plugins, rules, "testdata/charts/billing-api", helm_renderer="none")
    [finding] = result.findings
    assert (finding.code, finding.location.path, finding.location.line) == (
        "EKS002", "testdata/charts/billing-api/Chart.yaml", 1)
    assert "`helm template testdata/charts/billing-api | eksguard scan -`" in finding.message


def test_the_eks002_command_carries_the_scan_values(plugins, rules, monkeypatch):
    monkeypatch.chdir(ROOT)  # -f files are shown relative to the working folder
    values = str(ROOT / "testdata" / "charts" / "billing-api" / "values.yaml")
    result = run(plugins, rules, "testdata/charts/billing-api", helm_renderer="none",
                 helm_values=[values], helm_set=["replicaCount=3", "image.tag=v 2"])
    [finding] = result.findings
    assert ("`helm template testdata/charts/billing-api -f testdata/charts/billing-api/values.yaml "
            "--set replicaCount=3 --set 'image.tag=v 2' | eksguard scan -`") in finding.message


@pytest.mark.parametrize("args, error", [
    (["--helm-set", "x=1,y"], "--helm-set x=1,y: expected KEY=VALUE[,KEY=VALUE...]; 'y' has no value"),
    (["--helm-set", "a.b[=1"], "--helm-set a.b[=1: 'a.b[' is not a Helm value path"),
    (["--helm-values", "broken.yaml"], "--helm-values broken.yaml: not valid YAML (line 2, column 1"),
    (["--helm-values", "list.yaml"], "--helm-values list.yaml: the values must be a YAML mapping"),
])
def test_malformed_helm_values_are_usage_errors(tmp_path, args, error):
    """Helm's engine in helm-python-sdk drops a --set it cannot parse without a word:
    the typo is the user's, so it is exit 2 before anything renders."""
    from clirun import eksguard

    write(tmp_path, {"broken.yaml": "a: [1\n", "list.yaml": "- 1\n", "k.yaml": "kind: ConfigMap\n"})
    done = eksguard("scan", "k.yaml", "--no-config", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert error in done.stderr


def test_well_formed_set_expressions_pass():
    from eksguard.adapters.helm_values import check_set_expression

    for expression in ("a=1", "a.b[0].c=1,d=2", r"a\.b=1", r"x=a\,b", "tags[1]=x", "empty="):
        assert check_set_expression(expression) is None, expression


def test_library_chart_renders_nothing(plugins, rules, tmp_path):
    write(tmp_path, {
        "lib/Chart.yaml": "apiVersion: v2\nname: lib\ntype: library\nversion: 0.1.0\n",
        "lib/templates/_x.tpl": '{{- define "x" }}y{{ end }}\n',
    })
    assert run(plugins, rules, "lib", cwd=tmp_path).findings == []


def test_broken_chart_yaml_is_eks001(plugins, rules, tmp_path):
    write(tmp_path, {"bad/Chart.yaml": "apiVersion: v2\nname: [bad\n"})
    [finding] = run(plugins, rules, "bad", cwd=tmp_path).findings
    assert (finding.code, finding.location.path, finding.location.line) == ("EKS001", "bad/Chart.yaml", 3)


# -- the helm binary ------------------------------------------------------------------

FAKE_HELM = """\
#!{python}
# A stand-in for `helm template`: records how it was called, renders with the SDK and
# prints what helm prints (one `---` / `# Source:` block per document).
import json, os, sys
import helm_python as helm
with open({log!r}, "w") as log:
    json.dump({{"argv": sys.argv[1:], "env": dict(os.environ), "plugins": os.listdir(os.environ["HELM_PLUGINS"])}}, log)
args = sys.argv[1:]
values = {{}}
for flag, value in zip(args, args[1:]):
    if flag == "--set":
        values.update(helm.parse_set_string(value))
chart_dir = args[2]
with helm.Chart.load(chart_dir) as chart:
    try:
        out = chart.render(values, name=args[1], namespace="default")
    except helm.HelmError as exc:
        print("Error: " + str(exc).replace(chr(10), " "), file=sys.stderr)
        sys.exit(1)
for name, text in sorted(out.items()):
    if name.endswith("NOTES.txt") or not text.strip():
        continue
    for doc in text.split(chr(10) + "---" + chr(10)):
        if doc.strip():
            print("---" + chr(10) + "# Source: " + name + chr(10) + doc.strip(chr(10)))
"""


def test_helm_binary_on_path_is_used_sandboxed(plugins, rules, tmp_path, monkeypatch):
    require(has_sdk(), "helm-python-sdk (the stand-in helm binary renders with it)")
    log = tmp_path / "call.json"
    fake = tmp_path / "bin" / "helm"
    fake.parent.mkdir()
    fake.write_text(FAKE_HELM.format(python=sys.executable, log=str(log)))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HELM_PLUGINS", str(tmp_path / "user-plugins"))
    values = CHARTS / "billing-api" / "values-prod.yaml"
    result = run(plugins, rules, "testdata/charts/billing-api", helm_renderer="binary",
                 helm_set=["ingress.targetType=instance"], helm_values=[str(values)])
    call = json.loads(log.read_text())
    assert call["argv"][:2] == ["template", "release-name"]
    assert call["argv"][2] == str((CHARTS / "billing-api").resolve())
    assert call["argv"][3:] == ["--namespace", "default", "--values", str(values), "--set", "ingress.targetType=instance"]
    env = call["env"]
    assert env["HELM_PLUGINS"] != str(tmp_path / "user-plugins") and call["plugins"] == []
    assert env["HTTPS_PROXY"] == "http://127.0.0.1:9"
    assert hits(result, "EKS602") == [("testdata/charts/billing-api/templates/ingress.yaml", 12, 5, "EKS602")]


def test_helm_binary_errors_keep_their_position(plugins, rules, tmp_path, monkeypatch):
    require(has_sdk(), "helm-python-sdk (the stand-in helm binary renders with it)")
    fake = tmp_path / "bin" / "helm"
    fake.parent.mkdir()
    fake.write_text(FAKE_HELM.format(python=sys.executable, log=str(tmp_path / "call.json")))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    result = run(plugins, rules, "testdata/charts/required-value", helm_renderer="binary")
    assert hits(result) == [("testdata/charts/required-value/templates/serviceaccount.yaml", 6, 35, "EKS002")]


@pytest.mark.parametrize("message, expected", [
    ('template: web/templates/d.yaml:8:20: executing "web/templates/d.yaml" at <.Values.x.y>: nil pointer '
     'evaluating interface {}.y', ("EKS002", "web/templates/d.yaml", 8, 20)),
    ("parse error at (web/templates/d.yaml:4): function \"nope\" not defined", ("EKS001", "web/templates/d.yaml", 4, 1)),
    ("execution error at (web/templates/d.yaml:3:11): name is required", ("EKS002", "web/templates/d.yaml", 3, 11)),
    ("YAML parse error on web/templates/d.yaml: error converting YAML to JSON: yaml: line 5: mapping values "
     "are not allowed in this context", ("EKS001", "web/templates/d.yaml", 1, 1)),
    ("An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to "
     "fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: redis",
     ("EKS002", "web/Chart.yaml", 1, 1)),
    ("cannot load values.yaml: error converting YAML to JSON: yaml: line 3: did not find expected key",
     ("EKS001", "web/values.yaml", 3, 1)),
    ("something unexpected", ("EKS002", "web/Chart.yaml", 1, 1)),
])
def test_helm_error_messages_are_classified_with_positions(tmp_path, message, expected):
    write(tmp_path, {"web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
                     "web/values.yaml": "a: 1\n", "web/templates/d.yaml": "kind: x\n"})
    code, location, text = _classify(message, _Chart(tmp_path / "web", "web"), "web")
    assert (code, location.path, location.line, location.column) == expected
    assert text


def test_split_helm_output_groups_documents_by_template():
    text = ("---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/templates/b.yaml\nkind: B\n"
            "---\n# Source: web/templates/a.yaml\nkind: A2\n")
    assert split_helm_output(text) == [("web/templates/a.yaml", "kind: A\n---\nkind: A2\n"),
                                       ("web/templates/b.yaml", "kind: B\n")]


# -- the line map, engine-free ----------------------------------------------------------

TEMPLATE = """\
{{- range .Values.queues }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .name }}
  labels:
    {{- include "labels" $ | nindent 4 }}
data:
  {{- if .fifo }}
  mode: fifo
  {{- else }}
  mode: standard
  {{- end }}
  config.yaml: |
    retries: 3
  {{- toYaml .extra | nindent 2 }}
{{- end }}
"""

RENDERED = """\
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: orders
  labels:
    app: queues
data:
  mode: standard
  config.yaml: |
    retries: 3
  extra: "1"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: refunds
  labels:
    app: queues
data:
  mode: fifo
  config.yaml: |
    retries: 3
"""


def test_line_map_matches_keys_by_path_and_text():
    lines = template_line_map(RENDERED, TEMPLATE, "t.yaml")

    def line(n: int) -> int:
        return lines.at((n, 1))[1]

    assert [line(n) for n in (2, 3, 5, 7)] == [3, 4, 6, 7]  # document one, literal keys
    assert line(9) == 13  # `mode: standard` is the else branch
    assert line(10) == 15 and line(11) == 15  # a block scalar and its content
    assert line(12) == 9  # from toYaml: its nearest literal ancestor, `data:`
    assert [line(n) for n in (15, 17, 19)] == [4, 6, 7]  # the range repeats
    assert line(21) == 11  # `mode: fifo`
    assert lines.at((5, 9)) == ("t.yaml", 6, 9)  # a value keeps its offset from the key
    assert template_line_map("kind: X\n", None, "t.yaml").at((1, 1)) == ("t.yaml", 1, 1)


def test_yaml_only_scans_do_not_load_the_renderers():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "eksguard", "scan", "testdata/rules/workload-without-pdb"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert imported and not [m for m in imported if "helm" in m or "kustomize" in m or m.endswith(".render")]


# -- the parse cache ------------------------------------------------------------------

def _chart(tmp_path) -> Path:
    import shutil

    chart = tmp_path / "repo" / "billing-api"
    shutil.copytree(CHARTS / "billing-api", chart)
    return chart


def _outcome(result):
    return [(f.code, str(f.location), f.location.template, f.message) for f in result.findings]


def test_a_chart_is_rendered_again_only_when_it_or_the_scan_values_change(engine, plugins, rules, renders,
                                                                          tmp_path):
    """A render (a Go engine in a child process, 0.1 s or more) is kept in the parse
    cache under the chart's files, the values files' content and the engine: a second
    scan renders nothing and reports the same, and each change renders once more."""
    chart = _chart(tmp_path)
    repo = chart.parent
    first = run(plugins, rules, ".", cwd=repo)
    assert len(renders) == 1 and hits(first, "EKS406")
    again = run(plugins, rules, ".", cwd=repo)
    assert len(renders) == 1
    assert _outcome(again) == _outcome(first)
    assert [d.origin.lines.at((2, 1)) for d in again.platform.kinds("Deployment")] == \
        [d.origin.lines.at((2, 1)) for d in first.platform.kinds("Deployment")]

    values = chart / "values.yaml"
    values.write_text(values.read_text().replace("replicaCount: 3", "replicaCount: 1"))
    changed = run(plugins, rules, ".", cwd=repo)
    assert len(renders) == 2 and hits(changed, "EKS406") == []

    extra = tmp_path / "extra-values.yaml"  # outside the chart: its content keys the render too
    extra.write_text("replicaCount: 2\n")
    assert hits(run(plugins, rules, ".", cwd=repo, helm_values=[str(extra)]), "EKS406")
    assert len(renders) == 3
    extra.write_text("replicaCount: 1\n")
    assert hits(run(plugins, rules, ".", cwd=repo, helm_values=[str(extra)]), "EKS406") == []
    assert len(renders) == 4
    run(plugins, rules, ".", cwd=repo, helm_set=["replicaCount=1"])
    assert len(renders) == 5

    (chart / "templates" / "configmap.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    run(plugins, rules, ".", cwd=repo)  # a new file in the chart
    assert len(renders) == 6


def test_the_engine_is_part_of_what_a_render_is_kept_under(plugins, rules, renders, tmp_path, monkeypatch):
    """The same chart and options render again when the engine changes: none, then
    helm-python-sdk, then a ``helm`` put on PATH, then that binary replaced."""
    require(has_sdk(), "helm-python-sdk (the stand-in helm binary renders with it)")
    chart = _chart(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                               if not (Path(p) / "helm").exists()))
    real_find_spec = importlib.util.find_spec
    with monkeypatch.context() as no_sdk:
        no_sdk.setattr(importlib.util, "find_spec",
                       lambda name, *a: None if name == "helm_python" else real_find_spec(name, *a))
        [note] = run(plugins, rules, ".", cwd=chart.parent).findings  # no engine at all
    assert note.code == "EKS002" and renders == []
    assert hits(run(plugins, rules, ".", cwd=chart.parent), "EKS406") and len(renders) == 1  # the SDK
    fake = tmp_path / "bin" / "helm"
    fake.parent.mkdir()
    fake.write_text(FAKE_HELM.format(python=sys.executable, log=str(tmp_path / "call.json")))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    assert hits(run(plugins, rules, ".", cwd=chart.parent), "EKS406") and len(renders) == 2
    assert (tmp_path / "call.json").exists()  # rendered by the binary, not read back
    run(plugins, rules, ".", cwd=chart.parent)
    assert len(renders) == 2
    fake.write_text(fake.read_text() + "# another build\n")
    run(plugins, rules, ".", cwd=chart.parent)
    assert len(renders) == 3


def test_a_render_that_failed_to_run_is_tried_again(engine, plugins, rules, renders, tmp_path, monkeypatch):
    """A timeout (or an engine that could not start) says nothing about the chart: that
    EKS002 is not cached, and the next scan renders."""
    from eksguard.adapters import render

    chart = _chart(tmp_path)
    counted = render.run_bounded

    def too_slow(argv, **kwargs):
        renders.append(argv)
        raise render.RenderFailed("rendering took longer than 1 s and was stopped")

    monkeypatch.setattr(render, "run_bounded", too_slow)
    [note] = run(plugins, rules, ".", cwd=chart.parent).findings
    assert note.code == "EKS002" and "longer than 1 s" in note.message
    monkeypatch.setattr(render, "run_bounded", counted)
    result = run(plugins, rules, ".", cwd=chart.parent)
    assert len(renders) == 2 and hits(result, "EKS406")


def test_a_chart_holding_a_link_is_rendered_every_scan(engine, plugins, rules, renders, tmp_path):
    """Helm follows links and eksguard reads nothing a link leads to, so such a chart's
    inputs are not known: it is not cached."""
    chart = _chart(tmp_path)
    (chart / "values-link.yaml").symlink_to(chart / "values.yaml")
    run(plugins, rules, ".", cwd=chart.parent)
    run(plugins, rules, ".", cwd=chart.parent)
    assert len(renders) == 2
