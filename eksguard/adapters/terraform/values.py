"""Reading a resource body the same way whether it came from HCL or from a plan.

A body is a positioned mapping (:class:`~eksguard.adapters.terraform.hcl.HclMap` for
HCL, a :class:`~eksguard.yaml_loader.YMap` for plan JSON); nested blocks are lists of
mappings in both. :class:`Body` reads it defensively (``null`` counts as not
written, as in Terraform) and gives each key's exact location. The other helpers
read what is embedded in strings (YAML, JSON, user data), reporting positions in the
file that holds the string: a heredoc's YAML error lands on its real ``.tf`` line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from eksguard.adapters import Sink
from eksguard.adapters.userdata import joins_eks, max_pods_in
from eksguard.adapters.terraform.hcl import HOLE_OPEN, Expr, Text, expr_of, remark
from eksguard.findings import Location
from eksguard.model import UNKNOWN, AwsObject, Origin, text
from eksguard.limits import limits_of, raise_hint, show_size
from eksguard.yaml_loader import Mark, YamlProblem, YMap, YSeq, load_documents, locate

MAX_EMBEDDED = 1024 * 1024  # characters of YAML/JSON read from one string attribute


@dataclass
class Decl:
    """One ``resource``/``data``/``module`` declaration, from HCL or from a plan.

    ``address`` is the Terraform address (``aws_eks_addon.this``,
    ``module.eks.aws_eks_addon.this["coredns"]`` in a plan); ``mark`` where it is
    declared (block header, or the plan's resource entry).
    """

    mode: str  # resource | data | module
    type: str  # aws_eks_addon (for modules: the module's name)
    name: str
    address: str
    body: YMap
    origin: Origin
    mark: Mark

    @property
    def location(self) -> Location:
        return self.origin.at(self.mark)

    def read(self) -> "Body":
        return Body(self.body, self.origin, self.mark)


class Body:
    """A block body or object value with its origin: terse reads that keep positions."""

    __slots__ = ("map", "origin", "mark")

    def __init__(self, value: object, origin: Origin, mark: Mark | None = None):
        self.map = value if isinstance(value, dict) else YMap()
        self.origin = origin
        self.mark = mark or getattr(value, "mark", (1, 1))

    @property
    def here(self) -> Location:
        return self.origin.at(self.mark)

    def has(self, key: str) -> bool:
        """Written, and not ``null`` (Terraform treats null as omitted)."""
        return key in self.map and self.map[key] is not None

    def get(self, key: str, default: object = None) -> object:
        value = self.map.get(key)
        return default if value is None else value

    def text(self, key: str) -> str | None:
        value = text(self.map.get(key))
        return None if value is None else str(value)

    def at(self, key: str) -> Location:
        mark, found = locate(self.map, (key,))
        return self.origin.at(mark if found else self.mark)

    def expr(self, key: str) -> Expr | None:
        return expr_of(self.map, key)

    def key_mark(self, key: str) -> Mark:
        mark, found = locate(self.map, (key,))
        return mark if found else self.mark

    def block(self, key: str) -> "Body | None":
        """A single nested block (``vpc_config {}``, plan ``[{...}]``) or object value."""
        found = self.blocks(key)
        return found[0] if found else None

    def blocks(self, key: str) -> list["Body"]:
        """Nested blocks (a list of mappings), or an object value as a one-item list."""
        value = self.map.get(key)
        if isinstance(value, dict):
            return [Body(value, self.origin, self.key_mark(key))]
        if isinstance(value, list):
            marks = value.item_marks() if isinstance(value, YSeq) else [None] * len(value)
            return [Body(v, self.origin, marks[i] or self.mark)
                    for i, v in enumerate(value) if isinstance(v, dict)]
        return []

    def dynamic(self, key: str) -> Location | None:
        """Where a ``dynamic "key" {}`` block generates ``key`` blocks (their content is
        unknown statically), or None."""
        for item in self.blocks("dynamic"):
            if key in item.map:
                return item.here
        return None

    def entries(self, key: str) -> Iterator[tuple[str, "Body"]]:
        """``(map key, entry)`` of a map-of-objects input; each entry is marked at its key."""
        value = self.map.get(key)
        if not isinstance(value, dict):
            return
        sub = Body(value, self.origin, self.key_mark(key))
        for name, item in value.items():
            if isinstance(item, dict):
                yield str(name), Body(item, self.origin, sub.key_mark(name))

    def put(self, obj: AwsObject, key: str, attr: str, default: object = None, convert=None) -> bool:
        """Copy ``attr`` into setting ``key`` (``convert`` applied to known values);
        record ``default`` at the object when the attribute is not written."""
        if self.has(attr):
            value = self.map[attr]
            if convert is not None and value is not UNKNOWN:
                value = convert(value)
            obj.set(key, plain(value), self.at(attr))
            return True
        if default is not None:
            obj.set(key, default, obj.location, default=True)
        return False


def plain(value: object) -> object:
    """A copy of ``value`` fit for the model: :class:`Text` becomes ``str`` (libyaml and
    other C readers refuse ``str`` subclasses), :class:`HclMap`/``HclSeq`` become
    ``YMap``/``YSeq`` with the same positions. Copies, so cached evaluations stay intact."""
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, YMap):
        out = YMap()
        dict.update(out, ((key, plain(item)) for key, item in value.items()))
        out.copy_marks(value)  # the same keys in the same order: the same positions
        return out
    if isinstance(value, YSeq):
        seq = YSeq()
        list.extend(seq, (plain(item) for item in value))
        seq.copy_marks(value)
        return seq
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def string_list(value: object) -> object:
    """A list of strings, or UNKNOWN when any item is not a known string."""
    if value is UNKNOWN or not isinstance(value, list):
        return UNKNOWN
    if any(not isinstance(v, str) for v in value):
        return UNKNOWN
    return [str(v) for v in value]


# -- embedded documents ------------------------------------------------------------------
def _shift(root: object, move) -> None:
    """Rewrite every mark below ``root`` with ``move(mark) -> mark`` (each node once)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if not isinstance(node, (YMap, YSeq)) or id(node) in seen:
            continue
        seen.add(id(node))
        node.move_marks(move)
        stack.extend(node.values() if isinstance(node, YMap) else node)


def _unknown_holes(root: object) -> object:
    """Scalars built from an unknown interpolation (``${var.x}``) become UNKNOWN."""
    if isinstance(root, str):
        return UNKNOWN if HOLE_OPEN in root else root
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key in list(node):
                value = node[key]
                if isinstance(value, str) and HOLE_OPEN in value:
                    node[key] = UNKNOWN
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str) and HOLE_OPEN in value:
                    node[i] = UNKNOWN
                elif isinstance(value, (dict, list)):
                    stack.append(value)
    return root


