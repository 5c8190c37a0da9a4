"""No rule's work grows faster than the repository.

A cross-file rule that, for each object, walks every object of another kind is
quadratic: unnoticed at a few hundred files, it dominated the rules at 20,000 (EKS104
took 0.56 s of 1.9 s there, bench/ and ``python bench/memory.py``). Time is the wrong
measure in a test (machines differ), so this counts work: the Python and C function
calls each rule makes (``sys.setprofile``), over bench/'s generated repository at
:data:`SMALL` files and four times that. Linear work grows ~4x; a rule that walks N
objects for each of N grows ~16x (EKS104 and EKS103 grew 10x and 8x before their
lookups were indexed).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from eksguard.engine import runner
from eksguard.plugins import get_plugins

BENCH = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
SMALL = 400
#: At most this many times the work for four times the files, with room for rules whose
#: groups grow with the repository (an IngressGroup's members) and for a rule with
#: little to do at SMALL (``SLACK`` calls).
GROWTH = 6
SLACK = 1000


def _generate():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def _calls_per_rule(folder: Path, plugins) -> dict[str, int]:
    result = runner.scan([str(folder)], plugins, options={"jobs": 1, "cache": False})
    checks = plugins.checks()
    counts: dict[str, int] = {}
    for rule in result.rules:
        if not rule.judges_model:
            continue
        result.platform._derived.clear()  # every rule builds the shared views it reads
        count = 0

        def profile(frame, event, arg):
            nonlocal count
            count += 1

        sys.setprofile(profile)
        try:
            list(runner._violations(rule, result.platform, checks))
        finally:
            sys.setprofile(None)
        counts[rule.code] = count
    return counts


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    generate = _generate()
    plugins = get_plugins()
    root = tmp_path_factory.mktemp("scaling")
    out = {}
    for files in (SMALL, 4 * SMALL):
        generate(root / str(files), files)
        out[files] = _calls_per_rule(root / str(files), plugins)
    return out


def test_every_rule_has_work_at_both_sizes(work):
    """The generated repository exercises the catalogue: a rule with nothing to read
    would pass the growth test below whatever it did."""
    idle = [code for code, calls in work[4 * SMALL].items() if calls < 50]
    assert len(idle) <= 3, idle


def test_no_rule_grows_faster_than_the_repository(work):
    small, large = work[SMALL], work[4 * SMALL]
    grew = {code: round(large[code] / max(small[code], 1), 1) for code in small
            if large[code] > GROWTH * small[code] + SLACK}
    assert not grew, f"work for 4x the files grew by more than {GROWTH}x: {grew}"
