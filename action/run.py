"""The shell side of the eksguard GitHub Action (``action.yml``), standard library only.

Inputs arrive as environment variables (``INPUT_*``), never pasted into a script, so a
branch name or a path can not inject shell (psf/black ``action.yml`` does the same).

    python run.py install   venv in $RUNNER_TEMP, pip install eksguard; output `eksguard`
    python run.py scan      run the scan: annotations to the log, SARIF + JSON (+ the
                            `format` report) to $RUNNER_TEMP/eksguard, a Markdown summary
                            to $GITHUB_STEP_SUMMARY, outputs to $GITHUB_OUTPUT

``scan`` exits 0 when eksguard reports findings (the action fails in its last step,
after the SARIF upload) and with eksguard's own code on a usage or environment error.
"""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import subprocess
import sys
import venv
from collections import Counter
from pathlib import Path

EXTENSIONS = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "github": "txt"}
SEVERITIES = ("error", "warning", "note")
ICONS = {"error": "🔴", "warning": "🟠", "note": "🔵"}
MAX_ROWS = 50  # findings listed in the step summary; all of them are in SARIF and JSON
VERSION_SPEC = re.compile(r"^[A-Za-z0-9.*+!~=<>, -]+$")


class ActionError(Exception):
    """A bad input or environment: one ::error line, non-zero exit."""


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def error(message: str) -> None:
    print(f"::error title=eksguard::{message.replace('%', '%25').replace(chr(13), '%0D').replace(chr(10), '%0A')}",
          flush=True)


def set_outputs(values: dict[str, object]) -> None:
    path = env("GITHUB_OUTPUT")
    lines = []
    for key, value in values.items():
        text = str(value)
        if "\n" in text or "\r" in text:
            raise ActionError(f"output {key} holds a line break")
        lines.append(f"{key}={text}\n")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.writelines(lines)
    else:
        sys.stdout.writelines(lines)


# -- install ----------------------------------------------------------------------------

def requirement(version: str, action_path: str) -> str:
    """What pip installs: the action's own source when no version is given (the action
    and the linter then come from the same ref), else eksguard with that PEP 440 spec."""
    if not version:
        if not action_path or not (Path(action_path) / "pyproject.toml").is_file():
            raise ActionError("no version input and no eksguard source at GITHUB_ACTION_PATH")
        return action_path
    if version == "latest":
        return "eksguard"
    if not VERSION_SPEC.match(version):
        raise ActionError(f"version {version!r} is not a version or a PEP 440 specifier (0.3.1, >=0.3,<0.4)")
    return f"eksguard=={version}" if version[0].isdigit() else f"eksguard{version}"


