"""Human output, grouped by file (the files in the order findings name them first).

Each finding starts with the line users and tools grep,
``path:line:col: CODE [severity] message``, then (when the file can be read) the source
line with a caret under the column, then its related locations (``= path:line:col:
message``); a blank line separates findings. The report ends with one summary line:
counts per severity, how many files, and what was suppressed, hidden by a baseline or,
with ``--diff-base``, left out as unchanged; ``--verbose`` adds the slowest phase.

``--statistics`` prints one line per rule instead of the findings (count, code,
severity, name; most frequent first), as ``ruff --statistics``. ``--quiet`` prints the
findings without the summary (``-qq`` prints nothing: the CLI writes no report to
standard output). Those come through :class:`~eksguard.formatters.Report` attributes
``statistics``, ``quiet`` and ``verbose``, absent on reports built by older callers.
"""

from __future__ import annotations

from collections import Counter

from eksguard.findings import Finding, Severity
from eksguard.formatters import Formatter
from eksguard.formatters._adoption import gone_lines, text_notes
from eksguard.formatters._snippet import SourceLines, snippet

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTE: "36"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


class TextFormatter(Formatter):
    name = "text"

    def start(self) -> None:
        self.counts: Counter[Severity] = Counter()
        self.files: set[str] = set()
        self.groups: dict[str, list[Finding]] = {}
        self.rules: Counter[tuple[str, str, Severity]] = Counter()
        self.lines = SourceLines(self.report.cwd)

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.report.color else text

    def handle(self, finding: Finding) -> None:
        self.counts[finding.severity] += 1
        self.files.add(finding.location.path)
        self.rules[(finding.code, finding.name, finding.severity)] += 1
        self.groups.setdefault(finding.location.path, []).append(finding)

    def _write_finding(self, finding: Finding) -> None:
        where = self._paint(str(finding.location), "1")
        color = _COLORS[finding.severity] + ";1"
        code = self._paint(finding.code, color)
        mark = " [*]" if finding.fix is not None and finding.fix.applicability == "safe" else ""
        line = f"{where}: {code}{mark} [{finding.severity}] {finding.message}"
        if finding.location.template:
            line += f" (template: {finding.location.template})"
        out = [line]
        source = self.lines.line(finding.location)
        if source is not None:
            out += snippet(finding.location, source, self._paint, color)
        indent = " " * (len(str(finding.location.line)) + 2) if source is not None else "   "
        for related in finding.related:
            out.append(f"{indent}{self._paint('=', '34;1')} {related.location}: {related.message}")
        if finding.related_omitted:
            out.append(f"{indent}{self._paint('=', '34;1')} {finding.omitted_note}")
        self.stream.write("\n".join(out) + "\n")

    def _write_statistics(self) -> None:
        width = max(len(str(n)) for n in self.rules.values())
        code_width = max(len(code) for code, _, _ in self.rules)
        for (code, name, severity), count in sorted(self.rules.items(), key=lambda i: (-i[1], i[0][0])):
            painted = self._paint(f"{code:<{code_width}}", _COLORS[severity] + ";1")
            self.stream.write(f"{count:>{width}}  {painted}  {str(severity):<7}  {name}\n")

    def stop(self) -> None:
        quiet = getattr(self.report, "quiet", 0)
        if getattr(self.report, "statistics", False):
            if self.rules:
                self._write_statistics()
        else:
            first = True
            for findings in self.groups.values():
                for finding in sorted(findings, key=lambda f: (f.location.line, f.location.column)):
                    if not first:
                        self.stream.write("\n")
                    first = False
                    self._write_finding(finding)
        if quiet:
            return
        if self.groups and not getattr(self.report, "statistics", False):
            self.stream.write("\n")
        self._summary()
        if getattr(self.report, "verbose", False):
            self._slowest()

    def _summary(self) -> None:
        result = self.report.result
        scanned = result.files_scanned
        total = sum(self.counts.values())
        files = _plural(scanned, "file")
        for line in gone_lines(result):  # baseline entries no longer found
            self.stream.write(line + "\n")
        notes = text_notes(result)  # suppressed, hidden by the baseline
        diff = getattr(result, "diff", None)
        if diff is not None and diff.changes is not None and diff.hidden:  # --diff-base: what was left out
            unchanged = f"{diff.hidden}{' more' if total else ''} on lines unchanged since {diff.ref}, not shown"
            notes = f"{notes[:-1]}; {unchanged})" if notes else f" ({unchanged})"
        if not total:
            self.stream.write(self._paint(f"No problems found in {files}{notes}.", "32") + "\n")
            return
        parts = [_plural(self.counts[s], str(s)) for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
                 if self.counts[s]]
        # A chart or a kustomization is one input whose findings may span several files.
        where = f"{len(self.files)} of {files}" if len(self.files) <= scanned else _plural(len(self.files), "file")
        self._fix_hint()
        self.stream.write(f"Found {_plural(total, 'problem')} ({', '.join(parts)}) in {where}{notes}.\n")

    def _fix_hint(self) -> None:
        """As ruff: ``[*]`` marks what ``--fix`` repairs; say how many, and how many
        more ``--unsafe-fixes`` would."""
        kinds = Counter(f.fix.applicability for fs in self.groups.values() for f in fs if f.fix is not None)
        safe, unsafe = kinds["safe"], kinds["unsafe"]
        if safe and unsafe:
            self.stream.write(f"[*] {safe} fixable with --fix ({unsafe} more with --fix --unsafe-fixes).\n")
        elif safe:
            self.stream.write(f"[*] {safe} fixable with --fix.\n")
        elif unsafe:
            self.stream.write(f"{unsafe} fixable with --fix --unsafe-fixes.\n")

    def _slowest(self) -> None:
        timings = self.report.result.timings
        if not timings:
            return
        phase, seconds = max(timings.items(), key=lambda item: item[1])
        total = sum(timings.values())
        self.stream.write(f"Slowest phase: {phase}, {seconds * 1000:.0f} ms of {total * 1000:.0f} ms.\n")
