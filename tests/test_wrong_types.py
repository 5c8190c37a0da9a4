"""Every rule reads the model defensively: values of the wrong type never crash a rule.

For every single-file YAML fixture, each mapping value down to a small depth is
replaced, one at a time, by a value of another type (a mapping by a list, a list by a
string, a string by a mapping, a number by a string...). The scan runs with
``EKSGUARD_DEBUG=1`` (set in conftest), so a rule that raises fails this test instead of
being skipped with a message on stderr.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from eksguard.engine.runner import scan

ROOT = Path(__file__).resolve().parent.parent


def _documents(path: Path) -> list | None:
    """The fixture's documents, or None for fixtures that are broken on purpose (not
    YAML, not text, templates, deeper than PyYAML's Python loader recurses)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        if "{{" in text or len(text) > 20_000:
            return None
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return None


FIXTURES = sorted(p for p in (ROOT / "testdata" / "rules").glob("*/*.yaml") if _documents(p) is not None)
MAX_DEPTH = 5
MAX_VARIANTS = 40


def _wrong(value: object) -> object:
    if isinstance(value, dict):
        return ["not", "a", "mapping"]
    if isinstance(value, list):
        return "not-a-list"
    if isinstance(value, bool):
        return {"not": "a bool"}
    if isinstance(value, (int, float)):
        return "not-a-number"
    if isinstance(value, str):
        return {"not": ["a", "string"]}
    return 7


def _paths(node: object, prefix: tuple = (), depth: int = 0):
    if depth >= MAX_DEPTH:
        return
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield prefix + (key,)
        yield from _paths(value, prefix + (key,), depth + 1)


def _variants(documents: list) -> list[str]:
    out = []
    for index, doc in enumerate(documents):
        for path in _paths(doc):
            mutated = copy.deepcopy(documents)
            node = mutated[index]
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = _wrong(node[path[-1]])
            out.append(yaml.safe_dump_all(mutated, sort_keys=False))
    step = max(1, len(out) // MAX_VARIANTS)
    return out[::step][:MAX_VARIANTS]


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURES])
def test_rules_survive_wrong_types(path, plugins, rules):
    for text in _variants(_documents(path)):
        scan(["-"], plugins, stdin=text.encode(), rules=rules)  # raises on any crash
