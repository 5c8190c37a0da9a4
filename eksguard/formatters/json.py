"""Machine output with a stable, documented shape (``docs/json-output.md``).

``schema_version`` changes only when a field is removed or changes meaning; new
fields may appear at any time.
"""

from __future__ import annotations

import json
from collections import Counter

from eksguard.findings import Finding, Location
from eksguard.formatters import Formatter
from eksguard.formatters._adoption import baseline_json, suppression_json

SCHEMA_VERSION = 1


def location_json(location: Location) -> dict:
    out = {"path": location.path, "line": location.line, "column": location.column}
    if location.end_line is not None:
        out["end_line"] = location.end_line
        out["end_column"] = location.end_column
    if location.template:
        out["template"] = location.template
    return out


def finding_json(finding: Finding) -> dict:
    out = {
        "code": finding.code,
        "name": finding.name,
        "severity": str(finding.severity),
        "message": finding.message,
        "location": location_json(finding.location),
        "object": None,
        "json_path": finding.json_path,
        "fingerprint": finding.fingerprint,
        "related": [{"location": location_json(r.location), "message": r.message} for r in finding.related],
        "related_omitted": finding.related_omitted,
    }
    if finding.object is not None:
        out["object"] = {"kind": finding.object.kind, "namespace": finding.object.namespace, "name": finding.object.name}
    out["fix"] = fix_json(finding)
    return out


def fix_json(finding: Finding) -> dict | None:
    """The fix on offer: its title and applicability, and the exact edits (or why it
    can only be made by hand, e.g. in a Helm template)."""
    fix = finding.fix
    if fix is None:
        return None
    out: dict = {"title": fix.title, "applicability": fix.applicability, "edits": []}
    for file_edits in finding.edits or []:
        if file_edits.refused:
            out["not_applicable"] = file_edits.refused
            continue
        for edit in file_edits.edits:
            out["edits"].append({
                "path": file_edits.path,
                "start": {"line": edit.start[0], "column": edit.start[1]},
                "end": {"line": edit.end[0], "column": edit.end[1]},
                "text": edit.text,
            })
    return out


class JsonFormatter(Formatter):
    name = "json"

    def start(self) -> None:
        self.findings: list[Finding] = []

    def handle(self, finding: Finding) -> None:
        self.findings.append(finding)

    def stop(self) -> None:
        counts = Counter(str(f.severity) for f in self.findings)
        document = {
            "tool": "eksguard",
            "version": self.report.version,
            "schema_version": SCHEMA_VERSION,
            "summary": {
                "files_scanned": self.report.result.files_scanned,
                "findings": len(self.findings),
                "by_severity": {s: counts.get(s, 0) for s in ("error", "warning", "note")},
                "suppressed": len(self.report.result.suppressed),
            },
            "findings": [finding_json(f) for f in self.findings],
            # Silenced by a comment or annotation: never counted (docs/suppression.md).
            "suppressed": [{**finding_json(f), "suppression": suppression_json(f)} for f in self.report.result.suppressed],
        }
        if self.report.result.baseline is not None:
            document["baseline"] = baseline_json(self.report.result)
        # One string, one write: json.dump() writes each token to the stream (twice as slow).
        self.stream.write(json.dumps(document, indent=2, sort_keys=False) + "\n")
