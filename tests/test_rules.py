"""Every rule fixture: the exact set of (file, line, rule) must match its markers.

Conventions (STYLE section 5):
- ``testdata/rules/<rule-name>/fail-*.{yaml,yml,json}`` must fire the rule,
  ``pass-*`` must not; a folder ``fail-*/`` or ``pass-*/`` is one multi-file case.
- A line ending in ``# expect: EKS601`` (codes or names, comma-separated) expects a
  finding on that line. JSON has no comments: ``<file>.json.expect`` lists
  ``LINE CODE`` pairs instead.
- Only the rule under test and the codes named by markers are compared, so a
  fixture does not have to spell out unrelated findings.
- Every single-file YAML/JSON case is also scanned through stdin (``-``) and must give the
  same lines.
- Rules that compare with ``--diff-base REF`` (EKS504): a folder case holding a
  ``diff-base/`` subtree. That subtree is the repository as it was at REF, mirroring the
  rest of the case folder (``fail-x/eks.tf`` then, ``fail-x/diff-base/eks.tf`` at REF);
  the rest is the working tree, scanned whole (every line counts as changed) with the
  platform lifted from ``diff-base/`` as ``platform.base``. Markers in ``diff-base/``
  would never match: put them in the working-tree files only. Changed-line filtering
  itself is tested with real git repositories in ``tests/test_diff_base.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eksguard.engine.runner import scan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "testdata" / "rules"
SUFFIXES = {".yaml", ".yml", ".json", ".sh", ".tf"}
STDIN_SUFFIXES = {".yaml", ".yml", ".json"}  # what stdin can carry
BASE = "diff-base"  # in a folder case: the files at --diff-base REF
MARKER = re.compile(r"#\s*expect:\s*([A-Za-z0-9, -]+?)\s*$")


def cases():
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(rule_dir.iterdir()):
            if not entry.name.startswith(("fail-", "pass-")) or entry.name.endswith(".expect"):
                continue
            if entry.is_file() and entry.suffix not in SUFFIXES:
                continue
            yield pytest.param(rule_dir.name, entry, id=f"{rule_dir.name}/{entry.name}")


def _code(token: str, rules) -> str:
    for rule in rules:
        if token in (rule.code, rule.name):
            return rule.code
    raise AssertionError(f"marker names unknown rule {token!r}")


def expectations(case: Path, rules) -> set[tuple[str, int, str]]:
    files = sorted(p for p in case.rglob("*") if p.is_file() and BASE not in p.relative_to(case).parts[:1]) \
        if case.is_dir() else [case]
    expected = set()
    for path in files:
        rel = path.relative_to(case).as_posix() if case.is_dir() else path.name
        if path.suffix == ".expect":
            continue
        sidecar = path.with_name(path.name + ".expect")
        if sidecar.exists():
            for raw in sidecar.read_text().splitlines():
                if raw.strip() and not raw.startswith("#"):
                    line, token = raw.split()
                    expected.add((rel, int(line), _code(token, rules)))
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = MARKER.search(line)
            if match:
                for token in match.group(1).split(","):
                    expected.add((rel, number, _code(token.strip(), rules)))
    return expected


def actual(result, case: Path, codes: set[str]) -> set[tuple[str, int, str]]:
    base = case if case.is_dir() else case.parent
    out = set()
    for f in result.findings:
        if f.code not in codes:
            continue
        path = f.location.path
        rel = path if path == "<stdin>" else (case.parent / path).resolve().relative_to(base.resolve()).as_posix()
        out.add((rel, f.location.line, f.code))
    return out


@pytest.mark.parametrize("slug, case", list(cases()))
def test_fixture(slug, case, plugins, rules):
    rule = next((r for r in rules if r.name == slug), None)
    assert rule is not None, f"testdata/rules/{slug} names no rule"
    expected = expectations(case, rules)
    codes = {rule.code} | {code for _, _, code in expected}
    paths, diff = [str(case)], None
    if (case / BASE).is_dir():
        from eksguard.engine.diffbase import DiffBase, lift_tree

        paths = [str(p) for p in sorted(case.iterdir()) if p.name != BASE]
        base = lift_tree(plugins, case / BASE, case, case.parent, paths, label=f"{case.name}/{BASE}")
        diff = DiffBase("REF", base=base)
    result = scan(paths, plugins, cwd=case.parent, rules=rules, diff_base=diff)
    assert actual(result, case, codes) == expected
    hits = {e for e in expected if e[2] == rule.code}
    if case.name.startswith("fail-"):
        assert hits, f"{case.name} is a fail- case but expects no {rule.code}"
    else:
        assert not hits, f"{case.name} is a pass- case but expects {rule.code}"
    if case.is_file() and case.suffix in STDIN_SUFFIXES:
        piped = scan(["-"], plugins, cwd=case.parent, stdin=case.read_bytes(), rules=rules)
        assert actual(piped, case, codes) == {("<stdin>", line, code) for _, line, code in expected}
