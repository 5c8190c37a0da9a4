"""GitHub Actions workflow commands: one annotation per finding.

``::warning file=k8s/web.yaml,line=12,col=5,endLine=12,endColumn=20,title=EKS601
alb-ingress-without-group::message``. Levels follow severity (error, warning, note ->
``notice``). Values are escaped as the runner expects (actions/toolkit
``packages/core/src/command.ts``): ``%``, CR and LF in the message; additionally ``:``
and ``,`` in properties. Paths are relative to the repository root, which is where
the runner resolves them. Selected by ``--format auto`` (the default) under Actions.
"""

from __future__ import annotations

from eksguard.findings import Finding, Severity
from eksguard.formatters import Formatter
from eksguard.formatters._paths import repo_path

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, object], message: str) -> str:
    """One workflow command line; properties that are None are left out."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


class GithubFormatter(Formatter):
    name = "github"

    def handle(self, finding: Finding) -> None:
        loc = finding.location
        properties: dict[str, object] = {}
        if loc.path != "<stdin>":
            properties["file"] = repo_path(loc, self.report)
            properties["line"] = loc.line
            properties["col"] = loc.column
            if loc.end_line is not None:
                properties["endLine"] = loc.end_line
                properties["endColumn"] = loc.end_column
        properties["title"] = f"{finding.code} {finding.name}"
        message = finding.message
        if loc.template:
            message += f" (template: {loc.template})"
        for related in finding.related:
            message += f"\n{repo_path(related.location, self.report)}:{related.location.line}: {related.message}"
        if finding.related_omitted:
            message += f"\n({finding.omitted_note})"
        self.stream.write(command(LEVELS[finding.severity], properties, message) + "\n")
