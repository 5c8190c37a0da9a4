"""Which real renderers this machine has, for the chart and kustomize tests.

A test that needs one skips when it is missing, except under CI (``CI=true``), where
.ci/run installs them all: there a missing renderer fails the test instead.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

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
