"""JUnit XML for CI test reports (GitLab ``artifacts:reports:junit``, Jenkins ``junit``).

One ``<testsuite>`` per rule that ran; in it one failing ``<testcase>`` per file the
rule fired in (``name`` and ``file`` = the path relative to the repository root,
``classname`` = ``eksguard.<CODE>``), whose ``<failure>`` lists every finding as
``path:line:col: message``; a rule that fired nowhere has one passing testcase,
``all scanned files``. Every finding is a failure whatever its severity (``type`` holds
it); the exit code, not the report, applies ``--fail-on``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from eksguard.findings import Finding
from eksguard.formatters import Formatter, around
from eksguard.formatters._paths import repo_path

PASSED = "all scanned files"
# Characters XML 1.0 cannot hold, even escaped.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: object) -> str:
    return _INVALID_XML.sub("\ufffd", str(value))


class JunitFormatter(Formatter):
    name = "junit"

    def start(self) -> None:
        self.findings: list[Finding] = []

    def handle(self, finding: Finding) -> None:
        self.findings.append(finding)

    def _suites(self) -> dict[tuple[str, str], dict[str, list[Finding]]]:
        """(code, name) -> path -> findings, rules that ran first, in catalogue order."""
        suites: dict[tuple[str, str], dict[str, list[Finding]]] = {}
        for rule in self.report.result.rules:
            if getattr(rule, "default", True) and getattr(rule, "status", "") != "removed":
                suites[(rule.code, rule.name)] = {}
        for finding in self.findings:
            by_file = suites.setdefault((finding.code, finding.name), {})
            by_file.setdefault(repo_path(finding.location, self.report), []).append(finding)
        return suites

    def stop(self) -> None:
        """Streamed: the ``<testsuites>`` element around the suites is one string, then
        each suite is built, indented as it would be in place and written in turn, so
        the output is what one ``ET.tostring`` of the whole tree wrote. The whole tree
        and its string added ~38 MiB to the peak of a scan of 20,000 files."""
        suites = self._suites()
        root = ET.Element("testsuites", name="eksguard")
        root.set("tests", str(sum(max(len(by_file), 1) for by_file in suites.values())))
        root.set("failures", str(sum(len(by_file) for by_file in suites.values())))
        root.set("errors", "0")
        root.set("time", f"{sum(self.report.result.timings.values()):.3f}")
        write = self.stream.write
        write('<?xml version="1.0" encoding="UTF-8"?>\n')
        if not suites:
            write(ET.tostring(root, encoding="unicode") + "\n")
            return
        root.text = _SUITES
        head, tail = around(ET.tostring(root, encoding="unicode"), _SUITES)
        write(head + "\n  ")  # what ET.indent() puts before the first child
        for position, ((code, name), by_file) in enumerate(suites.items()):
            suite = self._suite(code, name, by_file)
            ET.indent(suite, level=1)
            suite.tail = "\n  " if position < len(suites) - 1 else "\n"
            write(ET.tostring(suite, encoding="unicode"))
        write(tail + "\n")

    def _suite(self, code: str, name: str, by_file: dict[str, list[Finding]]) -> ET.Element:
        suite = ET.Element("testsuite", name=_text(f"{code} {name}"))
        classname = f"eksguard.{code}"
        if not by_file:
            ET.SubElement(suite, "testcase", name=PASSED, classname=classname, time="0")
        for path, findings in by_file.items():
            case = ET.SubElement(suite, "testcase", name=_text(path), classname=classname, file=_text(path),
                                 time="0")
            first = findings[0]
            summary = f"{path}:{first.location.line}:{first.location.column}: {first.message}"
            if len(findings) > 1:
                summary += f" (and {len(findings) - 1} more)"
            lines = []
            for f in findings:
                lines.append(f"{path}:{f.location.line}:{f.location.column}: {f.code} [{f.severity}] {f.message}")
                lines.extend(f"    {repo_path(r.location, self.report)}:{r.location.line}: {r.message}"
                             for r in f.related)
                if f.related_omitted:
                    lines.append(f"    ({f.omitted_note})")
            failure = ET.SubElement(case, "failure", message=_text(summary),
                                    type=str(max(f.severity for f in findings)))
            failure.text = _text("\n".join(lines))
        suite.set("tests", str(max(len(by_file), 1)))
        suite.set("failures", str(len(by_file)))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "0")
        return suite


#: Stands for the suites in the element around them (:meth:`JunitFormatter.stop`).
_SUITES = "\x00eksguard: suites\x00"
