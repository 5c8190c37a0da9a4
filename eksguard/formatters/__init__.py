"""Formatters turn findings into output; they only format (STYLE section 9).

A formatter is a class with ``name``, ``start()``, ``handle(finding)`` and
``stop()``, constructed with the output stream and a :class:`Report`. Registered
through the ``eksguard_register_formatters`` hook as ``{name: factory}``, where the
factory is the class itself or any callable ``(stream, report) -> Formatter``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from eksguard.engine.runner import ScanResult
    from eksguard.findings import Finding


@dataclass
class Report:
    """What a formatter may need besides the findings themselves."""

    result: "ScanResult"
    version: str
    cwd: Path
    root: Path  # repository root: git top-level, else the working directory
    color: bool = False


class Formatter:
    name = ""

    def __init__(self, stream: TextIO, report: Report):
        self.stream = stream
        self.report = report

    def start(self) -> None:
        pass

    def handle(self, finding: "Finding") -> None:
        pass

    def stop(self) -> None:
        pass


def lazy(module: str, cls: str) -> Callable[[TextIO, Report], Formatter]:
    """A formatter factory that imports its module only when the format is used
    (the SARIF object model alone costs ~100 ms of imports)."""

    def make(stream: TextIO, report: Report) -> Formatter:
        return getattr(importlib.import_module(module), cls)(stream, report)

    return make


def builtin_formatters() -> dict[str, Callable[[TextIO, Report], Formatter]]:
    return {
        "text": lazy("eksguard.formatters.text", "TextFormatter"),
        "json": lazy("eksguard.formatters.json", "JsonFormatter"),
        "sarif": lazy("eksguard.formatters.sarif", "SarifFormatter"),
    }