def _mover(raw: str, where: Location):
    """How marks of text parsed out of ``raw`` become marks of the file."""
    fallback = (where.line, where.column)
    if isinstance(raw, Text) and raw.line:
        return lambda m: raw.position(*m) or fallback
    return lambda m: fallback


def embedded_documents(value: object, expr: Expr | None, where: Location, sink: Sink, what: str) -> list[object]:
    """The documents of a YAML (or JSON) string attribute, positioned in the file.

    ``jsonencode``/``yamlencode`` of an HCL object gives that object itself (its
    positions are already the ``.tf`` ones). A template with unknown parts is read
    with those parts UNKNOWN. Broken YAML is an EKS001 at its real line; what parsed
    before the error is kept.
    """
    if isinstance(value, Text) and value.data is not None:
        return _data(value.data)
    raw: str | None = None
    if isinstance(value, str):
        raw = value
    elif value is UNKNOWN and expr is not None:
        if expr.data is not None:
            return _data(expr.data)
        raw = expr.partial
    if raw is None:
        return []
    limits = limits_of(sink.options)
    if len(raw) > limits.max_heredoc_size:
        sink.problem("EKS001", where, f"{what} is {len(raw)} characters, over the {show_size(limits.max_heredoc_size)} "
                                      f"limit: not read ({raise_hint('max-heredoc-size')})")
        return []
    move = _mover(raw, where)
    try:
        documents = [d.value for d in load_documents(str(raw), limits.yaml())]
    except YamlProblem as problem:
        documents = [d.value for d in problem.documents]
        try:
            documents = [remark(json.loads(str(raw)), (where.line, where.column))]
        except (ValueError, RecursionError):
            line, column = move((problem.line, problem.column))
            sink.problem("EKS001", Location(where.path, line, column), f"{what}: {problem.message}")
    out = []
    for doc in documents:
        _shift(doc, move)
        out.append(_unknown_holes(doc))
    return out


def _data(value: object) -> list[object]:
    return [plain(value)]


def embedded_object(value: object, expr: Expr | None, where: Location, sink: Sink, what: str) -> object:
    """The first document of an embedded YAML/JSON string (UNKNOWN when unreadable)."""
    docs = embedded_documents(value, expr, where, sink, what)
    return docs[0] if docs else UNKNOWN


# -- user data --------------------------------------------------------------------------
def eks_bootstrap(value: object, expr: Expr | None) -> bool | None:
    """Whether user data bootstraps an EKS node (None when the text cannot be read)."""
    raw = value if isinstance(value, str) else (expr.partial if expr is not None else None)
    if raw is None or len(raw) > MAX_EMBEDDED:
        return None
    return joins_eks(raw)


def max_pods(value: object, expr: Expr | None, where: Location) -> tuple[object, Location] | None:
    """Max pods set by user data (AL2 ``--max-pods``, nodeadm ``maxPods``, Bottlerocket
    ``max-pods``): ``(int or UNKNOWN, location)``, or None when the text sets none."""
    raw = value if isinstance(value, str) else (expr.partial if expr is not None else None)
    if raw is None or len(raw) > MAX_EMBEDDED:
        return None
    found = max_pods_in(raw)
    if found is None:
        return None
    value, line, column = found
    mline, mcolumn = _mover(raw, where)((line, column))
    return value, Location(where.path, mline, mcolumn)
