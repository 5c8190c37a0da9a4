"""Paths as CI systems want them: relative to the repository root, with ``/``.

GitHub annotations, code scanning and JUnit readers (GitLab, Jenkins) match files by
their path in the repository, whatever folder the scan ran from.
"""

from __future__ import annotations

from pathlib import Path

from eksguard.findings import Location
from eksguard.formatters import Report


def repo_path(location: Location, report: Report) -> str:
    """``location.path`` relative to the repository root; as given when outside it."""
    if location.path == "<stdin>":
        return location.path
    path = Path(location.path)
    absolute = path if path.is_absolute() else report.cwd / path
    try:
        return absolute.resolve().relative_to(report.root.resolve()).as_posix()
    except (ValueError, OSError):
        return location.path
