import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A crashing rule must fail the tests, not be reported on stderr and skipped.
os.environ.setdefault("EKSGUARD_DEBUG", "1")
# Tests never share the user's cache (and CI machines start with none).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="eksguard-test-cache-")
# EKS503 judges cluster versions against the scan date: pin it so results never depend
# on the day the suite runs (subprocesses such as the SARIF snapshot inherit it).
os.environ.setdefault("EKSGUARD_TODAY", "2026-09-01")
# `--format auto` means `github` under GitHub Actions: tests expect the text default.
os.environ.pop("GITHUB_ACTIONS", None)


@pytest.fixture(scope="session")
def plugins():
    from eksguard.plugins import get_plugins

    return get_plugins(load_entrypoints=False)


@pytest.fixture(scope="session")
def rules(plugins):
    from eksguard.engine.runner import active_rules

    return active_rules(plugins)


@pytest.fixture
def renders(monkeypatch, tmp_path):
    """Every run of a renderer (helm, helm-python-sdk's child, kubectl, kustomize) this
    test makes, counted, with a parse cache folder of the test's own."""
    from eksguard.adapters import render

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("EKSGUARD_NO_CACHE", raising=False)
    calls = []
    real = render.run_bounded

    def counted(argv, **kwargs):
        calls.append(argv)
        return real(argv, **kwargs)

    monkeypatch.setattr(render, "run_bounded", counted)
    return calls
