"""Reading an input's text safely: size limit, binary detection, encodings, BOMs.

Every adapter reads through :func:`read_text`, so the rules for bad input are the
same for every format: a file that cannot be read as text is one clear EKS001.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from eksguard.adapters import Source

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

#: Set by the runner while adapters lift: called with every text read, so suppression
#: comments are found without reading a file twice (``eksguard/engine/suppress.py``).
TEXT_OBSERVER: ContextVar[Callable[[Source, str], None] | None] = ContextVar("TEXT_OBSERVER", default=None)


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


def read_text(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of ``source``; raises :class:`Unreadable` with a one-line reason."""
    if source.stdin_data is not None:
        if len(source.stdin_data) > max_bytes:
            raise Unreadable(f"input is over the {max_bytes / 1048576:.0f} MiB limit")
        return observed(source, decode(source.stdin_data))
    assert source.path is not None
    try:
        size = source.path.stat().st_size
        if size > max_bytes:
            raise Unreadable(f"file is {size / 1048576:.1f} MiB, over the {max_bytes / 1048576:.0f} MiB limit")
        with open(source.path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror or exc}") from None
    return observed(source, decode(data))
