"""Paths as CI systems want them: relative to the repository root, with ``/``.

GitHub annotations, code scanning and JUnit readers (GitLab, Jenkins) match files by
their path in the repository, whatever folder the scan ran from.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from eksguard.findings import Location
from eksguard.formatters import Report


def repo_path(location: Location, report: Report) -> str:
    """``location.path`` relative to the repository root; as given when outside it."""
    if location.path == "<stdin>":
        return location.path
    relative = in_repository(location.path, report.cwd, report.root)
    return location.path if relative is None else relative


@lru_cache(maxsize=65536)
def in_repository(display: str, cwd: Path, root: Path) -> str | None:
    """``display`` (a path as findings show it, from ``cwd``) relative to ``root`` with
    ``/``, links resolved; None outside it. Once per path: a report names each file for
    its findings, their related places and their fixes, and resolving each (an
    ``lstat`` per component) was a quarter of a 4,000-finding report's time."""
    path = Path(display)
    absolute = path if path.is_absolute() else cwd / path
    try:
        return absolute.resolve().relative_to(_resolved(root)).as_posix()
    except (ValueError, OSError):
        return None


@lru_cache(maxsize=64)
def _resolved(root: Path) -> Path:
    return root.resolve()
