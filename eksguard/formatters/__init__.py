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
    color: bool = False
    _root: Path | None = None
    #: Text report options (``scan --verbose``, ``--quiet``/``-qq``, ``--statistics``).
    verbose: bool = False
    quiet: int = 0
    statistics: bool = False

    @property
    def root(self) -> Path:
        """The repository root (git top-level, else the working directory), found on
        first use: only formats that write repository-relative paths pay for git."""
        if self._root is None:
            self._root = repo_root(self.cwd)
        return self._root


def repo_root(cwd: Path) -> Path:
    import subprocess  # here: only formats with repository-relative paths ask

    try:
        proc = subprocess.run(["git", "-C", str(cwd), "rev-parse", "--show-toplevel"],
                              capture_output=True, text=True, timeout=30)
        if proc.returncode == 0 and proc.stdout.strip():
            return Path(proc.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return cwd


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


def around(document: str, placeholder: str) -> tuple[str, str]:
    """The text of a serialised report before and after ``placeholder``, as the
    serialiser wrote it (quoted, escaped). Why: SARIF, JSON and JUnit serialise the
    document around their results whole, with a placeholder for them, then stream the
    results in between one at a time, so a report never holds all its results built and
    serialised at once (README "Speed"). The last occurrence: the results come after
    anything a plugin's rule texts could hold."""
    head, found, tail = document.rpartition(placeholder)
    if not found:
        raise ValueError(f"{placeholder!r} is not in the report")
    return head, tail


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
        "github": lazy("eksguard.formatters.github", "GithubFormatter"),
        "junit": lazy("eksguard.formatters.junit", "JunitFormatter"),
    }
