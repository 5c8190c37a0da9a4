"""A small shell tokenizer that keeps the position of every character.

It knows what a static reader needs and no more: words with their quoting removed,
backslash line continuations, ``'…'``, ``"…"``, ``$'…'``, parameter references
(``$VAR``, ``${VAR}``; anything fancier is an unknown value), command and arithmetic
substitution and backquotes (unknown values, bodies skipped), comments, control
operators (``&&``, ``||``, ``;``, ``|``, ``&``, newlines, parentheses), redirections
(their target word is not an argument) and heredocs (their bodies are skipped).

:func:`commands` groups the tokens into simple commands. Nothing here raises: an
unterminated quote or substitution becomes a :class:`LexError` at the opening
character, and lexing resumes on the next line (at most :data:`MAX_ERRORS` times, so
that hostile input stays linear).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_SPECIAL_PARAMS = frozenset("@*#?$!-0123456789")
_ANSI = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "e": "\x1b",
         "E": "\x1b", "f": "\f", "v": "\v", "0": "\0"}
# Longest first: maximal munch.
_OPERATORS = ("<<<", "<<-", "&>>", ";;&", "&&", "||", ";;", ";&", "|&", "&>", ">>", ">|", ">&", "<&", "<>", "<<",
              "<(", ">(", "|", "&", ";", "(", ")", "<", ">")
#: Unterminated constructs tolerated per snippet before the rest of it is given up
#: (bash itself would stop at the first one; resuming helps when we misread a line).
MAX_ERRORS = 5
_REDIRECTS = frozenset({"<", ">", ">>", ">|", ">&", "<&", "<>", "&>", "&>>", "<<<", "<<", "<<-"})


@dataclass
class Ref:
    """A parameter expansion inside a word: ``name`` is None when it cannot be resolved."""

    name: str | None
    quoted: bool = False


@dataclass
class Word:
    """A shell word: literal characters and :class:`Ref` items, each with its offset."""

    start: int
    items: list = field(default_factory=list)  # str (one character) | Ref
    offsets: list[int] = field(default_factory=list)

    def add(self, item: object, offset: int) -> None:
        self.items.append(item)
        self.offsets.append(offset)

    def literal(self) -> str:
        """The literal characters only (for heredoc delimiters and reserved words)."""
        return "".join(i for i in self.items if isinstance(i, str))

    @property
    def is_literal(self) -> bool:
        return all(isinstance(i, str) for i in self.items)


@dataclass
class Op:
    text: str
    start: int


@dataclass
class LexError:
    start: int
    message: str


class _Unterminated(Exception):
    def __init__(self, start: int, what: str):
        self.start = start
        self.what = what


class Lexer:
    def __init__(self, text: str, start: int = 0, end: int | None = None):
        self.s = text
        self.start = start
        self.n = len(text) if end is None else end
        self.nested: list[tuple[int, int]] = []  # bodies of $(…), `…`, <(…): commands too

    def tokens(self) -> Iterator[Word | Op | LexError]:
        s, n = self.s, self.n
        i = self.start
        word: Word | None = None
        heredocs: list[tuple[str, bool]] = []
        delimiter_for: bool | None = None  # set after << / <<-: the next word is a delimiter
        errors = 0

        def flush() -> Iterator[Word]:
            nonlocal word, delimiter_for
            if word is not None:
                if delimiter_for is not None:
                    heredocs.append((word.literal(), delimiter_for))
                    delimiter_for = None
                yield word
                word = None

        while i < n:
            c = s[i]
            try:
                if c == "\\":
                    if s.startswith("\n", i + 1, n):
                        i += 2
                        continue
                    if s.startswith("\r\n", i + 1, n):
                        i += 3
                        continue
                    if word is None:
                        word = Word(i)
                    if i + 1 < n:
                        word.add(s[i + 1], i + 1)
                        i += 2
                    else:
                        word.add("\\", i)
                        i += 1
                elif c in " \t\r\f\v":
                    yield from flush()
                    i += 1
                elif c == "\n":
                    yield from flush()
                    yield Op("\n", i)
                    i += 1
                    if heredocs:
                        i = self._skip_heredocs(i, heredocs)
                        heredocs = []
                elif c == "#" and word is None:
                    j = s.find("\n", i, n)
                    i = n if j < 0 else j
                elif c == "'":
                    if word is None:
                        word = Word(i)
                    j = s.find("'", i + 1, n)
                    if j < 0:
                        raise _Unterminated(i, "single quote")
                    for k in range(i + 1, j):
                        word.add(s[k], k)
                    i = j + 1
                elif c == '"':
                    if word is None:
                        word = Word(i)
                    i = self._double(i + 1, word, i)
                elif c == "`":
                    if word is None:
                        word = Word(i)
                    j = self._backquote_end(i + 1)
                    if j < 0:
                        raise _Unterminated(i, "backquote")
                    self.nested.append((i + 1, j))
                    word.add(Ref(None), i)
                    i = j + 1
                elif c == "$":
                    if word is None:
                        word = Word(i)
                    i = self._dollar(i, word, quoted=False)
                elif c in "|&;()<>":
                    op = next(o for o in _OPERATORS if s.startswith(o, i, n))
                    if op in ("<(", ">("):  # process substitution: one unknown word
                        if word is None:
                            word = Word(i)
                        j = self._paren_end(i + 2)
                        if j < 0:
                            raise _Unterminated(i, "process substitution")
                        self.nested.append((i + 2, j - 1))
                        word.add(Ref(None), i)
                        i = j
                        continue
                    if op in _REDIRECTS and word is not None and word.items and all(
                        isinstance(x, str) and x.isdigit() for x in word.items
                    ) and word.offsets[-1] == i - 1:
                        word = None  # "2>": a file descriptor number, not an argument
                    yield from flush()
                    yield Op(op, i)
                    if op in ("<<", "<<-"):
                        delimiter_for = op == "<<-"
                    i += len(op)
                else:
                    if word is None:
                        word = Word(i)
                    word.add(c, i)
                    i += 1
            except _Unterminated as exc:
                yield LexError(exc.start, f"unterminated {exc.what}")
                errors += 1
                if errors >= MAX_ERRORS:  # each costs a scan to the end: stay linear
                    return
                word = None
                delimiter_for = None
                heredocs = []
                j = s.find("\n", exc.start, n)
                if j < 0:
                    return
                yield Op("\n", j)
                i = j + 1
        yield from flush()

    # -- pieces ---------------------------------------------------------------------------
    def _double(self, i: int, word: Word, opening: int) -> int:
        s, n = self.s, self.n
        while i < n:
            c = s[i]
            if c == '"':
                return i + 1
            if c == "\\" and i + 1 < n:
                nxt = s[i + 1]
                if nxt == "\n":
                    i += 2
                    continue
                if nxt in '$`"\\':
                    word.add(nxt, i + 1)
                    i += 2
                    continue
                word.add("\\", i)
                i += 1
                continue
            if c == "$":
                i = self._dollar(i, word, quoted=True)
                continue
            if c == "`":
                j = self._backquote_end(i + 1)
                if j < 0:
                    raise _Unterminated(i, "backquote")
                self.nested.append((i + 1, j))
                word.add(Ref(None, True), i)
                i = j + 1
                continue
            word.add(c, i)
            i += 1
        raise _Unterminated(opening, "double quote")

    def _dollar(self, i: int, word: Word, quoted: bool) -> int:
        s, n = self.s, self.n
        nxt = s[i + 1] if i + 1 < n else ""
        if nxt == "(":
            j = self._paren_end(i + 2)
            if j < 0:
                raise _Unterminated(i, "command substitution")
            if not s.startswith("(", i + 2, n):  # $((…)) is arithmetic
                self.nested.append((i + 2, j - 1))
            word.add(Ref(None, quoted), i)
            return j
        if nxt == "{":
            j = self._brace_end(i + 2)
            if j < 0:
                raise _Unterminated(i, "${")
            inner = s[i + 2 : j - 1]
            word.add(Ref(inner if _NAME.fullmatch(inner) else None, quoted), i)
            return j
        if nxt == "'" and not quoted:
            return self._ansi(i + 2, word, i)
        if nxt == '"' and not quoted:
            return self._double(i + 2, word, i)
        if nxt and nxt in _NAME_CHARS and not nxt.isdigit():
            j = i + 1
            while j < n and s[j] in _NAME_CHARS:
                j += 1
            word.add(Ref(s[i + 1 : j], quoted), i)
            return j
        if nxt and nxt in _SPECIAL_PARAMS:
            word.add(Ref(None, quoted), i)
            return i + 2
        word.add("$", i)
        return i + 1

    def _ansi(self, i: int, word: Word, opening: int) -> int:
        s, n = self.s, self.n
        while i < n:
            c = s[i]
            if c == "'":
                return i + 1
            if c == "\\" and i + 1 < n:
                word.add(_ANSI.get(s[i + 1], s[i + 1]), i)
                i += 2
                continue
            word.add(c, i)
            i += 1
        raise _Unterminated(opening, "$'...' quote")

    def _skip_quoted(self, i: int) -> int:
        """From an opening quote at ``i``, the index after its closing quote (-1 if none)."""
        s = self.s
        if s[i] == "'":
            j = s.find("'", i + 1, self.n)
            return -1 if j < 0 else j + 1
        j = i + 1
        while j < self.n:
            if s[j] == "\\":
                j += 2
                continue
            if s[j] == s[i]:
                return j + 1
            j += 1
        return -1

    def _paren_end(self, i: int) -> int:
        """Index after the ``)`` closing a ``(`` just before ``i``; -1 when unterminated."""
        return self._closing(i, "(", ")", "'\"`")

    def _brace_end(self, i: int) -> int:
        """Index after the ``}`` closing a ``{`` just before ``i``; -1 when unterminated."""
        return self._closing(i, "{", "}", "'\"")

    def _closing(self, i: int, opening: str, closing: str, quotes: str) -> int:
        s, n, depth = self.s, self.n, 1
        while i < n:
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if c in quotes:
                i = self._skip_quoted(i)
                if i < 0:
                    return -1
                continue
            if c == opening:
                depth += 1
            elif c == closing:
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return -1

    def _backquote_end(self, i: int) -> int:
        s = self.s
        while i < self.n:
            if s[i] == "\\":
                i += 2
                continue
            if s[i] == "`":
                return i
            i += 1
        return -1

    def _skip_heredocs(self, i: int, heredocs: list[tuple[str, bool]]) -> int:
        s, n = self.s, self.n
        for delimiter, strip_tabs in heredocs:
            while i < n:
                j = s.find("\n", i, n)
                end = n if j < 0 else j
                line = s[i:end].rstrip("\r")
                i = end + 1 if j >= 0 else n
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
        return i


@dataclass
class Command:
    """A simple command: its words (redirections removed), in order."""

    words: list[Word]
    error: LexError | None = None  # set when the command was cut short by a LexError
    nested: list[tuple[int, int]] = field(default_factory=list)  # substitution bodies in it


def commands(text: str, start: int = 0, end: int | None = None) -> Iterator[Command]:
    """The simple commands of ``text[start:end]`` (offsets stay those of ``text``); a
    command cut by a lexing error carries it."""
    lexer = Lexer(text, start, end)
    words: list[Word] = []
    drop_next = False
    seen = 0

    def nested() -> list[tuple[int, int]]:
        nonlocal seen
        spans, seen = lexer.nested[seen:], len(lexer.nested)
        return spans

    for token in lexer.tokens():
        if isinstance(token, Word):
            if drop_next:
                drop_next = False
            else:
                words.append(token)
        elif isinstance(token, LexError):
            yield Command(words, token, nested())
            words, drop_next = [], False
        elif token.text in _REDIRECTS:
            drop_next = True
        else:
            drop_next = False
            if words or len(lexer.nested) > seen:
                yield Command(words, None, nested())
                words = []
    if words or len(lexer.nested) > seen:
        yield Command(words, None, nested())
