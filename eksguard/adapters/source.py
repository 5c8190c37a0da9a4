"""Reading an input's text safely: size limit, binary detection, encodings, BOMs.

Every adapter reads through :func:`read_text`, so the rules for bad input are the
same for every format: a file that cannot be read as text is one clear EKS001.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from eksguard.adapters import Source
from eksguard.limits import DEFAULT, Limits, human_size, raise_hint, read_bounded, show_size

_JSON_SHAPED = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*[\[{]")

#: Set by the runner while adapters lift: called with every text read, so suppression
#: comments are found without reading a file twice (``eksguard/engine/suppress.py``).
TEXT_OBSERVER: ContextVar[Callable[[Source, str], None] | None] = ContextVar("TEXT_OBSERVER", default=None)


#: Set by ``scan --fix`` while it verifies fixes before writing them: resolved path ->
#: the file's new text. Adapters then read what the file *would* say.
OVERLAY: ContextVar[dict[str, str] | None] = ContextVar("OVERLAY", default=None)


def overlay_text(path) -> str | None:
    """The text ``path`` would have after the fixes being verified (None: as on disk)."""
    overlay = OVERLAY.get()
    return None if overlay is None else overlay.get(os.path.realpath(path))


def observed(source: Source, text: str) -> str:
    """``text``, after showing it to the scan's observer (if any)."""
    observer = TEXT_OBSERVER.get()
    if observer is not None:
        observer(source, text)
    return text


@dataclass
class Unreadable(Exception):
    """Why a source's bytes are not text, with the 1-based position of the culprit."""

    message: str
    line: int = 1
    column: int = 1


def text_position(text: str, offset: int) -> tuple[int, int]:
    """1-based ``(line, column)`` of character ``offset`` in ``text``."""
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (BOM dropped) or BOM-marked UTF-16; NUL bytes mean binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise Unreadable(f"not valid UTF-16 ({exc.reason})") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _position(data, nul)
        raise Unreadable("binary content (NUL byte): not a text file", line, column)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise Unreadable(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, column) from None


def long_line(data: bytes, limit: int) -> int | None:
    """The offset of the first byte past ``limit`` on the first line longer than that,
    or None. Costs a few ``rfind`` calls per ``limit`` bytes, never one step per line."""
    size = len(data)
    start = 0
    while size - start > limit:
        newline = data.rfind(b"\n", start, start + limit + 1)
        if newline < 0:
            return start + limit
        start = newline + 1
    return None


def check_lines(data: bytes, limits: Limits) -> None:
    """Refuse ``data`` with a line over ``limits.max_line_length`` (JSON-shaped input,
    often minified onto one line, is bounded by its size only)."""
    limit = limits.max_line_length
    if len(data) <= limit or _JSON_SHAPED.match(data):
        return
    offset = long_line(data, limit)
    if offset is not None:
        line, column = _position(data, offset)
        raise Unreadable(f"line {line} is longer than {show_size(limit)}, the line length limit "
                         f"({raise_hint('max-line-length')})", line, column)


def read_text(source: Source, max_bytes: int | None = None, *, limits: Limits | None = None,
              size_key: str = "max-file-size") -> str:
    """The text of ``source``; raises :class:`Unreadable` with a one-line reason.

    ``limits`` (the scan's, see :func:`eksguard.limits.limits_of`) bound its size and its
    lines; ``max_bytes`` overrides the size limit, named ``size_key`` in the message."""
    limits = limits or DEFAULT
    if max_bytes is None:
        max_bytes = limits.max_file_size
    hint = raise_hint(size_key)
    if source.stdin_data is not None:
        if len(source.stdin_data) > max_bytes:
            raise Unreadable(f"input is {human_size(len(source.stdin_data))}, over the "
                             f"{show_size(max_bytes)} limit ({hint})")
        check_lines(source.stdin_data, limits)
        return observed(source, decode(source.stdin_data))
    assert source.path is not None
    if (text := overlay_text(source.path)) is not None:
        return observed(source, text)
    try:
        size = source.path.stat().st_size
        if size > max_bytes:
            raise Unreadable(f"file is {human_size(size)}, over the {show_size(max_bytes)} limit ({hint})")
        with open(source.path, "rb") as handle:
            data = read_bounded(handle, max_bytes, size)
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew since stat (a FIFO, a file being written)
        raise Unreadable(f"file is over the {show_size(max_bytes)} limit ({hint})")
    check_lines(data, limits)
    return observed(source, decode(data))
