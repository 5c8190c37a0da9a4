"""Safe YAML loading that keeps the 1-based line and column of every key and value.

Why not ``yaml.compose`` then build: measured on PyYAML 6.0.3, the C composer is
recursive (200,000 nested ``[`` segfault the interpreter), libyaml is quadratic in
flow nesting (20,000 levels take 1.8 s, 200,000 take two minutes) and ``compose_all``
was 10x slower than iterating the C parser's events on a 2.6 MB multi-document file.
So we drive libyaml's event stream ourselves: one pass, iterative, aborting as soon
as a limit is crossed, and no constructor ever runs (tags such as
``!!python/object`` are kept as plain data, never instantiated).

Values are plain ``dict``/``list``/scalars (subclassed only to carry positions), so
JSON Schema and rules see ordinary data. Aliases share the anchored object instead
of copying it; the expanded size is still counted so an alias bomb is refused.
"""

from __future__ import annotations

import math
import re
from array import array
from dataclasses import dataclass, field
from operator import indexOf
from sys import intern

import yaml
from yaml import events as ev
from yaml.resolver import Resolver

from eksguard.limits import raise_hint

__all__ = [
    "YMap",
    "YSeq",
    "Document",
    "YamlLimits",
    "YamlProblem",
    "load_documents",
    "locate",
]

Mark = tuple[int, int]  # (line, column), both 1-based

#: One tuple per (line, column) for the whole process, for positions kept as tuples
#: (Terraform's expressions and block marks; YAML keeps its own in arrays, see
#: :class:`YMap`). Marks are never mutated, so sharing them changes nothing but memory
#: (and pickles, which store a shared object once). Bounded: a huge file's far
#: positions are not kept.
SHARED_MARKS: dict[Mark, Mark] = {}
MAX_SHARED_MARKS = 65536


def shared_mark(line: int, column: int) -> Mark:
    """The process-wide tuple for ``(line, column)`` (a new one past the bound)."""
    mark = (line, column)
    shared = SHARED_MARKS.get(mark)
    if shared is not None:
        return shared
    if len(SHARED_MARKS) < MAX_SHARED_MARKS:
        SHARED_MARKS[mark] = mark
    return mark


LIBYAML_MAX_NESTING = 1000  # libyaml >= 0.2.6 refuses deeper flow/block nesting on its own


#: Positions are kept as unsigned ints in one flat array per container, not as tuples
#: in two dicts: measured on 9.5 MB of Deployments (15,388 documents), the loaded
#: documents took 271 MiB with ``key_marks``/``value_marks`` dicts of shared tuples and
#: 134 MiB with the array; on bench/'s 5,000 files, 43 MiB against 30 MiB. The parse
#: cache and the process pool pickle each array as one bytes object.
_NO_MARK = (0, 0)


def _packed(values: tuple) -> array:
    """``values`` as marks; a number no file position has (negative, huge, not an int)
    makes them unknown rather than an error in the adapter that wrote it."""
    try:
        return array("I", values)
    except (OverflowError, TypeError, ValueError):
        return array("I", bytes(4 * len(values)))


class _Marked:
    """What :class:`YMap` and :class:`YSeq` share: ``marks`` begins with the container's
    own line and column, then its keys' or items' positions (0 when not known)."""

    __slots__ = ()
    marks: array
    #: Numbers per key or item after the container's own two.
    WIDTH = 2

    def in_step(self) -> bool:
        """True when ``marks`` holds a position for every key or item (see :class:`YMap`)."""
        return len(self.marks) == 2 + self.WIDTH * len(self)

    @property
    def mark(self) -> Mark:
        marks = self.marks
        return marks[0], marks[1]

    @mark.setter
    def mark(self, mark: Mark) -> None:
        self.marks[0:2] = _packed(tuple(mark))

    def all_marks(self) -> list[Mark]:
        """Every known position of this container (itself, its keys and values or its
        items), not of what it holds."""
        marks = self.marks
        return [(marks[i], marks[i + 1]) for i in range(0, len(marks), 2) if marks[i]]

    def move_marks(self, move) -> None:
        """Rewrite every known position of this container with ``move(mark) -> mark``."""
        marks = self.marks
        for i in range(0, len(marks), 2):
            if marks[i]:
                marks[i:i + 2] = _packed(tuple(move((marks[i], marks[i + 1]))))

    def copy_marks(self, other: "_Marked") -> None:
        """Take ``other``'s positions: for a copy with the same keys or items, in order."""
        self.marks = array("I", other.marks)


