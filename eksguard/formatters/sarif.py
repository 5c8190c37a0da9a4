"""SARIF 2.1.0 for GitHub code scanning, built with sarif-om.

URIs are relative to the repository root (git top-level, else the working
directory) under ``%SRCROOT%``, whatever path was scanned; columns count Unicode
code points (``columnKind``); ``partialFingerprints`` carry our line-independent
fingerprint (GitHub's ``upload-sarif`` adds its own line hash).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import attr
import sarif_om as om

from eksguard.docs import help_uri, rule_markdown
from eksguard.findings import Finding, Location
from eksguard.formatters import Formatter, around
from eksguard.formatters._paths import in_repository

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "eksguard/v1"


_PLAIN = (str, int, float, bool)
#: Stands for the results in the log around them (:meth:`SarifFormatter.stop`).
_RESULTS = "\x00eksguard: results\x00"


def to_json(value: object) -> object:
    """sarif-om objects to plain JSON, dropping unset fields.

    Why by ``__dict__``: sarif-om classes have up to 30 fields of which a result sets
    five or six, so walking the set attributes and skipping ``None`` first is what
    makes a 4,000-result log cheap (a getattr and a default comparison per declared
    field was 0.4 s of it on bench/'s 5,000 files)."""
    spec = _fields(type(value))
    if spec is not None:
        keys, defaults = spec
        out = {}
        for name, item in value.__dict__.items():
            if item is None or (name in defaults and item == defaults[name]):
                continue
            out[keys[name]] = item if isinstance(item, _PLAIN) else to_json(item)
        return out
    if isinstance(value, dict):
        return {k: v if isinstance(v, _PLAIN) else to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, _PLAIN) else to_json(v) for v in value]
    return value


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[dict[str, str], dict[str, object]] | None:
    """For a sarif-om class (None for any other type), read once per class: the SARIF
    property of each attribute, and the defaults other than ``None`` a set value is
    compared with (equal to its default, a field is left out)."""
    if not attr.has(cls):
        return None
    keys, defaults = {}, {}
    for field in attr.fields(cls):
        keys[field.name] = field.metadata["schema_property_name"]
        default = field.default
        if isinstance(default, attr.Factory):  # type: ignore[arg-type]
            default = default.factory()
        if field.name == "level":  # always written: code scanning reads a missing level as a warning
            continue
        if default is not None and default is not attr.NOTHING:
            defaults[field.name] = default
    return keys, defaults


