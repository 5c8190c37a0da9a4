"""``yaml_edit``: ruamel.yaml told the file's own indentation, and comments kept when a
key is removed (table tests; the goldens in testdata/rules/*/fix-* cover whole files)."""

from __future__ import annotations

import pytest

from eksguard.engine.fix.edits import apply_edits
from eksguard.engine.fix.yaml_edit import _guess_indent, edit_region, remove_key, set_key

K8S_STYLE = "spec:\n  ports:\n    - name: a\n      port: 1\n  selector:\n    app: x\n"
FLUSH_LISTS = "spec:\n  ports:\n  - name: a\n    port: 1\n"
FOUR = "spec:\n    ports:\n        -   name: a\n"


@pytest.mark.parametrize("text,expected", [
    (K8S_STYLE, (2, 4, 2)),
    (FLUSH_LISTS, (2, 2, 0)),
    (FOUR, (4, 8, 4)),
    ("a: 1\n", (2, 2, 0)),
    # two documents: ruamel's own guess refuses a stream; this one reads lines
    ("a:\n  b: 1\n---\nc:\n  - d\n", (2, 4, 2)),
])
def test_guess_indent(text, expected):
    assert _guess_indent(text) == expected


def edit(text: str, *operations) -> str:
    lines = text.split("\n")[:-1]
    return apply_edits(text, edit_region(lines, 1, "", list(operations)))


def test_a_key_added_in_the_kubernetes_style_keeps_every_other_line():
    text = "metadata:\n  name: a\n  annotations:\n    x: y\nspec:\n  ports:\n    - port: 1\n"
    out = edit(text, (set_key, ("metadata", "annotations", "z"), "ip"))
    assert out == text.replace("    x: y\n", "    x: y\n    z: ip\n")


def test_removing_a_key_keeps_the_comment_of_the_next_one():
    text = "a:\n  # about x\n  x: 1  # eol of x\n  # about y\n  y: 2\n"
    assert edit(text, (remove_key, ("a", "x"), None)) == "a:\n  # about x\n  # about y\n  y: 2\n"


def test_removing_a_block_scalar_removes_its_hash_lines():
    text = "a:\n  x: |\n    line\n    # not a comment\n\n  # about y\n  y: 2\n"
    assert edit(text, (remove_key, ("a", "x"), None)) == "a:\n  # about y\n  y: 2\n"