class YMap(_Marked, dict):
    """A mapping that remembers where it and each of its keys and values were written.

    ``marks`` holds the positions: the map's own line and column, then four numbers per
    key in the map's insertion order (key line, key column, value line, value column;
    0 when not known). Write keys with :meth:`put` so the two stay in step; a key set
    as a plain ``dict`` item (``m[k] = v``) has no position, and from then on every
    key of this map reads as unpositioned (``None``) rather than as another key's.
    """

    __slots__ = ("marks",)
    WIDTH = 4

    def __init__(self) -> None:
        super().__init__()
        self.marks = array("I", (1, 1))

    def _slot(self, key: object) -> int:
        """Where ``key``'s four numbers start in ``marks``; -1 when it has none."""
        if not self.in_step() or key not in self:
            return -1
        return 2 + 4 * indexOf(self, key)

    def put(self, key: object, value: object, key_mark: Mark | None = None, value_mark: Mark | None = None) -> None:
        """``self[key] = value``, written at ``key_mark`` with its value at ``value_mark``
        (a key set again keeps its place, as in any dict, and takes the new positions)."""
        kl, kc = key_mark or _NO_MARK
        vl, vc = value_mark or _NO_MARK
        marks = self.marks
        if key not in self:  # the common case: a new key at the end
            if self.in_step():
                marks.extend(_packed((kl, kc, vl, vc)))
            dict.__setitem__(self, key, value)
            return
        slot = self._slot(key)
        dict.__setitem__(self, key, value)
        if slot >= 0:
            marks[slot:slot + 4] = _packed((kl, kc, vl, vc))

    def key_mark(self, key: object) -> Mark | None:
        slot = self._slot(key)
        if slot < 0 or not self.marks[slot]:
            return None
        return self.marks[slot], self.marks[slot + 1]

    def value_mark(self, key: object) -> Mark | None:
        slot = self._slot(key)
        if slot < 0 or not self.marks[slot + 2]:
            return None
        return self.marks[slot + 2], self.marks[slot + 3]

    def marked_items(self):
        """``(key, value, key mark, value mark)`` in order (marks ``None`` when unknown),
        without a lookup per key."""
        marks = self.marks
        if not self.in_step():
            for key, value in self.items():
                yield key, value, None, None
            return
        for i, (key, value) in enumerate(self.items()):
            at = 2 + 4 * i
            yield (key, value, (marks[at], marks[at + 1]) if marks[at] else None,
                   (marks[at + 2], marks[at + 3]) if marks[at + 2] else None)

    def __reduce__(self):  # pickle for process pools and the parse cache: keep marks
        return (_rebuild_map, (dict(self), self.marks.tobytes()))


class YFloat(float):
    """A float that keeps the text it was written as: ``version: 1.30`` is "1.30", not 1.3."""

    __slots__ = ("text",)

    def __new__(cls, value: float, text: str) -> "YFloat":
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __reduce__(self):
        return (YFloat, (float(self), self.text))


class YSeq(_Marked, list):
    """A sequence that remembers where it and each item were written.

    ``marks`` holds its own line and column, then two numbers per item (0 when not
    known); add items with :meth:`append_marked` so the two stay in step (see
    :class:`YMap`)."""

    __slots__ = ("marks",)

    def __init__(self) -> None:
        super().__init__()
        self.marks = array("I", (1, 1))

    def append_marked(self, value: object, mark: Mark | None) -> None:
        aligned = self.in_step()
        list.append(self, value)
        if aligned:
            self.marks.extend(_packed(tuple(mark or _NO_MARK)))

    def item_mark(self, index: int) -> Mark | None:
        """Where item ``index`` (negative counts from the end) was written."""
        size = len(self)
        if index < 0:
            index += size
        marks = self.marks
        if not 0 <= index < size or not self.in_step() or not marks[2 + 2 * index]:
            return None
        return marks[2 + 2 * index], marks[3 + 2 * index]

    def item_marks(self) -> list[Mark | None]:
        """The position of each item, in order (``None`` when unknown)."""
        marks = self.marks
        if not self.in_step():
            return [None] * len(self)
        return [(marks[i], marks[i + 1]) if marks[i] else None for i in range(2, len(marks), 2)]

    def __reduce__(self):
        return (_rebuild_seq, (list(self), self.marks.tobytes()))