class SarifFormatter(Formatter):
    name = "sarif"

    def start(self) -> None:
        self.findings: list[Finding] = []

    def handle(self, finding: Finding) -> None:
        self.findings.append(finding)

    def _artifact(self, location: Location) -> om.ArtifactLocation:
        if location.path == "<stdin>":
            return om.ArtifactLocation(uri="stdin")
        relative = in_repository(location.path, self.report.cwd, self.report.root)  # once per path
        if relative is None:
            path = Path(location.path)
            return om.ArtifactLocation(uri=(path if path.is_absolute() else self.report.cwd / path).as_uri())
        return om.ArtifactLocation(uri=relative, uri_base_id=SRCROOT)

    def _location(self, location: Location, message: str | None = None, id: int | None = None) -> om.Location:
        region = om.Region(start_line=location.line, start_column=location.column)
        if location.end_line is not None:
            region.end_line, region.end_column = location.end_line, location.end_column
        loc = om.Location(
            physical_location=om.PhysicalLocation(artifact_location=self._artifact(location), region=region),
        )
        if message is not None:
            loc.message = om.Message(text=message)
        if id is not None:
            loc.id = id
        if location.template:
            loc.logical_locations = [om.LogicalLocation(name=location.template, kind="module")]
        return loc

    def _fixes(self, finding: Finding) -> list[om.Fix]:
        """SARIF ``fixes``: the edits ``--fix`` would make, for editors and code scanning."""
        changes = []
        for file_edits in finding.edits or []:
            if file_edits.refused or not file_edits.edits:
                continue
            replacements = [
                om.Replacement(
                    deleted_region=om.Region(start_line=e.start[0], start_column=e.start[1],
                                             end_line=e.end[0], end_column=e.end[1]),
                    inserted_content=om.ArtifactContent(text=e.text) if e.text else None,
                )
                for e in file_edits.edits
            ]
            artifact = self._artifact(Location(file_edits.path))
            changes.append(om.ArtifactChange(artifact_location=artifact, replacements=replacements))
        if not changes:
            return []
        fix = finding.fix
        return [om.Fix(description=om.Message(text=f"{fix.title} ({fix.applicability} fix)"), artifact_changes=changes)]

    def stop(self) -> None:
        rules = self.report.result.rules
        index = {rule.code: i for i, rule in enumerate(rules)}
        descriptors = []
        for rule in rules:
            descriptors.append(
                om.ReportingDescriptor(
                    id=rule.code,
                    name=rule.name,
                    short_description=om.MultiformatMessageString(text=rule.title),
                    full_description=om.MultiformatMessageString(text=rule.docs["what"].strip()[:1024]),
                    help=om.MultiformatMessageString(text=rule.docs["what"].strip(), markdown=rule_markdown(rule)),
                    help_uri=help_uri(rule),
                    default_configuration=om.ReportingConfiguration(level=str(rule.severity), enabled=rule.default),
                    properties={
                        "tags": rule.tags,
                        "security-severity": f"{rule.security_severity:.1f}",
                        "precision": "high",
                        "problem.severity": {"error": "error", "warning": "warning", "note": "recommendation"}[str(rule.severity)],
                    },
                )
            )
        baselined = self.report.result.baseline is not None
        run = om.Run(
            tool=om.Tool(
                driver=om.ToolComponent(
                    name="eksguard",
                    version=self.report.version,
                    semantic_version=self.report.version,
                    information_uri="https://github.com/eksguard/eksguard",
                    rules=descriptors,
                )
            ),
            results=[_RESULTS],
            column_kind="unicodeCodePoints",
            original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=self.report.root.resolve().as_uri() + "/")},
            invocations=[om.Invocation(execution_successful=True)],
        )
        log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [to_json(run)]}
        # Compact, for machines (code scanning, viewers; ``jq .`` indents it for a person):
        # Python indents JSON only in its pure-Python encoder, 7x slower than the C one
        # (bench/'s 5,000 files: 0.26 s against 0.04 s, 6.2 MB against 3.6 MB).
        # Streamed: the log around the results is one string, then each result is built,
        # encoded and written in turn, so no more than one result's objects are alive.
        # The whole log as sarif-om objects, then as dicts and as one string, added
        # ~80 MiB to the peak of the Action's scan of 20,000 files (336 MiB).
        head, tail = around(json.dumps(log, separators=(",", ":")), json.dumps(_RESULTS))
        write = self.stream.write
        write(head)
        for position, finding in enumerate(self.findings + self.report.result.suppressed):
            if position:
                write(",")
            write(json.dumps(to_json(self._result(finding, index, baselined)), separators=(",", ":")))
        write(tail + "\n")

    def _result(self, finding: Finding, index: dict[str, int], baselined: bool) -> om.Result:
        result = om.Result(
            rule_id=finding.code,
            rule_index=index.get(finding.code, -1),
            level=str(finding.severity),
            message=om.Message(text=finding.message),
            locations=[self._location(finding.location)],
            partial_fingerprints={FINGERPRINT_KEY: finding.fingerprint},
        )
        if finding.suppression is not None:  # code scanning shows it as dismissed
            result.suppressions = [{
                "kind": "inSource", "status": "accepted",
                "justification": finding.suppression.justification or finding.suppression.directive,
                "location": self._location(finding.suppression.location),
            }]
        elif baselined:  # the known ones are not reported at all
            result.baseline_state = "new"
        if finding.related:
            result.related_locations = [
                self._location(r.location, r.message, id=i) for i, r in enumerate(finding.related, start=1)
            ]
        if finding.object is not None:
            result.properties = {"object": str(finding.object), "jsonPath": finding.json_path}
        if finding.related_omitted:
            result.properties = {**(result.properties or {}), "relatedLocationsOmitted": finding.related_omitted}
        fixes = self._fixes(finding)
        if fixes:
            result.fixes = fixes
        return result
