"""The GitHub Action: ``action.yml`` read as the runner reads it, its script steps run
locally with a fake ``GITHUB_*`` environment (``uses:`` steps are stood in for), on a
copy of testdata/examples."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
CONTEXT_REF = re.compile(r"\b(?:inputs|steps|runner|github)\.[A-Za-z0-9_.-]+[A-Za-z0-9_]")
BIN = Path(sys.executable).parent
EKSGUARD = str(BIN / ("eksguard.exe" if sys.platform == "win32" else "eksguard"))



def _load_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("eksguard_action_run", ROOT / "action" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


action_run = _load_script()


class FakeRunner:
    """Just enough of the Actions runner for a composite action: expressions in `env:`,
    `with:` and `if:`, step outputs through $GITHUB_OUTPUT, bash steps, stand-ins for
    the `uses:` steps. Stops at the first failing step, as the runner does."""

    def __init__(self, tmp: Path, workspace: Path, inputs: dict[str, str], installed: str | None = EKSGUARD):
        self.tmp, self.workspace = tmp, workspace
        self.inputs = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"not inputs of action.yml: {unknown}"
        self.inputs.update(inputs)
        self.installed = installed  # stand in for the install step (None: run it for real)
        self.outputs: dict[str, dict[str, str]] = {}
        self.uploads: list[dict[str, str]] = []
        self.caches: list[dict[str, str]] = []
        self.summary = tmp / "step-summary.md"
        self.runner_temp = tmp / "runner-temp"
        self.runner_temp.mkdir(exist_ok=True)
        self.logs: dict[str, subprocess.CompletedProcess] = {}

    def value(self, ref: str) -> str:
        parts = ref.split(".")
        if parts[0] == "inputs":
            return self.inputs[parts[1]]
        if parts[0] == "steps":
            assert parts[2] == "outputs", ref
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        return {
            "runner.temp": str(self.runner_temp), "runner.os": "Linux",
            "github.action_path": str(ROOT), "github.workspace": str(self.workspace), "github.action_ref": "",
            "github.sha": "0123456789abcdef0123456789abcdef01234567",
        }[ref]

    def expand(self, text: object) -> str:
        if isinstance(text, bool):
            return str(text).lower()  # YAML true/false, as the runner passes them
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, expression: str) -> bool:
        """`a == 'x' && b != ''` and the like: context values become Python literals."""
        python = CONTEXT_REF.sub(lambda m: repr(self.value(m.group(0))), expression)
        python = python.replace("&&", " and ").replace("||", " or ")
        return bool(eval(python, {"__builtins__": {}}, {}))  # noqa: S307 - our own action.yml

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
        env.update({
            "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_WORKSPACE": str(self.workspace), "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/platform",
            "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "RUNNER_TEMP": str(self.runner_temp),
            "RUNNER_OS": "Linux",
        })
        return env

    def run(self) -> tuple[str | None, int]:
        """(id or name of the step that failed, its exit code), or (None, 0)."""
        for step in STEPS:
            sid = step.get("id") or step["name"]
            if "if" in step and not self.condition(step["if"]):
                continue
            if "uses" in step:
                self.uses(step, sid)
                continue
            if sid == "install" and self.installed is not None:
                self.outputs[sid] = {"eksguard": self.installed}
                continue
            output = self.tmp / f"output-{sid}.txt"
            output.write_text("")
            env = {**self.base_env(), "GITHUB_OUTPUT": str(output)}
            env.update({k: self.expand(v) for k, v in step.get("env", {}).items()})
            assert step["shell"] == "bash"
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                  cwd=self.workspace, env=env, capture_output=True, text=True, timeout=900)
            self.logs[sid] = proc
            self.outputs[sid] = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
            if proc.returncode:
                return sid, proc.returncode
        return None, 0

    def uses(self, step: dict, sid: str) -> None:
        action = step["uses"].split("@")[0]
        with_ = {k: self.expand(v) for k, v in step.get("with", {}).items()}
        if action == "actions/setup-python":
            assert with_["update-environment"] == "false"  # the job's Python stays the user's
            self.outputs[sid] = {"python-path": sys.executable, "python-version": "3.11.7"}
        elif action == "actions/cache":
            assert with_["path"].startswith(str(self.runner_temp)) and with_["key"]
            self.caches.append(with_)
        elif action == "github/codeql-action/upload-sarif":
            self.uploads.append(with_)
        else:
            raise AssertionError(f"no stand-in for {action}")


@pytest.fixture
def workspace(tmp_path) -> Path:
    """testdata/examples as the checked-out repository of a workflow run."""
    repo = tmp_path / "workspace"
    shutil.copytree(ROOT / "testdata" / "examples", repo, symlinks=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def direct_json(workspace: Path, *paths: str) -> dict:
    proc = subprocess.run([EKSGUARD, "scan", *(paths or ["."]), "--format", "json"], cwd=workspace,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


# -- action.yml itself ---------------------------------------------------------------------

def test_run_blocks_hold_no_expressions():
    runs = [s for s in STEPS if "run" in s]
    assert runs
    for step in runs:
        assert "${{" not in step["run"], f"step {step.get('name')}: inputs must reach the shell through env:"
        assert step["shell"] == "bash"


def test_every_input_is_used_and_every_reference_exists():
    text = (ROOT / "action.yml").read_text()
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    assert used == set(ACTION["inputs"])
    step_ids = {s.get("id") for s in STEPS}
    for step_id in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", text):
        assert step_id in step_ids


def test_pinned_actions():
    uses = {s["uses"].split("@")[0]: s["uses"].split("@")[1] for s in STEPS if "uses" in s}
    assert set(uses) == {"actions/setup-python", "actions/cache", "github/codeql-action/upload-sarif"}
    assert all(re.fullmatch(r"v\d+|[0-9a-f]{40}", ref) for ref in uses.values())


# -- the script steps, run ---------------------------------------------------------------------

def test_scan_writes_annotations_sarif_summary_and_outputs(tmp_path, workspace):
    runner = FakeRunner(tmp_path, workspace, {})
    failed, code = runner.run()
    expected = direct_json(workspace)
    findings = expected["findings"]
    assert findings, "the example platform has findings"
    # Findings at or above warning: the last step fails the job, after the upload.
    assert (failed, code) == ("Fail on findings", 1)
    out = runner.outputs["scan"]
    assert out["exit-code"] == "1"
    assert int(out["findings"]) == len(findings)
    for severity in ("error", "warning", "note"):
        assert int(out[f"{severity}s"]) == expected["summary"]["by_severity"][severity]
    sarif = json.loads(Path(out["sarif-file"]).read_text())
    assert len(sarif["runs"][0]["results"]) == len(findings)
    assert Path(out["sarif-file"]).parent == runner.runner_temp / "eksguard"
    assert runner.uploads == [{"sarif_file": out["sarif-file"], "category": "eksguard"}]
    # Annotations in the log, paths relative to the repository root.
    log = runner.logs["scan"].stdout
    annotations = [line for line in log.splitlines() if re.match(r"::(error|warning|notice) ", line)]
    assert len(annotations) == len(findings)
    first = findings[0]
    level = {"note": "notice"}.get(first["severity"], first["severity"])
    loc = first["location"]
    assert any(a.startswith(f"::{level} file={loc['path']},line={loc['line']},") for a in annotations)
    # The job summary: counts, one row per finding, links to the commit under test.
    summary = runner.summary.read_text()
    assert summary.startswith("## eksguard\n")
    assert f"**{len(findings)} problems**" in summary
    assert summary.count("\n| ") - summary.count("| Rule | Findings |") >= len(findings[:50])
    top = min(findings, key=lambda f: ("error", "warning", "note").index(f["severity"]))  # listed first
    blob = "https://github.com/acme/platform/blob/0123456789abcdef0123456789abcdef01234567"
    assert f'href="{blob}/{top["location"]["path"]}#L{top["location"]["line"]}"' in summary


def test_clean_scan_passes_and_says_so(tmp_path, workspace):
    clean = workspace / "clean"
    clean.mkdir()
    (clean / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
                                    "spec: {type: ClusterIP, ports: [{port: 80}]}\n")
    runner = FakeRunner(tmp_path, workspace, {"paths": "clean", "upload-sarif": "false"})
    assert runner.run() == (None, 0)
    assert runner.outputs["scan"]["findings"] == "0"
    assert runner.outputs["scan"]["exit-code"] == "0"
    assert "No problems found in 1 file." in runner.summary.read_text()
    assert runner.uploads == []


def test_fail_on_error_and_junit_report_in_a_working_directory(tmp_path, workspace):
    runner = FakeRunner(tmp_path, workspace, {"working-directory": "platform", "paths": ". ../teams",
                                              "fail-on": "error", "format": "junit", "category": "eks/platform"})
    failed, code = runner.run()
    expected = direct_json(workspace / "platform", ".", "../teams")
    errors = expected["summary"]["by_severity"]["error"]
    assert (failed, code) == (("Fail on findings", 1) if errors else (None, 0))
    out = runner.outputs["scan"]
    assert int(out["findings"]) == len(expected["findings"])
    assert "--fail-on error" in runner.logs["scan"].stdout
    tree = ET.parse(out["report-file"])
    assert tree.getroot().tag == "testsuites"
    assert int(tree.getroot().get("failures")) >= 1
    assert runner.uploads[0]["category"] == "eks/platform"
    # Annotations name files from the repository root, not from the working directory.
    assert "file=platform/" in runner.logs["scan"].stdout


def test_inputs_never_reach_a_shell(tmp_path, workspace):
    marker = tmp_path / "pwned"
    hostile = f'"; touch {marker}; echo " $(touch {marker}) `touch {marker}`'
    runner = FakeRunner(tmp_path, workspace, {"paths": hostile, "args": f"$(touch {marker})"})
    failed, code = runner.run()
    assert not marker.exists()
    assert (failed, code) == ("scan", 2)  # paths that do not exist: a usage error, the step fails
    assert "::error title=eksguard::eksguard stopped with exit code 2" in runner.logs["scan"].stdout


def test_install_step_installs_the_action_source(tmp_path, workspace):
    """The install step for real: a venv in RUNNER_TEMP and pip install of the action's
    own checkout (PyPI reachable for the dependencies), then a scan with it."""
    runner = FakeRunner(tmp_path, workspace, {"paths": "platform", "upload-sarif": "false"}, installed=None)
    runner.run()
    assert runner.logs["install"].returncode == 0, runner.logs["install"].stdout + runner.logs["install"].stderr
    exe = Path(runner.outputs["install"]["eksguard"])
    assert exe.parent.parent == runner.runner_temp / "eksguard-venv"
    assert "eksguard " in runner.logs["install"].stdout  # eksguard --version
    assert int(runner.outputs["scan"]["findings"]) == len(direct_json(workspace, "platform")["findings"])


# -- the command line the script builds --------------------------------------------------------

@pytest.mark.parametrize(("name", "option"), [("INPUT_CONFIG", "--config"), ("INPUT_BASELINE", "--baseline"),
                                              ("INPUT_DIFF_BASE", "--diff-base"), ("INPUT_FAIL_ON", "--fail-on")])
def test_optional_inputs_are_passed_only_when_set(monkeypatch, tmp_path, name, option):
    for var in ("INPUT_PATHS", "INPUT_CONFIG", "INPUT_BASELINE", "INPUT_DIFF_BASE", "INPUT_FAIL_ON", "INPUT_FORMAT",
                "INPUT_ARGS"):
        monkeypatch.delenv(var, raising=False)
    argv, _ = action_run.command("eksguard", tmp_path)
    assert option not in argv
    monkeypatch.setenv(name, "some value; $(x)")
    argv, _ = action_run.command("eksguard", tmp_path)
    assert argv[argv.index(option) + 1] == "some value; $(x)"


def test_paths_are_split_shell_style(monkeypatch, tmp_path):
    monkeypatch.setenv("INPUT_PATHS", "k8s\n'charts/my app'  infra")
    monkeypatch.delenv("INPUT_ARGS", raising=False)
    argv, _ = action_run.command("eksguard", tmp_path)
    assert argv[:5] == ["eksguard", "scan", "k8s", "charts/my app", "infra"]


@pytest.mark.parametrize(("version", "expected"), [
    ("0.3.1", "eksguard==0.3.1"), (">=0.3,<0.4", "eksguard>=0.3,<0.4"), ("latest", "eksguard"),
    ("~=0.3", "eksguard~=0.3"),
])
def test_version_input(version, expected):
    assert action_run.requirement(version, "") == expected


def test_version_input_rejects_anything_else():
    for bad in ("0.3 --index-url https://evil.example", "@ https://evil.example/x.whl", "0.3; rm -rf /"):
        with pytest.raises(action_run.ActionError):
            action_run.requirement(bad, "")
    assert action_run.requirement("", str(ROOT)) == str(ROOT)


def test_summary_cells_are_inert():
    cell = action_run._cell("Ingress a|b <img src=x onerror=alert(1)> `code`\nnext")
    assert "|" not in cell and "<" not in cell and "`" not in cell and "\n" not in cell



# -- inputs that map to options of other parts of eksguard, end to end ----------------------------

def test_baseline_input_hides_known_findings(tmp_path, workspace):
    made = subprocess.run([EKSGUARD, "baseline", ".", "--output", "known.json"], cwd=workspace,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    runner = FakeRunner(tmp_path, workspace, {"baseline": "known.json"})
    assert runner.run() == (None, 0)
    assert runner.outputs["scan"]["findings"] == "0"
    assert "known from the baseline" in runner.summary.read_text()


def test_config_input(tmp_path, workspace):
    (workspace / "ci").mkdir()
    (workspace / "ci" / "eksguard.yaml").write_text("ignore: [EKS4]\nfail-on: error\n")
    runner = FakeRunner(tmp_path, workspace, {"config": "ci/eksguard.yaml"})
    runner.run()
    proc = subprocess.run([EKSGUARD, "scan", ".", "--config", "ci/eksguard.yaml", "--format", "json"],
                          cwd=workspace, capture_output=True, text=True)
    expected = json.loads(proc.stdout)["findings"]
    assert int(runner.outputs["scan"]["findings"]) == len(expected)
    assert runner.outputs["scan"]["exit-code"] == str(proc.returncode)
    assert "title=EKS4" not in runner.logs["scan"].stdout


def test_diff_base_input_reports_what_the_change_introduced(tmp_path, workspace):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "add", "-A"], cwd=workspace, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=workspace, check=True)
    (workspace / "teams" / "new-ingress.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: new, namespace: shop}\n"
        "spec:\n  ingressClassName: alb\n  defaultBackend: {service: {name: web, port: {number: 80}}}\n")
    runner = FakeRunner(tmp_path, workspace, {"diff-base": "HEAD"})
    runner.run()
    findings = int(runner.outputs["scan"]["findings"])
    assert 0 < findings < len(direct_json(workspace)["findings"])
    assert "file=teams/new-ingress.yaml" in runner.logs["scan"].stdout


def test_parsed_files_are_cached_between_runs(tmp_path, workspace):
    """The scan writes its parse cache where the "Cache parsed files" step saves and
    restores it, so the next workflow run parses only what changed."""
    runner = FakeRunner(tmp_path, workspace, {})
    assert runner.run() == ("Fail on findings", 1)
    kept = [c for c in runner.caches if c["key"].startswith("eksguard-parse-")]
    assert kept and kept[0]["path"] == str(runner.runner_temp / "eksguard-cache")
    assert kept[0]["key"].endswith(runner.value("github.sha"))
    assert "eksguard-parse-Linux-" in kept[0]["restore-keys"].split()
    entries = list((runner.runner_temp / "eksguard-cache" / "eksguard" / "parse").rglob("*"))
    assert any(e.is_file() for e in entries)


def test_cache_input_false_parses_everything(tmp_path, workspace):
    runner = FakeRunner(tmp_path, workspace, {"cache": "false"})
    assert runner.run() == ("Fail on findings", 1)
    assert not [c for c in runner.caches if c["key"].startswith("eksguard-parse-")]
    assert not (runner.runner_temp / "eksguard-cache").exists()
    assert "scan --no-cache" in runner.logs["scan"].stdout
