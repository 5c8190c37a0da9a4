"""Generated docs are up to date, and every hook is documented for plugin authors."""

from __future__ import annotations

import inspect
from pathlib import Path

from eksguard import hookspecs
from eksguard.docs import generated_docs

ROOT = Path(__file__).resolve().parent.parent


def test_generated_rule_docs_are_current(rules):
    for rel, content in generated_docs(rules).items():
        path = ROOT / "docs" / rel
        assert path.exists(), f"docs/{rel} is missing: run `eksguard dev gen-docs`"
        assert path.read_text(encoding="utf-8") == content, f"docs/{rel} is stale: run `eksguard dev gen-docs`"
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs" / "rules").glob("*.md")}
    assert pages <= set(generated_docs(rules)), "docs/rules holds pages of rules that no longer exist"


def test_every_hookspec_is_documented_with_its_signature():
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    for name, func in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("eksguard_"):
            params = ", ".join(inspect.signature(func).parameters)
            assert f"{name}({params})" in text, f"docs/plugins.md does not document {name}({params})"
