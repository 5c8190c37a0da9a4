"""Suppressions: in-source comments and the ``eksguard.io/ignore`` object annotation.

Forms (STYLE section 7, documented for users in ``docs/suppression.md``)::

    key: value  # eksguard: ignore[EKS603] reason       that line
    # eksguard: ignore[EKS603,EKS601] reason            alone: the next line that is not a comment
    # eksguard: disable[EKS603] reason                  until enable[EKS603] (or the end of the file)
    # eksguard: enable[EKS603]
    # eksguard: disable-file[EKS603] reason             the whole file
    metadata: {annotations: {eksguard.io/ignore: "EKS603: reason; EKS601: reason"}}

``#`` comments in YAML, HCL and scripts, ``//`` comments in HCL. Selectors are codes,
rule names (or aliases) and code prefixes with at least one digit (``EKS6``); there is
no blanket form. A further `` # `` comment on the same line ends the reason.

Comments are found without reading any file twice: while adapters lift, the runner
watches every text they read (:data:`eksguard.adapters.source.TEXT_OBSERVER`) and keeps
the few that contain ``eksguard:``. A file with findings that was not read through
:func:`~eksguard.adapters.source.read_text` is read afterwards.

Suppressed findings stay in the result (``ScanResult.suppressed``, each with a
:class:`~eksguard.findings.Suppression`); they never count for the exit code. EKS003
reports a suppression that silenced nothing, judged only for rules that ran, and only in
files inside the scanned inputs. With ``require_reasons`` a suppression without a reason
is not applied (the finding stays) and is itself an EKS003.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from eksguard.findings import Finding, Location, ObjectRef, Suppression, Violation

if TYPE_CHECKING:
    from eksguard.adapters import Source
    from eksguard.engine.rules import Rule
    from eksguard.model import Platform

UNUSED_CODE = "EKS003"
ANNOTATION = "eksguard.io/ignore"
MARKER = "eksguard:"
STDIN = "<stdin>"
MAX_FALLBACK_BYTES = 50 * 1024 * 1024

# A comment starts a line or follows whitespace (YAML's rule; also keeps URLs out).
_COMMENT = re.compile(r"(?:^|(?<=\s))(?:#|//)[ \t]*eksguard:[ \t]*(?P<body>.*?)(?=\s(?:#|//)[ \t]*eksguard:|$)")
_DIRECTIVE = re.compile(r"(?P<kind>disable-file|disable|enable|ignore)[ \t]*\[(?P<selectors>[^\]]*)\](?P<rest>.*)$")
# The reason ends where another comment starts (`# expect: ...`, `# noqa`, a second directive).
_REASON_END = re.compile(r"\s(?:#|//)\s|\s(?:#|//)\s*eksguard:")
_PREFIX = re.compile(r"[A-Z]+[0-9]+")
_ENDLESS = 1 << 62


# -- what was read --------------------------------------------------------------------

def _key(path: str | os.PathLike, cwd: Path) -> str:
    """One spelling per file: the absolute, normalised path (``<stdin>`` as is)."""
    if str(path) == STDIN:
        return STDIN
    return os.path.normpath(os.path.join(cwd, path))


def _display(key: str, cwd: Path) -> str:
    """How findings name the file (as :func:`eksguard.discover.display_path`)."""
    if key == STDIN:
        return key
    try:
        return Path(key).relative_to(cwd).as_posix() or "."
    except ValueError:
        return Path(key).as_posix()


class TextLog:
    """The texts adapters read during one scan that mention ``eksguard:``."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.seen: set[str] = set()
        self.texts: dict[str, str] = {}

    def observe(self, source: "Source", text: str) -> None:
        key = STDIN if source.path is None else _key(source.path, self.cwd)
        self.seen.add(key)
        if MARKER in text:
            self.texts[key] = text

    @contextmanager
    def watching(self) -> Iterator["TextLog"]:
        from eksguard.adapters.source import TEXT_OBSERVER

        token = TEXT_OBSERVER.set(self.observe)
        try:
            yield self
        finally:
            TEXT_OBSERVER.reset(token)

    def text(self, key: str) -> str | None:
        """The text of a file with findings: what an adapter read, else read now (once)."""
        if key in self.texts or key in self.seen or key == STDIN:
            return self.texts.get(key)
        self.seen.add(key)
        from eksguard.adapters.source import overlay_text

        if (overlaid := overlay_text(key)) is not None:
            self.texts[key] = overlaid
            return overlaid
        try:
            if os.path.getsize(key) > MAX_FALLBACK_BYTES:
                return None
            with open(key, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if b"\x00" in data or MARKER.encode() not in data:
            return None
        text = data.decode("utf-8-sig", errors="replace")
        self.texts[key] = text
        return text


class Scope:
    """Which files the scan was asked about: a directive or a baseline entry outside
    them (a Terraform sibling read for context, a kustomize base) is not judged."""

    def __init__(self, sources: list["Source"], cwd: Path):
        self.files: set[str] = set()
        self.folders: list[str] = []
        for source in sources:
            if source.path is None:
                self.files.add(STDIN)
            elif source.is_dir:
                self.folders.append(_key(source.path, cwd).rstrip(os.sep) + os.sep)
            else:
                self.files.add(_key(source.path, cwd))

    def __contains__(self, key: str) -> bool:
        return key in self.files or any(key.startswith(folder) for folder in self.folders)


# -- directives -----------------------------------------------------------------------

@dataclass
class Directive:
    """One suppression as written: a comment, or one entry of the annotation."""

    kind: str  # ignore | disable | enable | disable-file | annotation | malformed
    selectors: list[str]
    reason: str
    location: Location
    text: str  # as written, for messages: ignore[EKS603]
    #: For comments: selector -> (first, last) line it covers.
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    target: ObjectRef | None = None  # annotation: the object it is on
    json_path: str = ""
    problem: str | None = None  # why it is not a valid directive
    alone: bool = False  # a comment alone on its line (an ignore then covers the next line)
    used: set[str] = field(default_factory=set)
    #: For comments: 1-based columns (end exclusive) of the whole directive with its
    #: reason, and of the codes between its brackets (what EKS003's fix edits).
    extent: tuple[int, int] | None = None
    codes_at: tuple[int, int] | None = None


def _reason(rest: str) -> str:
    cut = _REASON_END.search(rest)
    if cut:
        rest = rest[: cut.start()]
    return rest.strip().lstrip("-:—–").strip()


def _split(selectors: str) -> list[str]:
    return [s.strip() for s in selectors.split(",") if s.strip()]


def parse_comments(text: str, display: str) -> list[Directive]:
    """Every ``eksguard:`` comment of a file, with the lines each selector covers."""
    lines = text.splitlines()
    out: list[Directive] = []
    standalone: set[int] = set()
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        if stripped.startswith(("#", "//")):
            standalone.add(number)
        if MARKER not in line:
            continue
        for match in _COMMENT.finditer(line):
            body = match.group("body")
            column = match.start() + 1
            where = Location(display, number, column)
            parsed = _DIRECTIVE.match(body)
            if parsed is None:
                word = (body.split() or [""])[0].split("[")[0]
                out.append(Directive("malformed", [], "", where, f"eksguard: {word}".strip(),
                                     problem=_malformed(word)))
                continue
            kind = parsed.group("kind")
            selectors = _split(parsed.group("selectors"))
            directive = Directive(kind, selectors, _reason(parsed.group("rest")), where,
                                  f"{kind}[{','.join(selectors)}]", alone=number in standalone)
            body_at = match.start("body")
            cut = _REASON_END.search(parsed.group("rest"))
            end = body_at + parsed.start("rest") + cut.start() if cut else match.end()
            directive.extent = (column, end + 1)
            directive.codes_at = (body_at + parsed.start("selectors") + 1, body_at + parsed.end("selectors") + 1)
            if not selectors:
                directive.problem = f"{kind}[] names no codes: there is no blanket suppression"
            out.append(directive)
    _spans(out, standalone, len(lines))
    return out


def _malformed(word: str) -> str:
    if word in ("ignore", "disable", "enable", "disable-file"):
        return (f"'eksguard: {word}' names no codes: there is no blanket suppression, "
                f"write {word}[EKS603] reason")
    return (f"'eksguard: {word}' is not a suppression: write ignore[CODES], disable[CODES], "
            f"enable[CODES] or disable-file[CODES]")


def _spans(directives: list[Directive], standalone: set[int], last_line: int) -> None:
    """The lines each selector of each comment covers; pairs ``disable`` with ``enable``."""
    open_blocks: dict[str, Directive] = {}
    for directive in directives:
        if directive.problem:
            continue
        line = directive.location.line
        if directive.kind == "ignore":
            target = line
            if directive.alone:
                target = line + 1
                while target in standalone:
                    target += 1
            directive.spans = {s: (target, target) for s in directive.selectors}
        elif directive.kind == "disable-file":
            directive.spans = {s: (1, _ENDLESS) for s in directive.selectors}
        elif directive.kind == "disable":
            for selector in directive.selectors:
                directive.spans[selector] = (line, _ENDLESS)
                open_blocks[_norm(selector)] = directive
        elif directive.kind == "enable":
            unmatched = []
            for selector in directive.selectors:
                opener = open_blocks.pop(_norm(selector), None)
                if opener is None:
                    unmatched.append(selector)
                    continue
                for name, (first, _) in opener.spans.items():
                    if _norm(name) == _norm(selector):
                        opener.spans[name] = (first, line)
            if unmatched:
                directive.problem = f"enable[{','.join(unmatched)}] closes no disable[{','.join(unmatched)}] above it"


def _norm(selector: str) -> str:
    return selector.upper() if _PREFIX.fullmatch(selector.upper()) else selector


def parse_annotations(platform: "Platform") -> list[Directive]:
    """``eksguard.io/ignore: "EKS603: reason; EKS601,EKS602: reason"`` on any object."""
    from eksguard.model import K8sObject

    out: list[Directive] = []
    for obj in platform.objects:
        if not isinstance(obj, K8sObject):
            continue
        value = obj.annotations.get(ANNOTATION)
        if value is None:
            continue
        where = obj.location("metadata", "annotations", ANNOTATION)
        json_path = obj.json_path("metadata", "annotations", ANNOTATION)
        entries = [e.strip() for e in re.split(r"[;\n]", value) if e.strip()]
        if not entries:
            out.append(Directive("annotation", [], "", where, f"{ANNOTATION}: {value!r}", target=obj.ref,
                                 json_path=json_path, problem=f"{ANNOTATION} names no codes"))
        for entry in entries:
            selectors, _, reason = entry.partition(":")
            names = _split(selectors)
            out.append(Directive("annotation", names, reason.strip(), where, f"{ANNOTATION}[{','.join(names)}]",
                                 target=obj.ref, json_path=json_path,
                                 problem=None if names else f"{ANNOTATION} entry {entry!r} names no codes"))
    return out


# -- rules ----------------------------------------------------------------------------

def selects(selector: str, rule: "Rule") -> bool:
    """A code (any case), a name or alias, or a code prefix with a digit (``EKS6``)."""
    upper = selector.upper()
    if upper == rule.code or selector == rule.name or selector in rule.aliases:
        return True
    return bool(_PREFIX.fullmatch(upper)) and rule.code.startswith(upper)


def ran(rule: "Rule") -> bool:
    """Whether a rule ran in a scan: an engine rule always does, the others as the
    runner decides (``Rule.judges_model``)."""
    return rule.engine or rule.judges_model


class Judge:
    """Which selectors can be judged unused: those whose rules all ran."""

    def __init__(self, rules: list["Rule"], catalogue):
        self.rules = rules
        self._catalogue = catalogue  # () -> every rule installed, loaded only if needed
        self._cache: dict[str, str | None] = {}

    def verdict(self, selector: str) -> str | None:
        """``"judge"``, ``"unknown"`` (names no installed rule) or None (do not judge)."""
        if selector not in self._cache:
            self._cache[selector] = self._verdict(selector)
        return self._cache[selector]

    def _verdict(self, selector: str) -> str | None:
        matched = [r for r in self.rules if selects(selector, r)]
        if any(r.code == UNUSED_CODE for r in matched):
            return None  # a suppression of EKS003 itself is never judged
        if not matched:
            installed = [r for r in self._catalogue() if selects(selector, r)]
            return None if installed else "unknown"
        return "judge" if all(ran(r) for r in matched) else None


# -- applying -------------------------------------------------------------------------

def apply_suppressions(
    findings: list[Finding],
    log: TextLog,
    *,
    rules: list["Rule"],
    sources: list["Source"],
    platform: "Platform",
    options: dict,
    catalogue,
) -> tuple[list[Finding], list[Finding]]:
    """Split ``findings`` into (reported, suppressed) and add EKS003 findings.

    ``options``: ``suppressions`` (default True; False is the audit mode, nothing is
    suppressed or judged) and ``require_reasons``. ``catalogue`` is a callable giving
    every installed rule (called only when a selector names a rule that did not run).
    """
    if not options.get("suppressions", True):
        return findings, []
    require_reasons = bool(options.get("require_reasons"))
    cwd = log.cwd
    by_file: dict[str, list[Directive]] = {}
    keys: dict[str, str] = {}
    for finding in findings:
        path = finding.location.path
        if path not in keys:
            keys[path] = _key(path, cwd)
            log.text(keys[path])  # a file with findings that no adapter read through read_text
    for key, text in log.texts.items():
        by_file[key] = parse_comments(text, _display(key, cwd))
    annotations = parse_annotations(platform)
    by_object: dict[ObjectRef, list[Directive]] = {}
    for directive in annotations:
        if directive.target is not None:
            by_object.setdefault(directive.target, []).append(directive)
    if not by_file and not annotations:
        return findings, []

    by_code = {rule.code: rule for rule in rules}
    unused_rule = by_code.get(UNUSED_CODE)

    def applies(directive: Directive) -> bool:
        return not directive.problem and (directive.kind == "enable" or not (require_reasons and not directive.reason))

    def match(finding: Finding) -> Directive | None:
        rule = by_code.get(finding.code)
        key = keys.get(finding.location.path) or _key(finding.location.path, cwd)
        candidates = by_file.get(key, [])
        if finding.object is not None:
            candidates = candidates + by_object.get(finding.object, [])
        chosen: Directive | None = None
        best = 99
        line = finding.location.line
        for directive in candidates:
            if not applies(directive):
                continue
            for selector in directive.selectors:
                if not (selects(selector, rule) if rule else selector.upper() == finding.code):
                    continue
                if directive.kind != "annotation":
                    first, last = directive.spans.get(selector, (0, -1))
                    if not first <= line <= last:
                        continue
                directive.used.add(selector)
                rank = {"ignore": 0, "disable": 1, "disable-file": 2, "annotation": 3}[directive.kind]
                if rank < best:
                    chosen, best = directive, rank
        return chosen

    reported: list[Finding] = []
    suppressed: list[Finding] = []

    def sort(batch: list[Finding]) -> None:
        for finding in batch:
            directive = match(finding)
            if directive is None:
                reported.append(finding)
            else:
                suppressed.append(replace(finding, suppression=Suppression(
                    kind="annotation" if directive.kind == "annotation" else "comment",
                    justification=directive.reason,
                    location=directive.location,
                    directive=directive.text,
                )))

    sort(findings)
    if unused_rule is not None and ran(unused_rule):
        in_scope = Scope(sources, cwd)
        judge = Judge(rules, catalogue)
        extra: list[Finding] = []
        for key, directives in by_file.items():
            if key not in in_scope:
                continue
            extra.extend(unused_rule.finding(v) for d in directives
                         if (v := _unused(d, judge, require_reasons)) is not None)
        # One finding per annotation (its entries share a place, an object and a fingerprint).
        merged: dict[tuple, Violation] = {}
        for directive in annotations:
            violation = _unused(directive, judge, require_reasons)
            if violation is None:
                continue
            key = (directive.target, directive.location)
            if key in merged:
                merged[key].message += "; " + violation.message
            else:
                merged[key] = violation
        extra.extend(unused_rule.finding(v) for v in merged.values())
        sort(extra)
    reported.sort(key=Finding.sort_key)
    suppressed.sort(key=Finding.sort_key)
    return reported, suppressed


def _unused(directive: Directive, judge: Judge, require_reasons: bool) -> Violation | None:
    """The EKS003 violation for a directive that silenced nothing (or is invalid)."""
    written = directive.text

    def violation(message: str, drop: list[str] | None = None) -> Violation:
        return Violation(directive.location, message, object=directive.target, json_path=directive.json_path,
                         fix=_removal(directive, drop) if drop else None)

    if directive.problem:
        return violation(directive.problem)
    if directive.kind == "enable":
        return None  # ends a block: the reason belongs to its disable
    if require_reasons and not directive.reason:
        return violation(f"suppression {written} gives no reason, so --require-reasons does not apply it "
                         f"(write the reason after the brackets)")
    unknown = [s for s in directive.selectors if judge.verdict(s) == "unknown"]
    idle = [s for s in directive.selectors if s not in directive.used and judge.verdict(s) == "judge"]
    if unknown:
        return violation(f"suppression {written} names no installed rule: {', '.join(unknown)}", unknown + idle)
    if not idle:
        return None
    if len(idle) == len(directive.selectors):
        return violation(f"unused suppression {written}: it silences nothing in this run", idle)
    return violation(f"unused suppression of {', '.join(idle)} in {written}: silences nothing in this run", idle)


def _removal(directive: Directive, drop: list[str]):
    """EKS003's fix: the comment goes, or only the codes in it that silence nothing.
    Block comments (``disable``/``enable``) pair up, so removing one half alone would
    leave the other dangling: those are left to the author, as are annotations."""
    from eksguard.fixes import EditText, Fix

    if directive.kind not in ("ignore", "disable-file") or directive.extent is None:
        return None
    where = directive.location
    keep = [s for s in directive.selectors if s not in drop]
    if not keep:
        return Fix(f"remove the suppression {directive.text}",
                   (EditText(where.path, where.line, *directive.extent),))
    return Fix(f"remove {', '.join(drop)} from {directive.text}",
               (EditText(where.path, where.line, *directive.codes_at, ",".join(keep)),))
