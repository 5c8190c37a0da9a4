"""Where a scan's reports go: repeatable ``--format X --output FILE`` pairs.

Each ``--format`` starts a report and the ``--output`` that follows it says where it
goes (stackrox/kube-linter ``format_output.go``); a format without an output (or with
``--output -``) goes to standard output, and at most one may. With a single
``--format`` and a single ``--output`` their order does not matter
(``--output x.sarif --format sarif`` keeps working).

``auto`` (the default) is ``github`` (workflow-command annotations) when the report
goes to standard output under GitHub Actions (``GITHUB_ACTIONS=true``), else ``text``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from eksguard.findings import Finding
    from eksguard.formatters import Formatter, Report

AUTO = "auto"
STDOUT = "-"


@dataclass
class ReportSpec:
    format: str
    output: str | None = None  # None or "-": standard output

    @property
    def to_stdout(self) -> bool:
        return self.output in (None, STDOUT)


class _Sequence(argparse.Action):
    """Stores the value as usual and records (option, value) in command-line order."""

    kind = ""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        sequence = getattr(namespace, "report_sequence", None)
        if sequence is None:
            sequence = []
            namespace.report_sequence = sequence
        sequence.append((self.kind, values))


class _FormatAction(_Sequence):
    kind = "format"


class _OutputAction(_Sequence):
    kind = "output"


def add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", default=AUTO, action=_FormatAction, metavar="FORMAT",
                        help="auto (default: github under GitHub Actions, else text), text, json, sarif, github, "
                             "junit, or a plugin's format; repeatable, each followed by its own --output")
    parser.add_argument("--output", "-o", action=_OutputAction, metavar="FILE",
                        help="write the report of the --format before it to FILE (- or none: standard output)")
    parser.set_defaults(report_sequence=None)


def report_specs(args: argparse.Namespace) -> list[ReportSpec]:
    """The (format, output) pairs of the command line; raises UsageError when they do not pair."""
    from eksguard.discover import UsageError

    sequence = getattr(args, "report_sequence", None) or []
    formats = [v for kind, v in sequence if kind == "format"]
    outputs = [v for kind, v in sequence if kind == "output"]
    if len(formats) <= 1 and len(outputs) <= 1:
        return [ReportSpec(formats[0] if formats else AUTO, outputs[0] if outputs else None)]
    specs: list[ReportSpec] = []
    for kind, value in sequence:
        if kind == "format":
            specs.append(ReportSpec(value))
        elif not specs or specs[-1].output is not None:
            raise UsageError(f"--output {value}: each --output must follow the --format it is for "
                             f"(--format sarif --output eksguard.sarif --format text)")
        else:
            specs[-1].output = value
    to_stdout = [s.format for s in specs if s.to_stdout]
    if len(to_stdout) > 1:
        raise UsageError(f"formats {', '.join(to_stdout)} all go to standard output; "
                         f"give all but one an --output FILE")
    files = [os.path.abspath(s.output) for s in specs if not s.to_stdout]
    if len(set(files)) != len(files):
        raise UsageError("two reports are written to the same --output file")
    return specs


def resolve(spec: ReportSpec, env: Mapping[str, str] | None = None) -> str:
    """The format name ``spec`` stands for (``auto`` resolved)."""
    if spec.format != AUTO:
        return spec.format
    env = os.environ if env is None else env
    return "github" if spec.to_stdout and env.get("GITHUB_ACTIONS") == "true" else "text"


def check_formats(specs: list[ReportSpec], formatters: Mapping[str, object]) -> None:
    from eksguard.discover import UsageError

    for spec in specs:
        name = resolve(spec)
        if name not in formatters:
            raise UsageError(f"unknown format {name!r} (choose from {', '.join(sorted([AUTO, *formatters]))})")


def write_reports(
    specs: list[ReportSpec],
    formatters: Mapping[str, Callable[[TextIO, "Report"], "Formatter"]],
    findings: Iterable["Finding"],
    make_report: Callable[[TextIO, bool], "Report"],
) -> None:
    """Run each report's formatter over ``findings``. ``make_report(stream, to_stdout)``
    builds the Report a formatter gets (the caller decides colour and the like)."""
    from eksguard.discover import UsageError

    findings = list(findings)
    for spec in specs:
        if spec.to_stdout:
            stream: TextIO = sys.stdout
        else:
            try:
                stream = open(spec.output, "w", encoding="utf-8")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise UsageError(f"cannot write {spec.output}: {exc.strerror}") from None
        try:
            formatter = formatters[resolve(spec)](stream, make_report(stream, spec.to_stdout))
            formatter.start()
            for finding in findings:
                formatter.handle(finding)
            formatter.stop()
        finally:
            if stream is not sys.stdout:
                stream.close()
