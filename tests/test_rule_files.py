"""Rule files are data with a contract: valid, consistent with the catalogue, tested, documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from eksguard.builtin import builtin_rule_dir
from eksguard.engine.rules import load_rule, validation_errors
from eksguard.engine.runner import scan

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted(builtin_rule_dir().glob("*/*.yaml"))
CATALOGUE = ROOT.parent / "shared" / "RULES.md"
AREAS = {"engine", "auth", "identity", "networking", "compute", "addons", "ingress", "security"}
AREA_DIGIT = {"engine": "0", "auth": "1", "identity": "2", "networking": "3", "compute": "4",
              "addons": "5", "ingress": "6", "security": "7"}


def ids(paths):
    return [p.stem for p in paths]


@pytest.mark.parametrize("path", RULE_FILES, ids=ids(RULE_FILES))
def test_rule_file_is_valid(path):
    data = yaml.safe_load(path.read_text())
    assert validation_errors(data) == []
    rule = load_rule(path, validate=True)
    assert rule.name == path.stem
    assert rule.area in AREAS
    assert rule.code[3] == AREA_DIGIT[rule.area], "the hundreds digit of a code is its area"
    if rule.fix_applicability == "unsafe":
        assert rule.docs.get("fix_safety"), "a non-safe fix needs docs.fix_safety"


def test_codes_names_and_aliases_are_unique(rules):
    keys = [r.code for r in rules] + [r.name for r in rules] + [a for r in rules for a in r.aliases]
    assert len(keys) == len(set(keys))


def test_rules_ship_inside_the_package_data():
    assert RULE_FILES, "no rule files found"


@pytest.mark.skipif(not CATALOGUE.exists(), reason="../shared/RULES.md is not beside this checkout")
def test_codes_names_and_severities_match_the_catalogue(rules):
    table = {}
    for line in CATALOGUE.read_text().splitlines():
        match = re.match(r"\|\s*(EKS\d{3})\s*\|\s*([a-z0-9-]+)\s*\|\s*(error|warning|note)\s*\|", line)
        if match:
            table[match.group(1)] = (match.group(2), match.group(3))
    for rule in rules:
        if rule.code.startswith("EKS"):
            assert rule.code in table, f"{rule.code} is not in the catalogue"
            assert (rule.name, str(rule.severity)) == table[rule.code]


@pytest.mark.parametrize("path", RULE_FILES, ids=ids(RULE_FILES))
def test_each_rule_has_fail_and_pass_cases(path):
    cases = [p.name for p in (ROOT / "testdata" / "rules" / path.stem).glob("*")] if (ROOT / "testdata" / "rules" / path.stem).exists() else []
    assert any(c.startswith("fail-") for c in cases), f"no fail- case for {path.stem}"
    assert any(c.startswith("pass-") for c in cases), f"no pass- case for {path.stem}"


@pytest.mark.parametrize("path", RULE_FILES, ids=ids(RULE_FILES))
def test_docs_example_fires_and_use_instead_does_not(path, plugins, rules):
    rule = next(r for r in rules if r.name == path.stem)
    diff = None
    if rule.docs.get("example_base"):  # a rule that compares with --diff-base REF: this is REF
        from eksguard.engine.diffbase import DiffBase, base_of

        before = scan(["-"], plugins, stdin=rule.docs["example_base"].encode(), rules=rules).platform
        diff = DiffBase("REF", base=base_of(before, "REF"))
    fired = scan(["-"], plugins, stdin=rule.docs["example"].encode(), rules=rules, diff_base=diff)
    assert rule.code in {f.code for f in fired.findings}, f"docs.example of {rule.code} does not fire"
    fixed = scan(["-"], plugins, stdin=rule.docs["use_instead"].encode(), rules=rules, diff_base=diff)
    assert rule.code not in {f.code for f in fixed.findings}, f"docs.use_instead of {rule.code} still fires"


def test_python_checks_exist_and_params_fit_their_schema(plugins, rules):
    import jsonschema

    checks = plugins.checks()
    for rule in rules:
        if rule.check:
            assert rule.check in checks, f"{rule.code} names unregistered check {rule.check}"
            jsonschema.validate(rule.params, checks[rule.check].params_schema)
