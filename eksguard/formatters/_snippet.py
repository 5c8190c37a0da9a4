"""The source line under a finding, with a caret under its column (as ruff and rustc).

Shown only when the location's file can be read now: never for standard input, and for
findings in charts and kustomizations eksguard rendered itself the location already is
the template or resource line the object came from, so that is what is shown (never
text that exists only in rendered output). Lines are read once per file, up to the
adapters' own size limit. Control and bidirectional-override characters are shown as
``�`` (one column each, so the caret stays aligned and a hostile file cannot drive the
terminal); long lines are cut around the column.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path

from eksguard.findings import Location
from eksguard.limits import read_bounded

MAX_BYTES = 50 * 1024 * 1024
WIDTH = 160  # characters of a source line shown at most
_BREAKS = re.compile(r"\r\n|\r|\n")
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_TOKEN = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s:=,\[\]{}()]+")
TAB = 4


class SourceLines:
    """Lines of the files findings point at, read on first use: the first MiB, and the
    rest only when a finding points past it (a file refused for its size is reported at
    its first line; showing it must not read tens of megabytes)."""

    PREFIX = 1024 * 1024

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.files: dict[str, tuple[list[str], bool] | None] = {}  # (lines, whole file read)

    def line(self, location: Location) -> str | None:
        if location.path not in self.files:
            self.files[location.path] = self._read(location.path, self.PREFIX)
        entry = self.files[location.path]
        if entry is not None and not entry[1] and location.line > len(entry[0]):
            entry = self.files[location.path] = self._read(location.path, MAX_BYTES)
        if entry is None or not 1 <= location.line <= len(entry[0]):
            return None
        return entry[0][location.line - 1]

    def _read(self, path: str, limit: int) -> tuple[list[str], bool] | None:
        if path == "<stdin>" or path.startswith("<"):
            return None
        full = self.cwd / path
        try:
            info = full.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
                return None
            with open(full, "rb") as handle:
                data = read_bounded(handle, limit, info.st_size)
        except OSError:
            return None
        if b"\0" in data[:8192]:
            return None  # binary
        whole = len(data) <= limit
        lines = _BREAKS.split(data[:limit].decode("utf-8-sig", errors="replace"))
        return (lines, True) if whole else (lines[:-1], False)  # the last line may be cut


def snippet(location: Location, text: str, paint: Callable[[str, str], str], caret_color: str) -> list[str]:
    """``[gutter, numbered line, carets]`` for ``text``, the line ``location`` is on."""
    original = _UNSAFE.sub("\ufffd", text)
    at = min(max(location.column, 1) - 1, len(original))
    if location.end_line == location.line and location.end_column and location.end_column > location.column:
        end = min(location.end_column - 1, len(original))
    else:
        match = _TOKEN.match(original, at)
        end = match.end() if match else at + 1
    line = original.expandtabs(TAB)
    pad = len(original[:at].expandtabs(TAB))
    width = max(1, len(original[:end].expandtabs(TAB)) - pad)
    if len(line) > WIDTH:  # cut around the column
        start = max(0, min(pad - WIDTH // 3, len(line) - WIDTH))
        head, tail = ("…" if start else ""), ("…" if start + WIDTH < len(line) else "")
        line = head + line[start:start + WIDTH] + tail
        pad += len(head) - start
        width = max(1, min(width, WIDTH - (pad - len(head))))
    number = str(location.line)
    space = " " * len(number)
    bar = paint("|", "34;1")
    return [
        f" {space} {bar}",
        f" {paint(number, '34;1')} {bar} {line}".rstrip(),
        f" {space} {bar} {' ' * pad}{paint('^' * width, caret_color)}",
    ]
