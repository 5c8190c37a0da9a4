"""Discovery: what a scan reads, in which order, and what it leaves alone.

Unit cases call :func:`eksguard.discover.discover`; end-to-end cases run the CLI in a
subprocess (``time`` only as a hang guard).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from eksguard.discover import UsageError, discover
from renderers import helm_engine
from clirun import eksguard

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
FINDING = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+): (?P<code>EKS\d{3}) ")


def deployment(name: str) -> str:
    """A manifest with exactly one finding: EKS406 on line 2."""
    return (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        f"metadata: {{name: {name}, namespace: ns}}\n"
        "spec:\n"
        "  replicas: 3\n"
    )


def write(root: Path, rel: str, text: str | None = None) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(deployment(path.stem) if text is None else text)
    return path


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=eksguard@example.com", "-c", "user.name=eksguard",
         "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        timeout=60,
    )


def git_init(repo: Path, commit: bool = True) -> None:
    git(repo, "init", "-q")
    if commit:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "--allow-empty", "-m", "init")


@pytest.fixture
def no_git_above(tmp_path, monkeypatch):
    """Make sure git does not find a repository above ``tmp_path``."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    return tmp_path


def displays(found) -> list[str]:
    return [source.display for source in found.sources]


def manifests(found) -> list[str]:
    return [d for d in displays(found) if d.endswith((".yaml", ".yml", ".json"))]


def run_cli(args: list[str], cwd: Path, stdin: bytes = b"", timeout: float = 120):
    return eksguard(*args, cwd=cwd, stdin=stdin, timeout=timeout, env={"EKSGUARD_DEBUG": "1"})


def findings(stdout: bytes) -> list[tuple[str, int, int, str]]:
    out = []
    for line in stdout.decode("utf-8", errors="replace").splitlines():
        match = FINDING.match(line)
        if match:
            out.append((match["path"], int(match["line"]), int(match["col"]), match["code"]))
    return out


# -- order --------------------------------------------------------------------------

TREE = ["teams/search/ingress.yaml", "platform/nodepool.yaml", "teams/payments/pdb.yaml",
        "README.yaml", "teams/payments/deployment.yaml", "a.json", "platform/ingress-class.yml"]
SORTED = ["README.yaml", "a.json", "platform/ingress-class.yml", "platform/nodepool.yaml",
          "teams/payments/deployment.yaml", "teams/payments/pdb.yaml", "teams/search/ingress.yaml"]


def test_stable_sorted_order(no_git_above):
    root = no_git_above / "repo"
    for rel in TREE:  # created in a scrambled order
        write(root, rel)
    first = discover(["repo"], cwd=no_git_above)
    assert manifests(first) == ["repo/" + rel for rel in SORTED]
    assert displays(discover(["repo"], cwd=no_git_above)) == displays(first)
    # relative to the folder scanned when run from inside it
    assert manifests(discover(["."], cwd=root)) == SORTED


def test_display_paths_wherever_the_scan_runs_from(no_git_above):
    """Discovery builds display paths by string; they are what ``display_path`` gives
    each file: relative below the working folder, absolute elsewhere, and mixed when the
    scan names a folder above it (``scan ..``)."""
    from eksguard.discover import display_path

    root = no_git_above / "repo"
    for rel in TREE:
        write(root, rel)
    outside = no_git_above / "elsewhere"
    outside.mkdir()
    cases = [(["repo"], no_git_above), (["."], root), ([".."], root / "teams"), ([str(root)], outside),
             (["../.."], root / "teams" / "payments")]
    for paths, cwd in cases:
        found = discover(paths, cwd=cwd)
        assert found.sources, (paths, cwd)
        for source in found.sources:
            assert source.display == display_path(source.path, cwd), (paths, cwd)
            assert source.size == source.path.stat().st_size
    shown = displays(discover([".."], cwd=root / "teams"))
    assert "payments/pdb.yaml" in shown and (root / "README.yaml").as_posix() in shown


@needs_git
def test_same_order_inside_git(no_git_above):
    root = no_git_above / "repo"
    for rel in TREE[:4]:
        write(root, rel)
    git_init(root)
    for rel in TREE[4:]:  # untracked files count too
        write(root, rel)
    assert manifests(discover(["."], cwd=root)) == SORTED


