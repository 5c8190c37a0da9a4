"""Fuzzing the adapters with hypothesis: whatever the bytes, a scan never raises, and every
finding points at a 1-based line and column inside its file.

The strategies (``tests/fuzz_strategies.py``) draw plausible Kubernetes YAML, Terraform,
plan JSON, shell scripts and workflow files, then damage them. Each example is scanned
by the real :func:`eksguard.engine.runner.scan` with every rule (``EKSGUARD_DEBUG=1``
from conftest: a crashing adapter or rule fails the test). Deterministic for CI
(``derandomize``, no example database) and short; ``tests/fuzz_long.py`` runs the same
properties for as long as you like.

Inputs that once crashed are kept in ``testdata/fuzz/`` and replayed here, each by name:
``<case>/<file>`` is scanned as a folder, so a case may hold several files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eksguard.engine.runner import scan
from fuzz_strategies import API_VERSIONS, TF_TYPES, damaged, shell_text, tf_text, tfvars_text, workflow_text, \
    yaml_text, yaml_value

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "testdata" / "fuzz"
#: ``tests/fuzz_long.py`` raises the count and draws at random (``EKSGUARD_FUZZ_RANDOM=1``).
EXAMPLES = int(os.environ.get("EKSGUARD_FUZZ_EXAMPLES", "40"))
RANDOM = os.environ.get("EKSGUARD_FUZZ_RANDOM") == "1"

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
_BREAKS = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


def _text(data: bytes) -> str:
    from eksguard.adapters.source import Unreadable, decode

    try:
        return decode(data)
    except Unreadable:
        return data.decode("utf-8", "replace")


def scan_files(files: dict[str, bytes], plugins, rules) -> list:
    """Scan ``files`` (relative path -> bytes) as one folder; check every position."""
    with tempfile.TemporaryDirectory(prefix="eksguard-fuzz-") as tmp:
        root = Path(tmp)
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        result = scan([str(root)], plugins, cwd=root, rules=rules, options={"cache": False, "jobs": 1})
    for finding in result.findings + result.suppressed:
        where = finding.location
        assert where.path in files, (where.path, finding.message)
        text = _text(files[where.path])
        lines = len(_BREAKS.split(text))  # libyaml also breaks lines at \r, NEL, LS and PS
        widest = max(len(line) for line in text.split("\n")) + 1
        assert 1 <= where.line <= lines, (where, finding.code, finding.message)
        assert 1 <= where.column <= widest, (where, finding.code, finding.message)
    return result.findings


@FUZZ
@given(st.lists(yaml_text(), min_size=1, max_size=2))
def test_yaml(plugins, rules, texts):
    scan_files({f"k8s/doc{i}.yaml": text for i, text in enumerate(texts)}, plugins, rules)


@FUZZ
@given(tf_text(), st.one_of(st.none(), tf_text()), st.one_of(st.none(), tfvars_text))
def test_terraform(plugins, rules, main, variables, tfvars):
    files = {"infra/main.tf": main}
    if variables is not None:
        files["infra/variables.tf"] = variables
    if tfvars is not None:
        files["infra/terraform.tfvars"] = tfvars
    scan_files(files, plugins, rules)


@st.composite
def plan_json(draw) -> bytes:
    resources = [{"address": f"{kind}.x", "mode": draw(st.sampled_from(["managed", "data"])), "type": kind,
                  "name": "x", "values": draw(yaml_value)}
                 for kind in draw(st.lists(st.sampled_from(TF_TYPES), max_size=3))]
    plan = {"format_version": "1.2", "planned_values": {"root_module": {
        "resources": resources, "child_modules": [{"address": "module.eks", "resources": resources}]}}}
    if draw(st.booleans()):
        plan["resource_changes"] = [{"address": r["address"], "type": r["type"], "name": "x",
                                     "change": {"actions": ["create"], "after": r["values"]}} for r in resources]
    text = json.dumps(plan, indent=draw(st.sampled_from([None, 1])), ensure_ascii=False, default=str)
    return draw(damaged(text))


@FUZZ
@given(plan_json(), st.lists(yaml_value, max_size=2).map(lambda v: json.dumps(
    {"apiVersion": API_VERSIONS[0], "kind": "List", "items": v}, default=str).encode()))
def test_json(plugins, rules, plan, manifest):
    scan_files({"plan.json": plan, "list.json": manifest}, plugins, rules)


@FUZZ
@given(shell_text(), workflow_text())
def test_scripts(plugins, rules, script, workflow):
    scan_files({"deploy.sh": script, "Makefile": b"deploy:\n\t" + script.replace(b"\n", b"\n\t"),
                ".github/workflows/ci.yml": workflow}, plugins, rules)


CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_corpus(plugins, rules, case):
    """Inputs that crashed an adapter or a rule once, kept as regression fixtures."""
    files = {p.relative_to(case).as_posix(): p.read_bytes() for p in sorted(case.rglob("*")) if p.is_file()}
    scan_files(files, plugins, rules)