# Unpickling (the parse cache, the process pool) builds every mapping of the model
# through these: no __init__ (its array would be thrown away at once). Keys and short
# scalars are shared again as the loader shares them: a pickle shares strings only
# within itself, and a warm scan of bench/ peaked at 78 MiB against 70 MiB with this.
def _rebuild_map(items, marks):
    m = dict.__new__(YMap)
    dict.update(m, {(intern(k) if k.__class__ is str else k):
                    (intern(v) if v.__class__ is str and len(v) <= SHARED_SCALAR_LENGTH else v)
                    for k, v in items.items()})
    m.marks = array("I")
    m.marks.frombytes(marks)
    return m


def _rebuild_seq(items, marks):
    s = list.__new__(YSeq)
    list.extend(s, items)
    s.marks = array("I")
    s.marks.frombytes(marks)
    return s


def _new_map(line: int, column: int) -> YMap:
    m = dict.__new__(YMap)
    m.marks = array("I", (line, column))
    return m


def _new_seq(line: int, column: int) -> YSeq:
    s = list.__new__(YSeq)
    s.marks = array("I", (line, column))
    return s


@dataclass(frozen=True)
class YamlLimits:
    """Bounds that keep hostile input cheap: refused early, never expanded."""

    max_depth: int = 1000
    max_nodes_per_document: int = 1_000_000  # counted with aliases expanded
    max_documents: int = 100_000


@dataclass
class Document:
    """One YAML document: its value, its 0-based index in the file and its first line."""

    value: object
    index: int
    line: int
    end_line: int
    duplicates: list[tuple[str, int, int, int]] = field(default_factory=list)  # (key, first line, line, col)
    complex_keys: list[Mark] = field(default_factory=list)  # mappings or sequences used as keys


@dataclass
class YamlProblem(Exception):
    """Why a file could not be loaded, with the 1-based position where it went wrong."""

    message: str
    line: int = 1
    column: int = 1
    documents: list[Document] = field(default_factory=list)  # documents completed before it
    limit: bool = False  # refused by a safety limit rather than a syntax error

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.line}:{self.column}: {self.message}"


_STR = "tag:yaml.org,2002:str"
_RESOLVERS = Resolver.yaml_implicit_resolvers
_BOOL = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _resolve_plain(value: str) -> str:
    for tag, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


def _to_int(value: str) -> int:
    v = value.replace("_", "")
    sign = -1 if v[:1] == "-" else 1
    if v[:1] in "+-":
        v = v[1:]
    if v == "0":
        return 0
    if v.startswith("0b"):
        return sign * int(v[2:], 2)
    if v.startswith("0x"):
        return sign * int(v[2:], 16)
    if v.startswith("0") and ":" not in v:
        return sign * int(v, 8)
    if ":" in v:
        total = 0
        for part in v.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(v)


def _to_float(value: str) -> float:
    v = value.replace("_", "").lower()
    sign = -1.0 if v[:1] == "-" else 1.0
    if v[:1] in "+-":
        v = v[1:]
    if v == ".inf":
        return sign * math.inf
    if v == ".nan":
        return math.nan
    if ":" in v:
        total = 0.0
        for part in v.split(":"):
            total = total * 60 + float(part)
        return sign * total
    return sign * float(v)


#: Scalars up to this many characters are one string per process (``sys.intern``):
#: replica counts, label values, API versions and resource sizes repeat across a
#: repository; measured: the model after lifting bench/'s 5,000 files went from 66 to
#: 61 MiB, 9.5 MB of Deployments from 150 to 140 MiB, at no measurable cost in time.
SHARED_SCALAR_LENGTH = 40