# -- skipped folders ---------------------------------------------------------------

SKIPPED = [
    ".terraform/modules/eks/k8s.yaml",
    "infra/.terraform/providers/x.yaml",
    "node_modules/chart-lib/deploy.yaml",
    "web/node_modules/pkg/k8s.yaml",
    "vendor/github.com/x/deploy.yaml",
    "go/vendor/k8s.io/y.yaml",
]


@pytest.mark.parametrize("in_git", [False, pytest.param(True, marks=needs_git)], ids=["no-git", "git"])
def test_skips_tool_folders(no_git_above, in_git):
    root = no_git_above / "repo"
    write(root, "apps/web.yaml")
    for rel in SKIPPED:
        write(root, rel)
    if in_git:
        git_init(root, commit=False)
        git(root, "add", "-A", "--force")  # even tracked, vendored copies are not ours
        git(root, "commit", "-q", "-m", "vendored")
        write(root, ".git/hooks/hook.yaml")
    else:
        write(root, ".git/config.yaml")  # a stray .git folder that is no repository
    assert manifests(discover(["."], cwd=root)) == ["apps/web.yaml"]
    proc = run_cli(["scan", "."], root)
    assert proc.returncode == 1, proc.stderr
    assert findings(proc.stdout) == [("apps/web.yaml", 2, 1, "EKS406")]


def test_skipped_folder_named_explicitly_is_scanned(no_git_above):
    write(no_git_above, "vendor/x/deploy.yaml")
    assert manifests(discover(["vendor"], cwd=no_git_above)) == ["vendor/x/deploy.yaml"]


# -- .gitignore --------------------------------------------------------------------

@needs_git
def test_gitignore_honoured_inside_git(no_git_above):
    root = no_git_above / "repo"
    write(root, "apps/web.yaml")
    write(root, "apps/tracked.generated.yaml")
    write(root, ".gitignore", "build/\n*.generated.yaml\n")
    git_init(root)  # `add -A` leaves the ignored file out: track it by force
    git(root, "add", "--force", "apps/tracked.generated.yaml")
    git(root, "commit", "-q", "-m", "track one generated file")
    write(root, "build/out.yaml")
    write(root, "apps/new.generated.yaml")
    write(root, "apps/local.yaml")
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("apps/local.yaml\n")
    found = discover(["."], cwd=root)
    # ignored + untracked: skipped; tracked files are scanned even when a pattern matches
    assert manifests(found) == ["apps/tracked.generated.yaml", "apps/web.yaml"]
    # from a subfolder, and from outside the work tree, the same rules apply
    assert manifests(discover(["apps"], cwd=root)) == ["apps/tracked.generated.yaml", "apps/web.yaml"]
    assert manifests(discover(["repo"], cwd=no_git_above)) == [
        "repo/apps/tracked.generated.yaml", "repo/apps/web.yaml"]
    # naming an ignored folder or file explicitly scans it
    assert manifests(discover(["build"], cwd=root)) == ["build/out.yaml"]
    assert manifests(discover(["apps/new.generated.yaml"], cwd=root)) == ["apps/new.generated.yaml"]


def test_gitignore_ignored_outside_git(no_git_above):
    root = no_git_above / "repo"
    write(root, "apps/web.yaml")
    write(root, "build/out.yaml")
    write(root, ".gitignore", "build/\n*.yaml\n")
    assert manifests(discover(["."], cwd=root)) == ["apps/web.yaml", "build/out.yaml"]


# -- symlinks ----------------------------------------------------------------------

@pytest.mark.parametrize("in_git", [False, pytest.param(True, marks=needs_git)], ids=["no-git", "git"])
def test_symlink_to_file_outside_tree_is_skipped(no_git_above, in_git):
    root = no_git_above / "tree"
    write(no_git_above, "outside/secret.yaml")
    write(root, "app.yaml")
    (root / "escape.yaml").symlink_to("../outside/secret.yaml")
    (root / "abs.yaml").symlink_to(no_git_above / "outside" / "secret.yaml")
    (root / "linked-dir").symlink_to(no_git_above / "outside", target_is_directory=True)
    if in_git:
        git_init(root)
    found = discover(["tree"], cwd=no_git_above)
    assert manifests(found) == ["tree/app.yaml"]
    skipped = dict(found.skipped)
    assert "tree/escape.yaml" in skipped and "tree/abs.yaml" in skipped
    proc = run_cli(["scan", "tree"], no_git_above)
    assert proc.returncode == 1, proc.stderr
    assert findings(proc.stdout) == [("tree/app.yaml", 2, 1, "EKS406")]


