"""Every rule reads the model defensively, for Terraform and scripts too: the sibling of
``test_wrong_types.py`` (YAML manifests and eksctl configs) for ``.tf`` and shell fixtures.

- Terraform: each attribute value of a fixture is replaced, one at a time, by a value of
  another type (a list, a map, a number, a string, null, a bool, an unknown reference),
  and each nested block by an attribute of the block's name (``access_config = "x"``).
- Scripts: each flag value (``--flag value``, ``--flag=value``) and each ``KEY=VALUE`` is
  replaced by values of the wrong shape (JSON where shorthand belongs, shorthand where a
  number belongs, empty, huge, unterminated quotes...).

Each variant is scanned with every rule and ``EKSGUARD_DEBUG=1`` (conftest), so a rule or
adapter that raises fails the test. Fixture folders are copied whole, one file mutated.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from eksguard.engine.runner import scan

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "testdata" / "rules"
MAX_VARIANTS = 16

TF_WRONG = ['["not", "a", "string"]', '{not = "a map", n = [1]}', "42", '"a string"', "null", "true",
            "var.undefined_input", '[{a = 1}, "b", 3]', "{}", "[]", '"${var.x}"', "-1"]
SHELL_WRONG = ['\'{"a": [1, 2], "b": {"c": null}}\'', "[1,2]", "key=value,other=[a,b]", '""', "null", "-1",
               "99999999999999999999", "true", "$UNDEFINED", "'unterminated", "file://missing.json", "a b",
               "'{\"clusterLogging\": \"api\"}'", "authenticationMode=[API]"]


def _fixtures(suffix: str) -> list[Path]:
    files = sorted(p for p in RULES.rglob(f"*{suffix}") if p.is_file() and ".fixed" not in p.name
                   and not any(".fixed" in part for part in p.relative_to(RULES).parts))
    return files


def _case(path: Path) -> tuple[Path, Path]:
    """(the folder to copy, the file's path inside it): a fixture folder, or the file alone."""
    rel = path.relative_to(RULES)
    if len(rel.parts) > 2:
        case = RULES / rel.parts[0] / rel.parts[1]
        return case, path.relative_to(case)
    return path, Path(path.name)


def _sample(variants: list[str]) -> list[str]:
    step = max(1, len(variants) // MAX_VARIANTS)
    return variants[::step][:MAX_VARIANTS]


# -- Terraform ----------------------------------------------------------------------------


def tf_variants(text: str) -> list[str]:
    from eksguard.adapters.terraform import hcl

    parsed = hcl.parse(text)
    data = parsed.data
    spans: list[tuple[int, int, str]] = []  # byte range -> replacement
    stack = [parsed.tree.root_node]
    count = 0
    while stack:
        node = stack.pop()
        if node.type == "attribute":
            expr = next((c for c in node.children if c.type == "expression"), None)
            if expr is not None:
                for shift in range(len(TF_WRONG)):
                    spans.append((expr.start_byte, expr.end_byte, TF_WRONG[(count + shift) % len(TF_WRONG)]))
                count += 1
        elif node.type == "block" and node.parent is not None and node.parent.parent is not None \
                and node.parent.parent.type == "block":  # a nested block: becomes an attribute
            name = data[node.children[0].start_byte:node.children[0].end_byte].decode()
            for shift in range(len(TF_WRONG)):
                spans.append((node.start_byte, node.end_byte, f"{name} = {TF_WRONG[(count + shift) % len(TF_WRONG)]}"))
            count += 1
        stack.extend(reversed(node.children))
    out = []
    for start, end, value in spans:
        out.append((data[:start] + value.encode() + data[end:]).decode("utf-8", "replace"))
    return _sample(out)


# -- scripts ------------------------------------------------------------------------------

_FLAG_VALUE = re.compile(r"(--[a-z][a-z0-9-]*)([= ])(\"[^\"\n]*\"|'[^'\n]*'|[^\s\\'\"]+)")
_ENV_VALUE = re.compile(r"\b([A-Z][A-Z0-9_]{2,}=)(\"[^\"\n]*\"|'[^'\n]*'|[^\s\\]*)")


def shell_variants(text: str) -> list[str]:
    out = []
    count = 0
    for pattern, group in ((_FLAG_VALUE, 3), (_ENV_VALUE, 2)):
        for match in pattern.finditer(text):
            for shift in range(len(SHELL_WRONG)):
                wrong = SHELL_WRONG[(count + shift) % len(SHELL_WRONG)]
                out.append(text[:match.start(group)] + wrong + text[match.end(group):])
            count += 1
    return _sample(out)


# -- the test -----------------------------------------------------------------------------

CASES = [(p, tf_variants) for p in _fixtures(".tf")] + [(p, shell_variants) for p in _fixtures(".sh")]


@pytest.mark.parametrize("path,variants", CASES, ids=[p.relative_to(RULES).as_posix() for p, _ in CASES])
def test_rules_survive_wrong_types(path, variants, plugins, rules):
    case, inside = _case(path)
    texts = variants(path.read_text(encoding="utf-8-sig"))
    with tempfile.TemporaryDirectory(prefix="eksguard-wrong-") as tmp:
        root = Path(tmp) / "case"
        if case.is_dir():
            shutil.copytree(case, root, symlinks=True)
        else:
            root.mkdir()
        for text in texts:
            (root / inside).write_text(text, encoding="utf-8")
            scan([str(root)], plugins, cwd=root, rules=rules, options={"cache": False, "jobs": 1})  # raises on a crash