def _scalar(event: ev.ScalarEvent) -> object:
    value = event.value
    if len(value) <= SHARED_SCALAR_LENGTH:
        value = intern(value)
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:  # quoted or block scalar: always a string
            return value
        tag = _resolve_plain(value)
    elif tag.startswith("!!"):
        tag = "tag:yaml.org,2002:" + tag[2:]
    try:
        if tag == _STR:
            return value
        if tag == "tag:yaml.org,2002:int":
            return _to_int(value)
        if tag == "tag:yaml.org,2002:bool":
            return _BOOL.get(value.lower(), bool(value))
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:float":
            return YFloat(_to_float(value), value)
    except ValueError:
        return value
    # timestamps, binary, merge keys and unknown or language-specific tags stay text:
    # never constructed, so ``!!python/object`` cannot run anything.
    return value


class _Frame:
    __slots__ = ("container", "is_map", "key", "key_mark", "size", "anchor", "merges")

    def __init__(self, container, is_map: bool, anchor):
        self.container = container
        self.is_map = is_map
        self.key = _NO_KEY
        self.key_mark: Mark = (0, 0)
        self.size = 1
        self.anchor = anchor
        self.merges: list | None = None


_NO_KEY = object()


def _hashable(key: object) -> object:
    if isinstance(key, (dict, list)):
        return repr(key)  # complex keys (``? [a, b]``) are legal YAML, useless to us
    return key


_BREAKS = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")  # libyaml's line breaks


def _inside(text: str, line: int, column: int) -> Mark:
    """``(line, column)``, or the end of ``text`` when past it: at the end of a text with
    no final line break, libyaml reports the line after the last one."""
    if line <= text.count("\n") + 1 and "\r" not in text[-2:]:
        return line, column
    lines = _BREAKS.split(text)
    if (line, column) > (len(lines), len(lines[-1]) + 1):
        return len(lines), len(lines[-1]) + 1
    return line, column


def _depth_why(depth: int) -> str:
    if depth >= LIBYAML_MAX_NESTING:
        return "the most libyaml reads; limits.max-nesting cannot raise it"
    return raise_hint("max-nesting")