@pytest.mark.parametrize("in_git", [False, pytest.param(True, marks=needs_git)], ids=["no-git", "git"])
def test_symlink_loop_terminates(no_git_above, in_git):
    root = no_git_above / "tree"
    write(root, "a.yaml")
    write(root, "sub/b.yaml")
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)   # dir linking to its parent
    (root / "self").symlink_to(".", target_is_directory=True)
    (root / "x").mkdir()
    (root / "y").mkdir()
    (root / "x" / "to-y").symlink_to("../y", target_is_directory=True)
    (root / "y" / "to-x").symlink_to("../x", target_is_directory=True)
    if in_git:
        git_init(root)
    started = time.monotonic()
    proc = run_cli(["scan", "tree"], no_git_above, timeout=60)
    assert time.monotonic() - started < 20, "hang guard"
    assert "Traceback" not in proc.stderr.decode()
    assert proc.returncode == 1
    assert sorted(findings(proc.stdout)) == [("tree/a.yaml", 2, 1, "EKS406"), ("tree/sub/b.yaml", 2, 1, "EKS406")]
    assert manifests(discover(["tree"], cwd=no_git_above)) == ["tree/a.yaml", "tree/sub/b.yaml"]


@pytest.mark.parametrize("link", ["0-alias.yaml", "zz-alias.yaml"], ids=["link-sorts-first", "link-sorts-last"])
@pytest.mark.parametrize("in_git", [False, pytest.param(True, marks=needs_git)], ids=["no-git", "git"])
def test_symlink_inside_tree_is_not_scanned_twice(no_git_above, in_git, link):
    """One file, one finding, reported at the real file (the one to edit), whatever the
    link's name sorts before or after."""
    root = no_git_above / "tree"
    write(root, "deploy/web.yaml")
    (root / link).symlink_to("deploy/web.yaml")
    if in_git:
        git_init(root)
    found = discover(["tree"], cwd=no_git_above)
    assert manifests(found) == ["tree/deploy/web.yaml"]
    proc = run_cli(["scan", "tree"], no_git_above)
    assert proc.returncode == 1, proc.stderr
    assert findings(proc.stdout) == [("tree/deploy/web.yaml", 2, 1, "EKS406")]


def test_symlink_to_a_file_the_walk_skips_is_read_once(no_git_above):
    """A link inside the tree to a file the walk would not read itself (vendored) is read."""
    root = no_git_above / "tree"
    write(root, "vendor/upstream/crd.yaml")
    (root / "crd.yaml").symlink_to("vendor/upstream/crd.yaml")
    assert manifests(discover(["tree"], cwd=no_git_above)) == ["tree/crd.yaml"]


def test_file_named_twice_is_read_once(no_git_above):
    write(no_git_above, "tree/a.yaml")
    for args in (["tree", "tree/a.yaml"], ["tree/a.yaml", "tree"], ["tree/a.yaml", "./tree/../tree/a.yaml"]):
        assert manifests(discover(args, cwd=no_git_above)) == ["tree/a.yaml"], args


# -- Helm charts -------------------------------------------------------------------

CHART = "apiVersion: v2\nname: {name}\nversion: 0.1.0\n"
TEMPLATE = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n"


def make_chart(root: Path, rel: str) -> None:
    write(root, f"{rel}/Chart.yaml", CHART.format(name=Path(rel).name))
    write(root, f"{rel}/values.yaml", "replicas: 3\n")
    write(root, f"{rel}/templates/deployment.yaml", TEMPLATE)
    write(root, f"{rel}/templates/_helpers.tpl", '{{- define "x" -}}x{{- end }}\n')
    write(root, f"{rel}/charts/redis/Chart.yaml", CHART.format(name="redis"))
    write(root, f"{rel}/charts/redis/templates/deployment.yaml", TEMPLATE)


