"""Which real renderers this machine has, for the chart and kustomize tests.

A test that needs one skips when it is missing, except under CI (``CI=true``), where
.ci/run installs them all: there a missing renderer fails the test instead.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import textwrap
from pathlib import Path

import pytest


def helm_engine() -> str | None:
    """``binary`` (helm on PATH), ``sdk`` (helm-python-sdk importable) or None."""
    if shutil.which("helm"):
        return "binary"
    if importlib.util.find_spec("helm_python") is not None:
        return "sdk"
    return None


def has_sdk() -> bool:
    return importlib.util.find_spec("helm_python") is not None


def require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


ROOT = Path(__file__).resolve().parent.parent


def run(plugins, rules, *paths, cwd=ROOT, **options):
    """Scan ``paths`` with the session's plugins and rules and scan ``options``."""
    from eksguard.engine.runner import scan

    return scan([str(p) for p in paths], plugins, cwd=cwd, rules=rules, options=options)


def hits(result, *codes):
    """``(path, line, column, code)`` of the findings (of ``codes``), sorted."""
    return sorted((f.location.path, f.location.line, f.location.column, f.code)
                  for f in result.findings if not codes or f.code in codes)


def write(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: dedented text}`` below ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root
