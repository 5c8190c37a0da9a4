"""Human output: ``path:line:col: CODE [severity] message``, then a summary line."""

from __future__ import annotations

from collections import Counter

from eksguard.findings import Finding, Severity
from eksguard.formatters import Formatter

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTE: "36"}


class TextFormatter(Formatter):
    name = "text"

    def start(self) -> None:
        self.counts: Counter[Severity] = Counter()
        self.files: set[str] = set()

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.report.color else text

    def handle(self, finding: Finding) -> None:
        self.counts[finding.severity] += 1
        self.files.add(finding.location.path)
        where = self._paint(str(finding.location), "1")
        code = self._paint(finding.code, _COLORS[finding.severity] + ";1")
        line = f"{where}: {code} [{finding.severity}] {finding.message}"
        if finding.location.template:
            line += f" (template: {finding.location.template})"
        self.stream.write(line + "\n")
        for related in finding.related:
            self.stream.write(f"    {related.location}: {related.message}\n")

    def stop(self) -> None:
        scanned = self.report.result.files_scanned
        total = sum(self.counts.values())
        files = f"{scanned} file{'s' if scanned != 1 else ''}"
        if not total:
            self.stream.write(self._paint(f"No problems found in {files}.", "32") + "\n")
            return
        parts = [
            f"{self.counts[s]} {s}{'s' if self.counts[s] != 1 else ''}"
            for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
            if self.counts[s]
        ]
        # A chart or a kustomization is one input whose findings may span several files.
        where = f"{len(self.files)} of {files}" if len(self.files) <= scanned else f"{len(self.files)} files"
        self.stream.write(f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in {where}.\n")