def install() -> int:
    req = requirement(env("INPUT_VERSION"), env("GITHUB_ACTION_PATH"))
    home = Path(env("RUNNER_TEMP") or ".") / "eksguard-venv"
    bindir = home / ("Scripts" if sys.platform == "win32" else "bin")
    if not (bindir / "python").exists() and not (bindir / "python.exe").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
    python = str(bindir / "python")
    print(f"Installing {req} into {home}", flush=True)
    proc = subprocess.run([python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", req])
    if proc.returncode:
        raise ActionError(f"pip could not install {req} (exit {proc.returncode})")
    exe = bindir / ("eksguard.exe" if sys.platform == "win32" else "eksguard")
    subprocess.run([str(exe), "--version"], check=False)
    set_outputs({"eksguard": exe})
    return 0


# -- scan -------------------------------------------------------------------------------

def command(eksguard: str, out: Path) -> tuple[list[str], dict[str, Path]]:
    """The eksguard command line for the inputs, and the files it writes. Options that
    only newer eksguard versions know are passed only when their input is set."""
    files = {"sarif": out / "eksguard.sarif", "json": out / "eksguard.json"}
    argv = [eksguard, "scan", *(shlex.split(env("INPUT_PATHS")) or ["."])]
    # Annotations on standard output (the runner reads them from the log), files for the rest.
    argv += ["--format", "github", "--format", "sarif", "--output", str(files["sarif"]),
             "--format", "json", "--output", str(files["json"])]
    extra = env("INPUT_FORMAT")
    if extra and extra not in ("sarif", "json"):
        files["report"] = out / f"eksguard-report.{EXTENSIONS.get(extra, 'txt')}"
        argv += ["--format", extra, "--output", str(files["report"])]
    for name, option in (("INPUT_FAIL_ON", "--fail-on"), ("INPUT_CONFIG", "--config"),
                         ("INPUT_BASELINE", "--baseline"), ("INPUT_DIFF_BASE", "--diff-base")):
        if env(name):
            argv += [option, env(name)]
    argv += shlex.split(env("INPUT_ARGS"))
    if extra in ("sarif", "json"):
        files["report"] = files[extra]
    return argv, files


def scan() -> int:
    workspace = Path(env("GITHUB_WORKSPACE") or os.getcwd()).resolve()
    workdir = (workspace / (env("INPUT_WORKING_DIRECTORY") or ".")).resolve()
    if not workdir.is_dir():
        raise ActionError(f"working-directory {env('INPUT_WORKING_DIRECTORY')!r} is not a folder")
    out = Path(env("RUNNER_TEMP") or workspace) / "eksguard"
    out.mkdir(parents=True, exist_ok=True)
    argv, files = command(env("EKSGUARD") or "eksguard", out)
    child = dict(os.environ)
    if env("INPUT_CACHE", "true") == "true":  # the folder the "Cache parsed files" step keeps
        child["XDG_CACHE_HOME"] = str(Path(env("RUNNER_TEMP") or workspace) / "eksguard-cache")
    else:
        argv.insert(2, "--no-cache")
    print(f"$ {shlex.join(argv)}", flush=True)
    try:
        status = subprocess.run(argv, cwd=workdir, env=child).returncode
    except OSError as exc:
        raise ActionError(f"cannot run {argv[0]}: {exc.strerror}") from None
    if status not in (0, 1) or not files["json"].is_file():
        error(f"eksguard stopped with exit code {status}: see the log above")
        set_outputs({"exit-code": status})
        return status or 2
    report = json.loads(files["json"].read_text(encoding="utf-8"))
    findings = report.get("findings", [])
    counts = Counter(f.get("severity") for f in findings)
    if "report" in files and files["report"].is_file() and env("INPUT_FORMAT") == "text":
        print("::group::eksguard report", flush=True)
        print(files["report"].read_text(encoding="utf-8"), end="", flush=True)
        print("::endgroup::", flush=True)
    summary = env("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as stream:
            stream.write(markdown(report, status, workspace, workdir))
    set_outputs({
        "exit-code": status,
        "findings": len(findings),
        **{f"{s}s": counts.get(s, 0) for s in SEVERITIES},
        "sarif-file": files["sarif"],
        "json-file": files["json"],
        "report-file": files.get("report", ""),
    })
    return 0


def _cell(text: object) -> str:
    """Scanned content (object names, paths) in a Markdown table cell, inert."""
    return html.escape(" ".join(str(text).split())).replace("|", "&#124;").replace("`", "&#96;")


def _link(path: str, line: int, workspace: Path, workdir: Path) -> str:
    """``path:line``, linked to the blob at the commit under test when the run tells us where."""
    shown = f"{path}:{line}"
    try:
        rel = (workdir / path).resolve().relative_to(workspace).as_posix()
    except (ValueError, OSError):
        return _cell(shown)
    server, repo, sha = env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_SHA")
    if not (server and repo and sha):
        return _cell(rel + f":{line}")
    from urllib.parse import quote

    return f'<a href="{html.escape(f"{server}/{repo}/blob/{sha}/{quote(rel)}#L{line}")}">{_cell(rel)}:{line}</a>'


def hidden(report: dict) -> str:
    """What the report left out on purpose: suppressed and baselined findings (when the
    eksguard version reports them)."""
    parts = []
    suppressed = report.get("summary", {}).get("suppressed")
    if suppressed:
        parts.append(f"{suppressed} suppressed in the source")
    baseline = report.get("baseline") or {}
    if baseline.get("known"):
        parts.append(f"{baseline['known']} known from the baseline")
    text = f" Not shown: {', '.join(parts)}." if parts else ""
    if baseline.get("gone"):
        gone = len(baseline["gone"])
        text += f" {gone} baseline finding{'s are' if gone != 1 else ' is'} gone (fixed)."
    return text


def markdown(report: dict, status: int, workspace: Path, workdir: Path) -> str:
    findings = report.get("findings", [])
    summary = report.get("summary", {})
    counts = Counter(f.get("severity") for f in findings)
    files = summary.get("files_scanned", 0)
    lines = ["## eksguard", ""]
    if not findings:
        lines += [f"✅ No problems found in {files} file{'s' if files != 1 else ''}.{hidden(report)}", ""]
        return "\n".join(lines) + "\n"
    parts = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES if counts[s])
    verdict = "❌ fails the check" if status == 1 else "passes the check (below fail-on)"
    lines += [f"**{len(findings)} problem{'s' if len(findings) != 1 else ''}** ({parts}) in {files} files "
              f"scanned: {verdict}.{hidden(report)}", ""]
    lines += ["| Severity | Rule | Location | Message |", "|---|---|---|---|"]
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    for f in sorted(findings, key=lambda f: rank.get(f.get("severity"), len(rank)))[:MAX_ROWS]:  # stable
        loc = f.get("location", {})
        sev = f.get("severity", "")
        lines.append(f"| {ICONS.get(sev, '')} {_cell(sev)} | {_cell(f.get('code'))} {_cell(f.get('name'))} | "
                     f"{_link(loc.get('path', ''), loc.get('line', 1), workspace, workdir)} | "
                     f"{_cell(f.get('message', ''))} |")
    if len(findings) > MAX_ROWS:
        lines += ["", f"… and {len(findings) - MAX_ROWS} more: see the annotations and the code scanning alerts."]
    by_rule = Counter((f.get("code"), f.get("name")) for f in findings)
    lines += ["", "<details><summary>Findings per rule</summary>", "",
              "| Rule | Findings |", "|---|---|"]
    lines += [f"| {_cell(code)} {_cell(name)} | {n} |" for (code, name), n in sorted(by_rule.items())]
    lines += ["", "</details>", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    commands = {"install": install, "scan": scan}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: run.py {'|'.join(commands)}", file=sys.stderr)
        return 2
    try:
        return commands[argv[0]]()
    except ActionError as exc:
        error(str(exc))
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
