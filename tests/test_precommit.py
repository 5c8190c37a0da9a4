"""The pre-commit hooks as a user runs them: ``pre-commit try-repo`` against a snapshot
of this checkout (uncommitted changes included), on a temporary git repository.

pre-commit builds the hook's environment with pip, from PyPI. The test is skipped only
when pre-commit itself is missing (it is in the ``test`` extra), never in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

GIT_ENV = {
    "GIT_AUTHOR_NAME": "eksguard tests", "GIT_AUTHOR_EMAIL": "tests@eksguard.invalid",
    "GIT_COMMITTER_NAME": "eksguard tests", "GIT_COMMITTER_EMAIL": "tests@eksguard.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}

DEFAULT_CLASS = """\
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: alb
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: ingress.k8s.aws/alb
"""

# No class of its own: only the default IngressClass in another file makes it an ALB.
INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: search-api
  namespace: search
  annotations:
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/healthcheck-path: /healthz
spec:
  defaultBackend: {service: {name: search-api, port: {number: 80}}}
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: search-api, namespace: search}
spec:
  type: ClusterIP
  selector: {app: search-api}
  ports: [{port: 80}]
"""

# Two replicas and no PodDisruptionBudget: EKS406, in a file nobody stages.
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: billing, namespace: billing}
spec:
  replicas: 2
  selector: {matchLabels: {app: billing}}
  template:
    metadata: {labels: {app: billing}}
    spec:
      containers: [{name: app, image: "billing:1.0"}]
"""


def pre_commit() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("pre-commit is not installed (pip install -e '.[test]'); CI never skips this test")
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    return [sys.executable, "-m", "pre_commit"]


def git(*args: str, cwd: Path) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=True)
    return proc.stdout


def commit_all(repo: Path, message: str) -> None:
    git("add", "-A", cwd=repo)
    git("-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", message, cwd=repo)


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> Path:
    """This checkout as pre-commit would fetch it: every file git would track
    (uncommitted and untracked ones included), committed in a fresh repository."""
    snapshot = tmp_path_factory.mktemp("eksguard-hook-repo")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout
    for name in sorted({os.fsdecode(n) for n in listed.split(b"\0") if n}):
        source = ROOT / name
        if not (source.is_file() or source.is_symlink()) or not os.path.lexists(source):
            continue  # deleted in the working tree
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    git("init", "-q", cwd=snapshot)
    commit_all(snapshot, "snapshot of the working tree")
    return snapshot


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")  # never the user's (try-repo builds its own store)


@pytest.fixture
def platform_repo(tmp_path) -> Path:
    repo = tmp_path / "platform"
    for rel, text in {
        "platform/ingressclass.yaml": DEFAULT_CLASS,
        "apps/search/ingress.yaml": INGRESS,
        "apps/search/service.yaml": SERVICE,
        "apps/billing/deployment.yaml": DEPLOYMENT,
        "README.md": "# platform\n",
    }.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git("init", "-q", cwd=repo)
    commit_all(repo, "platform")
    return repo


def try_repo(hook_repo: Path, home: Path, cwd: Path, hook: str | None, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("GIT_CONFIG_NOSYSTEM", None)
    hook_ids = [hook] if hook else []  # none: every hook of the repository
    proc = subprocess.run([*pre_commit(), "try-repo", str(hook_repo), *hook_ids, "--verbose", *args],
                          cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    if "An unexpected error has occurred" in proc.stdout + proc.stderr:
        log = home / "pre-commit.log"
        pytest.fail(f"pre-commit crashed:\n{proc.stdout}\n{proc.stderr}\n{log.read_text() if log.exists() else ''}")
    return proc


def hook_outputs(stdout: str) -> dict[str, str]:
    """pre-commit's verbose output, split by hook id: {id: what it printed}."""
    out: dict[str, str] = {}
    current = None
    for line in stdout.splitlines():
        if line.startswith("- hook id: "):
            current = line.removeprefix("- hook id: ").strip()
            out[current] = ""
        elif current is not None and re.match(r"^\S.*\.{3,}(Passed|Failed|Skipped)", line):
            current = None
        elif current is not None:
            out[current] += line + "\n"
    return out


def test_hooks_on_a_staged_file(hook_repo, pre_commit_home, platform_repo):
    """Both hooks in one try-repo (each try-repo builds the hook environment anew):
    ``eksguard`` judges the staged Ingress with the IngressClass of another file and
    keeps quiet about unrelated files; ``eksguard-project`` reports everything."""
    ingress = platform_repo / "apps/search/ingress.yaml"
    ingress.write_text(INGRESS.replace("search-api\n  namespace", "search-api-v2\n  namespace"))
    git("add", "apps/search/ingress.yaml", cwd=platform_repo)
    proc = try_repo(hook_repo, pre_commit_home, platform_repo, None, "--files", "apps/search/ingress.yaml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    hooks = hook_outputs(proc.stdout)
    assert set(hooks) == {"eksguard", "eksguard-project"}, proc.stdout
    changed = hooks["eksguard"]
    assert "apps/search/ingress.yaml:2:1: EKS601" in changed
    assert "platform/ingressclass.yaml" in changed  # the cross-file evidence, as a related location
    assert "EKS406" not in changed and "apps/billing" not in changed  # unrelated, unchanged file
    project = hooks["eksguard-project"]
    assert "apps/search/ingress.yaml:2:1: EKS601" in project
    assert "apps/billing/deployment.yaml:2:1: EKS406" in project
