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
from eksguard.engine.parallel import collector_paused, lift_sources
from eksguard.engine.retention import base_keep, retention_for
from eksguard.engine.rules import Rule, RuleError, load_rules
from eksguard.engine.suppress import TextLog, apply_suppressions
from eksguard.findings import Finding, Violation
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
    #: Findings silenced by a comment or annotation (each with ``.suppression``); never counted.
    suppressed: list[Finding] = field(default_factory=list)
    #: With ``options["baseline"]``: known findings it hid, and its entries that are gone.
    baselined: list[Finding] = field(default_factory=list)
    gone: list = field(default_factory=list)
    baseline: object = None
    #: With ``diff_base``: the :class:`eksguard.engine.diffbase.DiffBase` (changed lines,
    #: REF's platform, how many findings on unchanged lines were not reported).
    diff: object = None

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
    config=None,
    diff_base=None,
    progress=None,
) -> ScanResult:
    """Scan ``paths``. ``options`` reach every adapter as ``Sink.options`` (Helm values,
    ``render_timeout``...); plugins may add their own keys. The engine reads
    ``suppressions`` / ``require_reasons`` (``engine/suppress.py``) and ``baseline``
    (a loaded ``engine.baseline.Baseline``). ``config`` (:class:`eksguard.config.Config`)
    excludes sources, selects and adjusts the rules, and filters findings.
    ``diff_base`` (a git revision, or a prepared ``engine.diffbase.DiffBase``) keeps only
    findings the change since that revision is responsible for, and gives checks
    ``platform.base`` (see :mod:`eksguard.engine.diffbase`). ``progress(done, total, what)``
    is called as sources are read (the CLI draws it on a terminal). ``options["jobs"]``
    caps the processes that lift sources (default: every core, one for a small scan),
    ``options["cache"] = False`` turns off the parse cache (:mod:`eksguard.engine.parallel`,
    :mod:`eksguard.engine.cache`) and ``options["retain"] = False`` keeps every lifted
    object in the model, read by a rule or not (:mod:`eksguard.engine.retention`; for
    embedders that walk ``ScanResult.platform``); none of them reaches adapters."""
    with collector_paused():  # lifting and rules only allocate what the scan keeps
        return _scan(paths, plugins, cwd, stdin, rules, options, config, diff_base, progress)


def _scan(paths, plugins, cwd, stdin, rules, options, config, diff_base, progress) -> ScanResult:
    timings: dict[str, float] = {}
    diff = None
    if diff_base is not None:
        from eksguard.engine.diffbase import DiffBase, open_diff

        started = time.perf_counter()
        diff = diff_base if isinstance(diff_base, DiffBase) else open_diff(
            diff_base, paths, plugins, cwd=cwd or Path.cwd(), options=options)
        timings["diff-base"] = time.perf_counter() - started
    started = time.perf_counter()
    found = discover(paths, cwd=cwd, stdin=stdin)
    if config is not None:
        config.exclude_sources(found)
    timings["discover"] = time.perf_counter() - started

    started = time.perf_counter()
    if rules is None:
        rules = config.rules(plugins) if config is not None else active_rules(plugins)
    # Before lifting: what the rules can read is all the model keeps (engine/retention.py).
    retention = retention_for(rules, plugins) if (options or {}).get("retain", True) else None
    if diff is not None and diff.base is not None:
        diff.base.retention = retention  # REF's unchanged files then come from this scan's cache entries
        if retention is not None:  # and REF keeps only what the comparing checks read there
            diff.base.keep = base_keep(rules, plugins)
    loading_rules = time.perf_counter() - started

    started = time.perf_counter()
    sink = Sink(options={k: v for k, v in (options or {}).items() if k not in ("jobs", "cache", "retain")})
    skipped = list(found.skipped)
    texts = TextLog(cwd or Path.cwd())  # suppression comments, seen as adapters read
    # With REF to compare: what each file lifted to, for REF's files that are today's as they are
    lifted = {} if diff is not None and diff.base is not None else None
    scanned = lift_sources(found.sources, plugins.loaders(), sink, texts, jobs=(options or {}).get("jobs"),
                           cache=(options or {}).get("cache", True), progress=progress, retention=retention,
                           record=lifted)
    if lifted is not None:
        diff.base.today = lifted
    timings["parse"] = time.perf_counter() - started

    started = time.perf_counter()
    by_code = {rule.code: rule for rule in rules}
    if diff is not None:
        sink.platform.base = diff.base
    findings: list[Finding] = []
    for problem in sink.problems:
        rule = by_code.get(problem.code)
        if rule is not None:
            findings.append(rule.finding(problem.violation))
    findings.extend(judge(rules, sink.platform, plugins, (options or {}).get("jobs")))
    findings.sort(key=Finding.sort_key)
    findings = plugins.process_findings(findings, sink.platform)
    findings, suppressed = apply_suppressions(findings, texts, rules=rules, sources=scanned, platform=sink.platform,
                                              options=sink.options, catalogue=lambda: active_rules(plugins))
    if config is not None:  # after suppressions, so a comment in an ignored file is not "unused"
        findings = config.filter_findings(findings)
    baseline, baselined, gone = sink.options.get("baseline"), [], []
    if baseline is not None:
        findings, baselined, gone = baseline.apply(findings, suppressed, scanned, texts.cwd)
    if diff is not None:  # last: baselines and unused suppressions judge the whole scan
        checks = plugins.checks()
        always = {r.code for r in rules if r.check and getattr(checks.get(r.check), "compares_base", False)}
        findings = diff.select(findings, sink.platform, scanned, always=always)
        suppressed = diff.select(suppressed, sink.platform, scanned, always=always, count=False)
        diff.close()
    timings["rules"] = loading_rules + time.perf_counter() - started
    return ScanResult(findings, rules, sink.platform, scanned, skipped, timings,
                      suppressed=suppressed, baselined=baselined, gone=gone, baseline=baseline, diff=diff)


def judge(rules: list[Rule], platform: Platform, plugins: Plugins, jobs: int | None = None) -> list[Finding]:
    """:func:`run_rules`, on several processes when the model is big and cores allow
    (``jobs`` as ``--jobs``; :mod:`eksguard.engine.split_rules`); the same findings
    either way."""
    from eksguard.engine import split_rules

    count = split_rules.processes(platform, rules, jobs)
    if count > 1:
        return split_rules.run_split(rules, platform, plugins, run_rules, count)
    return run_rules(rules, platform, plugins)


def run_rules(rules: list[Rule], platform: Platform, plugins: Plugins) -> list[Finding]:
    """Every enabled rule over the model. A rule that crashes on odd input is reported
    on stderr and skipped (``EKSGUARD_DEBUG=1`` re-raises): one bug never hides the
    findings of every other rule."""
    checks = plugins.checks()
    findings: list[Finding] = []
    for rule in rules:
        if not rule.judges_model:
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