@pytest.mark.parametrize("in_git", [False, pytest.param(True, marks=needs_git)], ids=["no-git", "git"])
def test_chart_folder_is_one_source(no_git_above, in_git):
    root = no_git_above / "repo"
    make_chart(root, "charts/web")
    write(root, "apps/api.yaml")
    if in_git:
        git_init(root)
    found = discover(["."], cwd=root)
    charts = [s for s in found.sources if s.is_dir]
    assert [s.display for s in charts] == ["charts/web"]
    assert not [d for d in displays(found) if d.startswith("charts/web/")]
    proc = run_cli(["scan", "."], root)
    assert proc.returncode == 1, proc.stderr
    chart = ("charts/web/templates/deployment.yaml", 2, 1, "EKS406") if helm_engine() else ("charts/web/Chart.yaml", 1, 1, "EKS002")
    assert sorted(findings(proc.stdout)) == [("apps/api.yaml", 2, 1, "EKS406"), chart]


def test_chart_scanned_from_inside(no_git_above):
    """Scanning ``.`` inside a chart: findings point at its files like any other path
    below the working directory (no ``./`` prefix): the rendered template, or
    ``Chart.yaml`` for the EKS002 of a chart that cannot be rendered (a note alone exits 0)."""
    root = no_git_above / "web"
    make_chart(no_git_above, "web")
    found = discover(["."], cwd=root)
    assert [(s.display, s.is_dir) for s in found.sources] == [(".", True)]
    proc = run_cli(["scan", "."], root)
    if helm_engine():
        assert proc.returncode == 1, proc.stderr
        assert findings(proc.stdout) == [("templates/deployment.yaml", 2, 1, "EKS406")]
    else:
        assert proc.returncode == 0, proc.stderr
        assert findings(proc.stdout) == [("Chart.yaml", 1, 1, "EKS002")]


# -- command line ------------------------------------------------------------------

def test_missing_path_is_a_usage_error(no_git_above):
    write(no_git_above, "a.yaml")
    with pytest.raises(UsageError, match="nope.yaml"):
        discover(["a.yaml", "nope.yaml"], cwd=no_git_above)
    proc = run_cli(["scan", "a.yaml", "nope.yaml"], no_git_above)
    assert proc.returncode == 2
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and "nope.yaml" in lines[0] and lines[0].startswith("eksguard"), lines
    assert proc.stdout == b""


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--bogus", "."],
        ["--bogus"],
        ["scan", "--fail-on", "never", "."],
        ["scan", "--format", "nope", "."],
        ["scan", "--color"],
        ["explain"],
    ],
    ids=["unknown-scan-flag", "unknown-global-flag", "bad-choice", "unknown-format", "missing-value", "missing-arg"],
)
def test_bad_flag_is_one_line_and_exit_2(no_git_above, args):
    write(no_git_above, "a.yaml")
    proc = run_cli(args, no_git_above)
    assert proc.returncode == 2, proc
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eksguard"), lines
    assert "Traceback" not in proc.stderr.decode()


def test_dash_reads_stdin(no_git_above):
    data = deployment("piped").encode()
    found = discover(["-"], cwd=no_git_above, stdin=data)
    assert [(s.display, s.path, s.stdin_data) for s in found.sources] == [("<stdin>", None, data)]
    proc = run_cli(["scan", "-"], no_git_above, stdin=data)
    assert proc.returncode == 1, proc.stderr
    assert findings(proc.stdout) == [("<stdin>", 2, 1, "EKS406")]
    # stdin next to files
    write(no_git_above, "a.yaml")
    proc = run_cli(["scan", "a.yaml", "-"], no_git_above, stdin=data)
    assert sorted(findings(proc.stdout)) == [("<stdin>", 2, 1, "EKS406"), ("a.yaml", 2, 1, "EKS406")]
    # empty stdin: nothing to report
    proc = run_cli(["scan", "-"], no_git_above, stdin=b"")
    assert proc.returncode == 0 and proc.stderr == b"", proc