def load_documents(text: str, limits: YamlLimits = YamlLimits()) -> list[Document]:
    """Load every document of ``text``; raise :class:`YamlProblem` on bad or hostile input."""
    documents: list[Document] = []
    anchors: dict[str, tuple[object, int]] = {}
    stack: list[_Frame] = []
    root: object = None
    duplicates: list[tuple[str, int, int, int]] = []
    complex_keys: list[Mark] = []
    doc_line = 1
    nodes = 0
    max_depth = limits.max_depth
    max_nodes = limits.max_nodes_per_document

    def attach(value: object, mark: Mark, size: int) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        top = stack[-1]
        top.size += size
        container = top.container
        if not top.is_map:
            container.marks.extend(mark)
            container.append(value)
        elif top.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                complex_keys.append(mark)
            top.key = intern(value) if type(value) is str else _hashable(value)
            top.key_mark = mark
        else:
            key = top.key
            if key == "<<" and isinstance(value, (dict, list)):
                top.merges = (top.merges or []) + ([value] if isinstance(value, dict) else list(value))
            else:
                if key in container:  # the last one wins, in the first one's place
                    duplicates.append((str(key), (container.key_mark(key) or top.key_mark)[0], *top.key_mark))
                    container.put(key, value, top.key_mark, mark)
                else:
                    container.marks.extend((*top.key_mark, *mark))
                    container[key] = value
            top.key = _NO_KEY

    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            cls = event.__class__
            if cls is ev.ScalarEvent:
                m = event.start_mark
                mark = (m.line + 1, m.column + 1)
                value = _scalar(event)
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                attach(value, mark, 1)
            elif cls is ev.MappingStartEvent or cls is ev.SequenceStartEvent:
                if len(stack) >= max_depth:
                    m = event.start_mark
                    raise YamlProblem(
                        f"nesting deeper than {max_depth} levels ({_depth_why(max_depth)})", m.line + 1,
                        m.column + 1, limit=True
                    )
                is_map = cls is ev.MappingStartEvent
                m = event.start_mark
                container = (_new_map if is_map else _new_seq)(m.line + 1, m.column + 1)
                nodes += 1
                if nodes > max_nodes:
                    raise YamlProblem(
                        f"document has more than {max_nodes} nodes ({raise_hint('max-nodes')})", *container.mark,
                        limit=True
                    )
                stack.append(_Frame(container, is_map, event.anchor))
            elif cls is ev.MappingEndEvent or cls is ev.SequenceEndEvent:
                frame = stack.pop()
                container = frame.container
                if frame.merges:
                    for source in frame.merges:
                        if isinstance(source, YMap):
                            for k, v, key_at, value_at in source.marked_items():
                                if k not in container:
                                    container.put(k, v, key_at or source.mark, value_at or source.mark)
                if frame.anchor:
                    anchors[frame.anchor] = (container, frame.size)
                attach(container, container.mark, frame.size)
            elif cls is ev.AliasEvent:
                m = event.start_mark
                try:
                    value, size = anchors[event.anchor]
                except KeyError:
                    raise YamlProblem(f"unknown alias *{event.anchor}", m.line + 1, m.column + 1)
                nodes += size
                if nodes > max_nodes:
                    raise YamlProblem(
                        f"document expands to more than {max_nodes} nodes through aliases, an alias bomb? "
                        f"({raise_hint('max-nodes')})",
                        m.line + 1,
                        m.column + 1,
                        limit=True,
                    )
                attach(value, (m.line + 1, m.column + 1), size)
            elif cls is ev.DocumentStartEvent:
                root = None
                anchors = {}
                duplicates = []
                complex_keys = []
                nodes = 0
                doc_line = event.start_mark.line + 1
            elif cls is ev.DocumentEndEvent:
                if len(documents) >= limits.max_documents:
                    raise YamlProblem(f"more than {limits.max_documents} documents ({raise_hint('max-documents')})",
                                      doc_line, 1, limit=True)
                documents.append(Document(root, len(documents), doc_line, event.end_mark.line + 1, duplicates, complex_keys))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = _inside(text, mark.line + 1, mark.column + 1) if mark else (1, 1)
        if exc.problem and "maximum nesting depth" in exc.problem:
            # libyaml >= 0.2.6 refuses depth past LIBYAML_MAX_NESTING itself, before
            # our own check sees the event; report it as the same limit either way.
            depth = min(max_depth, LIBYAML_MAX_NESTING)
            raise YamlProblem(f"nesting deeper than {depth} levels ({_depth_why(depth)})", line, column, documents,
                              limit=True) from None
        detail = exc.problem or "syntax error"
        if exc.context:
            detail = f"{detail} ({exc.context})"
        raise YamlProblem(f"YAML syntax error: {detail}", line, column, documents) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}".splitlines()[0], 1, 1, documents) from None
    except YamlProblem as problem:
        problem.documents = documents
        raise
    except RecursionError:  # pragma: no cover - the depth limit should stop this first
        raise YamlProblem("nesting too deep", 1, 1, documents) from None
    return documents


def locate(root: object, path: tuple) -> tuple[Mark, bool]:
    """Where ``path`` was written inside ``root``: the mark of its key (or item).

    Returns ``(mark, found)``; when part of the path is missing, the mark of the
    deepest part that exists and ``found = False``.
    """
    node = root
    mark: Mark = getattr(root, "mark", (1, 1))
    for segment in path:
        if isinstance(node, YMap) and segment in node:
            mark = node.key_mark(segment) or mark
            node = node[segment]
        elif isinstance(node, YSeq) and isinstance(segment, int) and 0 <= segment < len(node):
            mark = node.item_mark(segment) or mark
            node = node[segment]
        else:
            return mark, False
    return mark, True


def value_mark(root: object, path: tuple) -> Mark | None:
    """The mark of the value at ``path`` (for a mapping key, where its value starts)."""
    if not path:
        return getattr(root, "mark", None)
    parent_mark, found = locate(root, path[:-1])
    if not found:
        return None
    node = root
    for segment in path[:-1]:
        node = node[segment]
    last = path[-1]
    if isinstance(node, YMap) and last in node:
        return node.value_mark(last)
    if isinstance(node, YSeq) and isinstance(last, int) and 0 <= last < len(node):
        return node.item_mark(last)
    return None
