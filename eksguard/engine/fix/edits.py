"""Text edits: the one shape every fix becomes, whatever format it edits.

A :class:`TextEdit` replaces a range of one file's text, with 1-based lines and
columns counted in characters, end exclusive: exactly SARIF's ``replacement``
(``deletedRegion`` + ``insertedContent``), so code scanning, editors, ``--diff``
and ``--fix`` all apply the same thing.

Files are edited as :class:`FileText`: line endings and a UTF-8 BOM are taken off
on reading and put back on writing, so positions are the loader's and a CRLF file
stays CRLF. Writing is atomic (temp file in the same folder, then rename) and keeps
the file's mode.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

BOM = "\ufeff"


class CannotEdit(Exception):
    """Why a fix cannot be applied to a file in place (one line, shown to the user)."""


@dataclass(frozen=True, order=True)
class TextEdit:
    """Replace ``start``..``end`` (``(line, column)``, 1-based, end exclusive) with ``text``."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str

    def overlaps(self, other: "TextEdit") -> bool:
        if self.start == self.end == other.start == other.end:
            return True  # two insertions at one point: their order would be a guess
        return self.start < other.end and other.start < self.end


@dataclass
class FileEdits:
    """The edits of one fix in one file (``path`` as displayed), or why there are none."""

    path: str
    edits: list[TextEdit]
    refused: str | None = None  # set when the fix can only be a suggestion


@dataclass
class FileText:
    """A file's text as the loaders saw it (LF, no BOM) and how to write it back."""

    path: Path
    text: str
    crlf: bool = False
    bom: bool = False

    @classmethod
    def read(cls, path: Path) -> "FileText":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CannotEdit(f"cannot read {path.name}: {exc.strerror or exc}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CannotEdit("not UTF-8 text: left as is") from None
        bom = text.startswith(BOM)
        text = text[1:] if bom else text
        crlf_count = text.count("\r\n")
        lf_count = text.count("\n")
        if crlf_count and crlf_count != lf_count:
            raise CannotEdit("mixed CRLF and LF line endings: left as is")
        if "\r" in text.replace("\r\n", ""):
            raise CannotEdit("bare CR line endings: left as is")
        return cls(path, text.replace("\r\n", "\n"), crlf=crlf_count > 0, bom=bom)

    def encoded(self, text: str) -> bytes:
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return ((BOM if self.bom else "") + text).encode("utf-8")

    def write(self, text: str) -> None:
        """Replace the file atomically with ``text``: a reader sees the old file or the
        new one, never half of it, and the mode bits stay."""
        data = self.encoded(text)
        mode = self.path.stat().st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".eksguard-fix")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def offsets(text: str) -> list[int]:
    """Offset of the start of each line (index 0 is line 1), plus one past the end."""
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    starts.append(len(text) + 1)
    return starts


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """``text`` with non-overlapping ``edits`` applied (raises ValueError on overlap or
    a position outside the text)."""
    starts = offsets(text)
    lines = len(starts) - 1

    def at(position: tuple[int, int]) -> int:
        line, column = position
        if not 1 <= line <= lines + 1:
            raise ValueError(f"line {line} is outside the file")
        if line == lines + 1:
            return len(text)
        offset = starts[line - 1] + column - 1
        if column < 1 or offset > starts[line] - 1:
            raise ValueError(f"column {column} is outside line {line}")
        return offset

    ordered = sorted(edits)
    for first, second in zip(ordered, ordered[1:]):
        if first.overlaps(second):
            raise ValueError("overlapping edits")
    out = text
    for edit in reversed(ordered):
        begin, end = at(edit.start), at(edit.end)
        out = out[:begin] + edit.text + out[end:]
    return out


def unified_diff(path: str, before: str, after: str) -> str:
    import difflib

    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{path}", tofile=f"b/{path}")
    # as git and GNU diff mark a last line without a newline, so the diff applies with ``patch``
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
