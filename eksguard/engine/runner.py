"""One scan, start to end: discover -> adapters -> platform model -> rules -> findings.

This is the only place that strings the stages together (STYLE section 0); the CLI,
the tests and future integrations (pre-commit, the Action) all call :func:`scan`.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from eksguard.adapters import Sink, Source
from eksguard.discover import discover
from eksguard.engine.rules import Rule, RuleError, load_rules
from eksguard.findings import Finding, Location, Violation
from eksguard.model import Platform
from eksguard.plugins import Plugins


@dataclass
class ScanResult:
    findings: list[Finding]
    rules: list[Rule]
    platform: Platform
    sources: list[Source]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def files_scanned(self) -> int:
        return len(self.sources)


def active_rules(plugins: Plugins) -> list[Rule]:
    from eksguard.builtin import builtin_rule_dir

    return load_rules(plugins.rule_dirs(), builtin=builtin_rule_dir())


def scan(
    paths: list[str],
    plugins: Plugins,
    *,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    rules: list[Rule] | None = None,
    options: dict | None = None,
) -> ScanResult:
    """Scan ``paths``. ``options`` reach every adapter as ``Sink.options`` (Helm values,
    ``render_timeout``...); plugins may add their own keys."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    found = discover(paths, cwd=cwd, stdin=stdin)
    timings["discover"] = time.perf_counter() - started

    started = time.perf_counter()
    sink = Sink(options=dict(options or {}))
    adapters = plugins.loaders()
    skipped = list(found.skipped)
    scanned: list[Source] = []
    for source in found.sources:
        adapter = next((a for a in adapters if a.claims(source)), None)
        if adapter is None:
            continue
        scanned.append(source)
        adapter.lift(source, sink)
    timings["parse"] = time.perf_counter() - started

    started = time.perf_counter()
    rules = rules if rules is not None else active_rules(plugins)
    by_code = {rule.code: rule for rule in rules}
    findings: list[Finding] = []
    for problem in sink.problems:
        rule = by_code.get(problem.code)
        if rule is not None:
            findings.append(rule.finding(problem.violation))
    findings.extend(run_rules(rules, sink.platform, plugins))
    findings.sort(key=Finding.sort_key)
    findings = plugins.process_findings(findings, sink.platform)
    timings["rules"] = time.perf_counter() - started
    return ScanResult(findings, rules, sink.platform, scanned, skipped, timings)


def run_rules(rules: list[Rule], platform: Platform, plugins: Plugins) -> list[Finding]:
    """Every enabled rule over the model. A rule that crashes on odd input is reported
    on stderr and skipped (``EKSGUARD_DEBUG=1`` re-raises): one bug never hides the
    findings of every other rule."""
    checks = plugins.checks()
    findings: list[Finding] = []
    for rule in rules:
        if rule.engine or not rule.default or rule.status == "removed":
            continue
        try:
            findings.extend(rule.finding(v) for v in _violations(rule, platform, checks))
        except RuleError:
            raise
        except Exception as exc:  # noqa: BLE001 - isolation boundary, see docstring
            if os.environ.get("EKSGUARD_DEBUG") == "1":
                raise
            print(f"eksguard: internal error in rule {rule.code} ({type(exc).__name__}: {exc}); "
                  f"rule skipped, please report it", file=sys.stderr)
    return findings


def _violations(rule: Rule, platform: Platform, checks: dict) -> list[Violation]:
    if rule.check is not None:
        check = checks.get(rule.check)
        if check is None:
            raise RuleError(f"{rule.path}: check {rule.check!r} is not registered by any plugin")
        params = {**check.defaults, **rule.params}
        return list(check.func(platform, params))
    from eksguard.engine.declarative import evaluate

    out: list[Violation] = []
    for obj in platform.kinds(*rule.kinds):
        out.extend(evaluate(rule, obj))
    return out


