"""Shell text that knows where each of its characters was written.

A :class:`Snippet` is the text a shell would run (a whole script, one Makefile recipe
line, the value of a workflow ``run:`` key) plus a map from every character back to
its 1-based line and column in the file. The map is a list of segments, each a run of
characters that lie side by side on one line of the file, so a 1 MB script costs one
segment per line, not one tuple per character. Substituted text (a resolved
``$(VAR)``, a GitHub expression) maps every character to the place of the reference.

YAML scalars are rebuilt from the raw lines of the file (block, plain and quoted
styles, with YAML's line folding) and the result is checked against the value the
YAML loader produced: when they agree, positions are exact; when they do not (an
exotic escape, an explicit indentation indicator), every character points at the
start of the value, which is still the right line to look at.
"""

from __future__ import annotations

from bisect import bisect_right

PLACEHOLDER = "\ue000"  # a value that could not be resolved (stands for UNKNOWN in words)


class Snippet:
    __slots__ = ("text", "_starts", "_anchors")

    def __init__(self, text: str, starts: list[int], anchors: list[tuple[int, int]]):
        self.text = text
        self._starts = starts or [0]
        self._anchors = anchors or [(1, 1)]

    @classmethod
    def of_text(cls, text: str, line: int = 1, column: int = 1) -> "Snippet":
        """A whole file (or a run of lines starting at ``line``/``column``)."""
        starts, anchors, offset = [], [], 0
        for number, piece in enumerate(text.splitlines(keepends=True)):
            starts.append(offset)
            anchors.append((line + number, column if number == 0 else 1))
            offset += len(piece)
        return cls(text, starts, anchors)

    def at(self, offset: int) -> tuple[int, int]:
        """The (line, column) in the file of the character at ``offset``."""
        k = max(bisect_right(self._starts, offset) - 1, 0)
        line, column = self._anchors[k]
        return line, column + (offset - self._starts[k])

    def copy_into(self, builder: "Builder", start: int, end: int) -> None:
        """Append ``text[start:end]`` to ``builder``, keeping every character's position."""
        k = max(bisect_right(self._starts, start) - 1, 0)
        while start < end:
            seg_end = self._starts[k + 1] if k + 1 < len(self._starts) else len(self.text)
            stop = min(end, seg_end)
            line, column = self._anchors[k]
            builder.add(self.text[start:stop], line, column + (start - self._starts[k]))
            start = stop
            k += 1


