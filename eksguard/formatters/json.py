"""Machine output with a stable, documented shape (``docs/json-output.md``).

``schema_version`` changes only when a field is removed or changes meaning; new
fields may appear at any time.
"""

from __future__ import annotations

import json
from collections import Counter
from json.encoder import encode_basestring_ascii

from eksguard.findings import Finding, Location
from eksguard.formatters import Formatter, around
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
        suppressed = self.report.result.suppressed
        document = {
            "tool": "eksguard",
            "version": self.report.version,
            "schema_version": SCHEMA_VERSION,
            "summary": {
                "files_scanned": self.report.result.files_scanned,
                "findings": len(self.findings),
                "by_severity": {s: counts.get(s, 0) for s in ("error", "warning", "note")},
                "suppressed": len(suppressed),
            },
            "findings": [_FINDINGS] if self.findings else [],
            # Silenced by a comment or annotation: never counted (docs/suppression.md).
            "suppressed": [_SUPPRESSED] if suppressed else [],
        }
        if self.report.result.baseline is not None:
            document["baseline"] = baseline_json(self.report.result)
        # Streamed: the document around the two lists is one string, then each finding is
        # converted, encoded and written in turn, indented as it would be in place, so the
        # output is the same as one json.dumps() of the whole. That whole, as dicts and as
        # one string, added ~95 MiB to the peak of the Action's scan of 20,000 files.
        text = json.dumps(document, indent=2, sort_keys=False) + "\n"
        for marker, findings, as_json in ((_FINDINGS, self.findings, finding_json),
                                          (_SUPPRESSED, suppressed, suppressed_json)):
            if not findings:
                continue  # an empty list, written as such
            head, text = around(text, json.dumps(marker))
            self.stream.write(head)
            for position, finding in enumerate(findings):
                if position:
                    self.stream.write(",\n" + ITEM_INDENT)
                self.stream.write(indented(as_json(finding), ITEM_INDENT))
        self.stream.write(text)


def suppressed_json(finding: Finding) -> dict:
    """A suppressed finding: as any other, and how it was suppressed."""
    return {**finding_json(finding), "suppression": suppression_json(finding)}


def indented(value: object, indent: str = "") -> str:
    """``json.dumps(value, indent=2)``, for a value whose first line is written at
    ``indent``: the same text (keys in order, ASCII escapes, ``", "`` and ``": "``).

    Why not json.dumps per finding: with ``indent`` the standard library encodes in pure
    Python through closures that reference each other, a reference cycle per call. A
    report is written with the collector paused (``collector_paused``: a collection
    would walk the whole model), so 15,000 findings left ~30 MiB of those cycles behind
    on bench/'s 20,000 files. Here strings go through the C escaper and nothing cycles."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        return "{\n" + ",\n".join(f"{inner}{_key(key)}: {indented(item, inner)}" for key, item in value.items()) \
            + f"\n{indent}}}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + indented(item, inner) for item in value) + f"\n{indent}]"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return int.__repr__(value)
    return json.dumps(value)  # a float (its repr, or NaN/Infinity), or what json refuses


def _key(key: object) -> str:
    """A mapping key as json writes it: text as is, anything else as its JSON text."""
    return encode_basestring_ascii(key if isinstance(key, str) else json.dumps(key))


#: Stand for the lists in the document around them (:meth:`JsonFormatter.stop`).
_FINDINGS = "\x00eksguard: findings\x00"
_SUPPRESSED = "\x00eksguard: suppressed\x00"
#: What ``indent=2`` puts before a line of an item of a top-level key's list.
ITEM_INDENT = " " * 4