class Builder:
    """Collects pieces of text, each with the file position of its first character."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.anchors: list[tuple[int, int]] = []
        self.length = 0

    def add(self, text: str, line: int, column: int) -> None:
        """``text`` lies side by side on one line of the file, starting at ``line``/``column``."""
        if text:
            self.starts.append(self.length)
            self.anchors.append((line, column))
            self.parts.append(text)
            self.length += len(text)

    def add_at(self, text: str, line: int, column: int) -> None:
        """Every character of ``text`` maps to the same place (substituted text)."""
        for char in text:
            self.add(char, line, column)

    def build(self) -> Snippet:
        return Snippet("".join(self.parts), self.starts, self.anchors)


# -- YAML scalars -------------------------------------------------------------------------


def yaml_scalar(lines: list[str], line: int, column: int, parsed: str) -> Snippet:
    """The snippet of the scalar whose value starts at ``line``/``column`` (1-based).

    ``lines`` are the file's lines without line breaks; ``parsed`` is the value the
    YAML loader read, which is the text that really runs.
    """
    built = None
    try:
        first = lines[line - 1]
        head = first[column - 1 : column]
        if head in ("|", ">"):
            built = _block(lines, line, head == ">", parsed)
        else:
            built = _flow(lines, line, column, head if head in ("'", '"') else "", parsed)
    except IndexError:
        built = None
    if built is None:
        fallback = Builder()
        fallback.add_at(parsed, line, column)
        return fallback.build()
    return built


def _block(lines: list[str], line: int, folded: bool, parsed: str) -> Snippet | None:
    content: list[tuple[int, str]] = []  # (1-based line, text without indentation)
    indent = None
    for index in range(line, len(lines)):
        raw = lines[index].rstrip("\r")
        stripped = raw.lstrip(" ")
        lead = len(raw) - len(stripped)
        if not stripped:
            content.append((index + 1, raw[indent:] if indent is not None else ""))
            continue
        if indent is None:
            indent = lead
        if lead < indent:
            break
        content.append((index + 1, raw[indent:]))
    if indent is None:
        return None
    b = Builder()
    previous_normal = False
    for number, (lineno, text) in enumerate(content):
        normal = bool(text) and not text[0] in " \t"
        if folded and number > 0 and previous_normal and normal and b.parts and b.parts[-1] == "\n":
            # fold the single line break between two normal lines into a space
            b.parts[-1] = " "
        b.add(text, lineno, indent + 1)
        b.add("\n", lineno, indent + 1 + len(text))
        previous_normal = normal
    snippet = b.build()
    if folded:
        snippet = _fold_empty_lines(snippet)
    if not snippet.text.startswith(parsed) or snippet.text[len(parsed):].strip():
        return None
    out = Builder()
    snippet.copy_into(out, 0, len(parsed))
    return out.build()


def _fold_empty_lines(snippet: Snippet) -> Snippet:
    """In a folded block, the break before empty lines is dropped ("a\\n\\nb" -> "a\\nb")."""
    text = snippet.text
    content_end = len(text.rstrip("\n"))  # trailing line breaks are chomping's business
    out = Builder()
    i = 0
    while i < len(text):
        j = text.find("\n\n", i)
        if j < 0 or j == 0 or text[j - 1] in " \t\n" or j >= content_end:
            end = len(text) if j < 0 else j + 1
            snippet.copy_into(out, i, end)
            i = end
            continue
        snippet.copy_into(out, i, j)
        i = j + 1  # skip this break; the empty lines that follow stay
    return out.build()


_ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t", "r": "\r", "0": "\0", " ": " ",
            "\t": "\t", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "v": "\v"}


def _flow(lines: list[str], line: int, column: int, quote: str, parsed: str) -> Snippet | None:
    """Plain, single- or double-quoted scalars, with YAML's line folding."""
    b = Builder()
    li, ci = line - 1, column - 1 + (1 if quote else 0)
    pending: list[tuple[str, int, int]] = []  # whitespace seen, kept only if the line goes on
    while li < len(lines):
        raw = lines[li].rstrip("\r")
        while ci < len(raw):
            char = raw[ci]
            if not quote and b.length + len(pending) >= len(parsed):
                return _checked(b, parsed)
            if char in " \t":
                pending.append((char, li + 1, ci + 1))
                ci += 1
                continue
            for p in pending:
                b.add(*p)
            pending = []
            if quote == "'" and char == "'":
                if raw[ci + 1 : ci + 2] == "'":
                    b.add("'", li + 1, ci + 1)
                    ci += 2
                    continue
                return _checked(b, parsed)
            if quote == '"' and char == '"':
                return _checked(b, parsed)
            if quote == '"' and char == "\\":
                nxt = raw[ci + 1 : ci + 2]
                if nxt == "":  # escaped line break: no space, next line's indentation dropped
                    li, ci = li + 1, 0
                    if li < len(lines):
                        ci = len(lines[li]) - len(lines[li].lstrip(" \t"))
                    continue
                if nxt not in _ESCAPES:
                    return None
                b.add(_ESCAPES[nxt], li + 1, ci + 1)
                ci += 2
                continue
            b.add(char, li + 1, ci + 1)
            ci += 1
        if not quote and b.length >= len(parsed):
            return _checked(b, parsed)
        # line break: fold into a space, or into one newline per empty line that follows
        pending = []
        break_at = (li + 1, len(raw) + 1)
        li += 1
        empties = 0
        while li < len(lines) and not lines[li].strip():
            empties += 1
            li += 1
        if li >= len(lines):
            break
        ci = len(lines[li]) - len(lines[li].lstrip(" \t"))
        b.add_at("\n" * empties if empties else " ", *break_at)
    return _checked(b, parsed) if not quote else None


def _checked(b: Builder, parsed: str) -> Snippet | None:
    snippet = b.build()
    return snippet if snippet.text == parsed else None
