"""HCL read exactly like YAML: positioned mappings, sequences and scalars.

Why tree-sitter and our own evaluator: python-hcl2 8.x took 10x longer on a corpus of
EKS platform repos and returns dicts without positions (``bench/terraform_parsers.py``
has the numbers); tree-sitter-hcl is C, error-recovering and puts a position on every
node. It is imported lazily, so a YAML-only scan never loads it. python-hcl2 stays the
test oracle for the literal values evaluated here.

What an expression becomes:

- literals: ``str``/``int``/``float``/``bool``/``None``; tuples and objects become
  :class:`HclSeq`/:class:`HclMap` (:class:`~eksguard.yaml_loader.YSeq`/``YMap``
  subclasses) with the 1-based (line, column) of every key and item, so the rest of
  eksguard reads a ``.tf`` file with the same code that reads YAML;
- nested blocks become a list of maps under the block type (python-hcl2's shape:
  ``vpc_config: [{...}]``), which is also the shape ``terraform show -json`` uses, so
  the resource mapping is shared with plan files;
- strings and heredocs (``<<EOT``, ``<<-EOT`` dedented) become :class:`Text`, a ``str``
  that knows where its first character was written, so YAML embedded in a heredoc
  reports lines of the ``.tf`` file;
- ``var.x`` resolves to a literal default of a ``variable`` block in the same folder
  (or a value from ``terraform.tfvars``/``*.auto.tfvars``, which Terraform loads
  automatically), ``local.x`` to a literal local, ``jsonencode``/``yamlencode`` of a
  literal to its text (the structure is kept in :attr:`Text.data` with positions in
  the ``.tf``), ``base64encode(x)`` to ``x`` itself (eksguard reads user data as the
  text it encodes);
- anything else (resource attributes, ``for`` expressions, unknown functions,
  conditions on unknowns) is :data:`~eksguard.model.UNKNOWN`; the container keeps an
  :class:`Expr` with the source text, the reference it makes (``aws_iam_role.x.arn``)
  and, for templates with unknown parts, the partially known text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from sys import intern

from eksguard.limits import raise_hint
from eksguard.model.aws import UNKNOWN
from eksguard.yaml_loader import SHARED_MARKS, Mark, YMap, YSeq, shared_mark

MAX_DEPTH = 128  # nesting of expressions and blocks; real configurations stay under 20
HOLE_OPEN, HOLE_CLOSE = "\ue000", "\ue001"  # an unknown interpolation inside partial text

_PARSER = None


def _parser():
    """The tree-sitter parser, created on first use (nothing is imported before)."""
    global _PARSER
    if _PARSER is None:
        import tree_sitter
        import tree_sitter_hcl

        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    return _PARSER


class Text(str):
    """A string from the configuration that remembers where its text was written.

    ``line``/``column`` is where the first character of the text sits in the file
    (0 when unknown, e.g. a value copied from another file). A heredoc keeps its
    lines: ``indent`` is how many columns ``<<-`` removed from each. A quoted string
    is one line of the file; ``exact`` is False when escapes or interpolations
    shifted its columns, and then every position maps to its first character.
    ``data`` is the structure a ``jsonencode``/``yamlencode`` encoded, with positions.
    """

    __slots__ = ("line", "column", "indent", "exact", "heredoc", "data")

    def __new__(cls, value: str, line: int = 0, column: int = 0, indent: int = 0, exact: bool = False,
                data: object = None, heredoc: bool = False) -> "Text":
        obj = super().__new__(cls, value)
        obj.line, obj.column, obj.indent, obj.exact, obj.data = line, column, indent, exact, data
        obj.heredoc = heredoc
        return obj

    def position(self, line: int, column: int) -> Mark | None:
        """The file position of (line, column) of this text (both 1-based), if known."""
        if not self.line:
            return None
        if not self.heredoc:
            return (self.line, self.column + column - 1) if self.exact and line == 1 else (self.line, self.column)
        if line == 1:
            return self.line, self.column + column - 1
        return self.line + line - 1, column + self.indent

    def __reduce__(self):
        return (Text, (str(self), self.line, self.column, self.indent, self.exact, self.data, self.heredoc))


@dataclass
class Expr:
    """An expression that did not evaluate to a literal: what was written and where.

    ``ref`` is the traversal it names when it is one (``aws_launch_template.lt.id``,
    ``module.eks.cluster_name``); ``partial`` the text of a template with unknown
    parts replaced by ``HOLE_OPEN n HOLE_CLOSE``; ``data`` the known part of a
    ``jsonencode``/``yamlencode`` whose argument is only partly known.
    """

    text: str
    mark: Mark
    ref: str | None = None
    partial: Text | None = None
    data: object = None


class HclMap(YMap):
    """A block body or object: a :class:`YMap` plus the :class:`Expr` of unknown values."""

    __slots__ = ("exprs",)

    def __init__(self) -> None:
        super().__init__()
        self.exprs: dict[str, Expr] = {}


class HclSeq(YSeq):
    """A tuple or a list of blocks: a :class:`YSeq` plus the :class:`Expr` of unknown items."""

    __slots__ = ("exprs",)

    def __init__(self) -> None:
        super().__init__()
        self.exprs: dict[int, Expr] = {}


def expr_of(container: object, key: object) -> Expr | None:
    """The :class:`Expr` recorded for ``container[key]`` when it is unknown."""
    exprs = getattr(container, "exprs", None)
    return exprs.get(key) if exprs else None


@dataclass
class Block:
    """A top-level block (``resource "aws_eks_addon" "this" { ... }``)."""

    type: str
    labels: list[str]
    body: HclMap
    mark: Mark
    path: str  # display path of the file it is written in

    @property
    def address(self) -> str:
        """The Terraform address: ``aws_eks_addon.this``, ``data.x.y``, ``module.eks``."""
        if self.type == "resource":
            return ".".join(self.labels[:2])
        if self.type in ("data", "module"):
            return ".".join([self.type, *self.labels[:2]])
        return ".".join([self.type, *self.labels])


@dataclass
class Problem:
    """Why part of a file could not be read: message and 1-based position."""

    message: str
    line: int
    column: int


@dataclass
class Parsed:
    """One file's syntax tree (no evaluation yet): what a folder scope is built from.

    ``problems`` holds what :func:`parse` repaired before the tree was built (a quoted
    string left open at the end of its line); ``data`` is the repaired text, which
    has the same lines and the same columns up to each repair.
    """

    path: str
    text: str
    data: bytes
    tree: object
    problems: list["Problem"] = field(default_factory=list)
    # mark(): whether ``data`` is ASCII, and the last (row, byte column, column) seen,
    # so marks along one long line cost its length once, not once per node.
    _ascii_of: object = field(default=None, repr=False, compare=False)
    _ascii: bool = field(default=False, repr=False, compare=False)
    _last: tuple = field(default=(-1, 0, 0), repr=False, compare=False)

    def mark(self, node) -> Mark:
        """1-based (line, column) of a node; columns count characters, not bytes."""
        row, byte_col = node.start_point
        if self._ascii_of is not self.data:  # parse() repairs replace ``data``
            self._ascii_of, self._ascii, self._last = self.data, self.data.isascii(), (-1, 0, 0)
        if self._ascii or byte_col == 0:
            mark = (row + 1, byte_col + 1)
            return SHARED_MARKS.get(mark) or shared_mark(*mark)
        last_row, from_byte, column = self._last
        if last_row != row or byte_col < from_byte:
            from_byte = column = 0
        start = node.start_byte - byte_col
        column += len(self.data[start + from_byte:node.start_byte].decode("utf-8", "replace"))
        self._last = (row, byte_col, column)
        return shared_mark(row + 1, column + 1)

    def source(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def top_blocks(self):
        body = _child(self.tree.root_node, "body")
        return [n for n in body.children if n.type == "block"] if body is not None else []

    def top_attributes(self):
        body = _child(self.tree.root_node, "body")
        return [n for n in body.children if n.type == "attribute"] if body is not None else []


@dataclass
class HclFile:
    """A file evaluated in its folder's scope: its blocks and what could not be read."""

    path: str
    blocks: list[Block] = field(default_factory=list)
    attributes: HclMap = field(default_factory=HclMap)  # top-level attributes (.tfvars)
    problems: list[Problem] = field(default_factory=list)

    def tree(self) -> HclMap:
        """The file in python-hcl2's shape (``{"resource": [{"type": {"name": body}}]}``)."""
        out = HclMap()
        out.update(self.attributes)
        for block in self.blocks:
            value: object = block.body
            for label in reversed(block.labels):
                wrapped = HclMap()
                wrapped[label] = value
                value = wrapped
            out.setdefault(block.type, HclSeq()).append(value)
        return out


MAX_REPAIRS = 20


def parse(text: str, path: str = "<string>") -> Parsed:
    """Parse ``text`` with tree-sitter-hcl (error-recovering: always returns a tree).

    tree-sitter-hcl lets a quoted string run over line ends, so one missing ``"``
    swallows the blocks after it. HCL forbids that; such a string is closed at the end
    of its line and the file parsed again (up to ``MAX_REPAIRS`` times), so the rest
    of the file is still read. Each repair is a problem at the string's opening quote.
    """
    data = text.encode("utf-8", "surrogatepass")
    parser = _parser()
    parsed = Parsed(path, text, data, parser.parse(data))
    for _ in range(MAX_REPAIRS):
        if not parsed.tree.root_node.has_error:
            break
        node = _open_string(parsed)
        if node is None:
            break
        line, column = parsed.mark(node)
        parsed.problems.append(Problem("HCL syntax error: unterminated string (a quoted string cannot span lines)",
                                       line, column))
        end = parsed.data.find(b"\n", node.start_byte)
        end = len(parsed.data) if end < 0 else end
        if end > 0 and parsed.data[end - 1:end] == b"\r":
            end -= 1
        parsed.data = parsed.data[:end] + b'"' + parsed.data[end:]
        parsed.tree = parser.parse(parsed.data)
    return parsed


def _open_string(parsed: Parsed):
    """The first quoted string whose text crosses a line end, or None."""
    cursor = parsed.tree.root_node.walk()
    data = parsed.data
    while True:
        node = cursor.node
        if node.type in ("string_lit", "quoted_template"):
            if data.find(b"\n", node.start_byte, node.end_byte) >= 0:
                return node
        elif node.type != "heredoc_template" and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return None


def syntax_problem(parsed: Parsed) -> Problem | None:
    """The first syntax problem (a repair, an ERROR or a MISSING node), or None."""
    found = _tree_problem(parsed)
    candidates = [p for p in (*parsed.problems, found) if p is not None]
    return min(candidates, key=lambda p: (p.line, p.column)) if candidates else None


def _tree_problem(parsed: Parsed) -> Problem | None:
    root = parsed.tree.root_node
    if not root.has_error:
        return None
    cursor = root.walk()
    while True:  # iterative pre-order walk: deep nesting cannot exhaust the stack
        node = cursor.node
        if node.is_missing:
            if node.type == "heredoc_identifier" and node.parent is not None:
                heredoc = _unterminated_heredoc(parsed, node.parent)
                if heredoc is not None:
                    return heredoc
            line, column = parsed.mark(node)
            what = node.type.replace("_", " ")
            return Problem(f"HCL syntax error: missing {what}", line, column)
        if node.type == "ERROR":
            heredoc = _unterminated_heredoc(parsed, node)
            if heredoc is not None:
                return heredoc
            line, column = parsed.mark(node)
            snippet = parsed.source(node).strip().splitlines()
            first = snippet[0][:40] if snippet else ""
            if node.end_byte >= len(parsed.data.rstrip()):
                detail = f"cannot parse {first!r} up to the end of the file (something opened is never closed?)"
            else:
                detail = f"cannot parse {first!r}"
            return Problem(f"HCL syntax error: {detail}", line, column)
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return Problem("HCL syntax error", 1, 1)


def _unterminated_heredoc(parsed: Parsed, error) -> Problem | None:
    """A ``<<EOT`` among ``parent``'s children (an ERROR node, or a heredoc template whose
    closing identifier tree-sitter had to invent) whose ``EOT`` line never comes: the
    error is reported at the end of the file or at the block; name the heredoc instead."""
    children = error.children
    for index, child in enumerate(children):
        if child.type != "heredoc_start" or index + 1 >= len(children):
            continue
        ident = children[index + 1]
        if ident.type != "heredoc_identifier":
            continue
        name = parsed.source(ident)
        if not any(c.type == "heredoc_identifier" and not c.is_missing and parsed.source(c) == name
                   for c in children[index + 2:]):
            line, column = parsed.mark(child)
            return Problem(f"HCL syntax error: heredoc <<{name} is never closed (no line with just {name})",
                           line, column)
    return None


def _child(node, type_: str):
    for child in node.children:
        if child.type == type_:
            return child
    return None


class _TooDeep(Exception):
    def __init__(self, mark: Mark):
        self.mark = mark


class _Unres:
    """An expression that is not a literal (internal; stored as UNKNOWN plus an Expr)."""

    __slots__ = ("ref", "partial", "data")

    def __init__(self, ref: str | None = None, partial: Text | None = None, data: object = None):
        self.ref, self.partial, self.data = ref, partial, data


_AUTO_TFVARS = "terraform.tfvars"


class Scope:
    """A Terraform module folder: its variables, locals and tfvars, resolved lazily.

    Values resolved from another file than the one being read are copied with every
    position moved to the reference (``var.x``), so a location never names a line of
    the wrong file.
    """

    def __init__(self, files: list[Parsed], max_depth: int = MAX_DEPTH):
        self.max_depth = max_depth  # limits.max-terraform-nesting
        self.variables: dict[str, tuple] = {}
        self.locals: dict[str, tuple] = {}
        self.tfvars: dict[str, tuple] = {}
        self._cache: dict[tuple[str, str], tuple[object, str]] = {}
        self._resolving: set[tuple[str, str]] = set()
        for parsed in files:
            name = parsed.path.rsplit("/", 1)[-1]
            if name.endswith(".tfvars"):
                if name == _AUTO_TFVARS or name.endswith(".auto.tfvars"):
                    for attr in parsed.top_attributes():
                        key = parsed.source(attr.children[0])
                        self.tfvars[key] = (_expression(attr), parsed)
                continue
            for block in parsed.top_blocks():
                kind = parsed.source(block.children[0])
                body = _child(block, "body")
                if kind == "variable":
                    labels = _labels(parsed, block)
                    if labels:
                        default = None
                        if body is not None:
                            for attr in body.children:
                                if attr.type == "attribute" and parsed.source(attr.children[0]) == "default":
                                    default = _expression(attr)
                        self.variables[labels[0]] = (default, parsed)
                elif kind == "locals" and body is not None:
                    for attr in body.children:
                        if attr.type == "attribute":
                            self.locals[parsed.source(attr.children[0])] = (_expression(attr), parsed)

    def lookup(self, kind: str, name: str, depth: int) -> tuple[object, str]:
        """The value of ``var.name`` / ``local.name`` and the path of the file it came from."""
        key = (kind, name)
        if key in self._cache:
            return self._cache[key]
        if key in self._resolving:  # a cycle: Terraform refuses it, we call it unknown
            return _Unres(), ""
        table = self.locals if kind == "local" else self.variables
        entry = None
        if kind == "var" and name in self.tfvars:
            entry = self.tfvars[name]
        elif name in table:
            entry = table[name]
        if entry is None or entry[0] is None:
            result: tuple[object, str] = (_Unres(), "")
        else:
            node, parsed = entry
            self._resolving.add(key)
            try:
                result = (_Evaluator(parsed, self, [])._eval(node, depth + 1), parsed.path)
            finally:
                self._resolving.discard(key)
        self._cache[key] = result
        return result


def _expression(attr):
    for child in attr.children:
        if child.type == "expression":
            return child
    return None


def _labels(parsed: Parsed, block) -> list[str]:
    out = []
    for child in block.children[1:]:
        if child.type == "string_lit":
            out.append(_unescape(parsed.source(child)[1:-1]))
        elif child.type == "identifier":
            out.append(parsed.source(child))
        elif child.type == "block_start":
            break
    return out


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(raw: str, quoted: bool = True) -> str:
    """HCL string escapes (quoted strings only) and ``$${``/``%%{`` (both kinds)."""
    if quoted and "\\" in raw:
        out = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\" and i + 1 < len(raw):
                nxt = raw[i + 1]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                    i += 2
                    continue
                width = 4 if nxt == "u" else 8 if nxt == "U" else 0
                if width and i + 2 + width <= len(raw):
                    try:
                        out.append(chr(int(raw[i + 2:i + 2 + width], 16)))
                        i += 2 + width
                        continue
                    except ValueError:
                        pass
            out.append(ch)
            i += 1
        raw = "".join(out)
    return raw.replace("$${", "${").replace("%%{", "%{")


def number_text(value: object) -> str:
    """A number as Terraform prints it in a template: ``2``, ``1.5``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_plain(value: object) -> object:
    """Positioned values to plain JSON-able data (for encoding)."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, Text):
        return str(value)
    return value


def _has_unknown(value: object) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


def jsonencode(value: object) -> str:
    """Terraform's ``jsonencode``: keys sorted, compact, HTML characters escaped."""
    encoded = json.dumps(_integral(to_plain(value)), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _integral(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def yamlencode(value: object) -> str:
    import yaml

    return yaml.safe_dump(_integral(to_plain(value)), sort_keys=True, default_flow_style=False, allow_unicode=True)


def remark(value: object, mark: Mark) -> object:
    """A copy of ``value`` with every position moved to ``mark`` (a value from another file)."""
    if isinstance(value, dict):
        out = HclMap()
        out.mark = mark
        for k, v in value.items():
            out.put(k, remark(v, mark), mark, mark)
        return out
    if isinstance(value, list):
        seq = HclSeq()
        seq.mark = mark
        for v in value:
            seq.append_marked(remark(v, mark), mark)
        return seq
    if isinstance(value, Text):
        return Text(str(value), data=remark(value.data, mark) if value.data is not None else None)
    return value


class _Evaluator:
    """Evaluates one file's expressions and blocks in a :class:`Scope`."""

    def __init__(self, parsed: Parsed, scope: Scope, problems: list[Problem]):
        self.p = parsed
        self.scope = scope
        self.problems = problems
        self.max_depth = scope.max_depth

    # -- blocks -----------------------------------------------------------------------
    def body(self, node, mark: Mark, depth: int = 0) -> HclMap:
        """A block body (``node`` is a ``body`` node or None for ``{}``)."""
        return self.members(node.children if node is not None else [], mark, depth)

    def members(self, children, mark: Mark, depth: int) -> HclMap:
        """Attributes and nested blocks into one map; nested blocks as lists of maps."""
        out = HclMap()
        out.mark = mark
        if depth > self.max_depth:
            raise _TooDeep(mark)
        source, mark_of = self.p.source, self.p.mark
        for child in children:
            ctype = child.type
            if ctype == "attribute":
                kids = child.children  # each read builds new node objects: once
                key_node = kids[0]
                value_node = kids[2] if len(kids) == 3 else None  # ``name = expression``
                if value_node is None or value_node.type != "expression":  # comments, error recovery
                    value_node = next((c for c in kids if c.type == "expression"), None)
                    if value_node is None:
                        continue
                key = intern(source(key_node))
                key_mark = mark_of(key_node)
                if key in out and not isinstance(out.get(key), HclSeq):
                    first = (out.key_mark(key) or key_mark)[0]
                    self.problems.append(Problem(
                        f"HCL: attribute {key!r} redefined (first at line {first}); Terraform refuses this",
                        *key_mark))
                try:
                    value = self._eval(value_node, depth + 1)
                except _TooDeep as exc:
                    self.problems.append(Problem(too_deep(self.max_depth), *exc.mark))
                    value = _Unres()
                if value.__class__ is _Unres:
                    self._store(out, key, value, key_mark, mark_of(value_node), value_node)
                else:
                    out.put(key, value, key_mark, mark_of(value_node))
            elif ctype == "block":
                type_node = child.children[0]
                key = self.p.source(type_node)
                labels = _labels(self.p, child)
                mark_ = self.p.mark(type_node)
                inner = self.body(_child(child, "body"), mark_, depth + 1)
                value: object = inner
                for label in reversed(labels):
                    wrapped = HclMap()
                    wrapped.mark = mark_
                    wrapped.put(label, value, mark_, mark_)
                    value = wrapped
                seq = out.get(key)
                if not isinstance(seq, HclSeq):
                    seq = HclSeq()
                    seq.mark = mark_
                    out.put(key, seq, mark_, mark_)
                seq.append_marked(value, mark_)
        return out

    def _store(self, container, key, value, key_mark: Mark, value_mark: Mark, node) -> None:
        if isinstance(value, _Unres):
            expr = Expr(self.p.source(node), value_mark, value.ref, value.partial, value.data)
            value = UNKNOWN
            container.exprs[key] = expr
        if isinstance(container, HclSeq):
            container.append_marked(value, value_mark)
        else:
            container.put(key, value, key_mark, value_mark)

    # -- expressions ------------------------------------------------------------------
    def _eval(self, node, depth: int) -> object:
        """The value of an ``expression`` node (or of a term inside one)."""
        if depth > self.max_depth:
            raise _TooDeep(self.p.mark(node))
        t = node.type
        if t == "expression":
            kids = node.children
            if len(kids) == 1:  # most expressions: one term, no traversal
                term = kids[0]
                term_type = term.type
                if term_type == "literal_value":
                    return self._literal(term.children[0])
                if term_type == "template_expr" and depth < self.max_depth:  # a string, most often plain
                    inner = term.children[0]
                    if inner.type == "quoted_template":
                        plain = self._plain_string(inner)
                        return plain if plain is not None else self._template(inner, depth + 1)
                return self._eval(term, depth + 1) if term_type != "comment" else _Unres()
            parts = [c for c in kids if c.type != "comment"]
            if not parts:
                return _Unres()
            if parts[0].type == "(":
                value = self._eval(parts[1], depth + 1) if len(parts) > 1 else _Unres()
                rest = parts[3:]
            else:
                value = self._eval(parts[0], depth + 1)
                rest = parts[1:]
            if not rest:
                return value
            if parts[0].type == "variable_expr":
                return self._traverse_ref(parts[0], rest, node, depth)
            return self._traverse(value, rest, depth)
        if t == "literal_value":
            return self._literal(node.children[0])
        if t in ("numeric_lit", "bool_lit", "null_lit", "string_lit"):
            return self._literal(node)
        if t == "collection_value":
            return self._eval(node.children[0], depth + 1)
        if t == "tuple":
            return self._tuple(node, depth)
        if t == "object":
            return self._object(node, depth)
        if t == "template_expr":
            return self._template(node.children[0], depth)
        if t in ("quoted_template", "heredoc_template"):
            return self._template(node, depth)
        if t == "variable_expr":
            return self._traverse_ref(node, [], node, depth)
        if t == "function_call":
            return self._call(node, depth)
        if t == "operation":
            return self._operation(node.children[0], depth)
        if t == "conditional":
            exprs = [c for c in node.children if c.type == "expression"]
            if len(exprs) == 3:
                cond = self._eval(exprs[0], depth + 1)
                if isinstance(cond, bool):
                    return self._eval(exprs[1] if cond else exprs[2], depth + 1)
            return _Unres()
        return _Unres()  # for expressions, splats on unknowns, anything new in the grammar

    def _literal(self, node) -> object:
        t = node.type
        if t == "literal_value":
            node = node.children[0]
            t = node.type
        if t == "numeric_lit":
            raw = self.p.source(node)
            try:
                return int(raw)
            except ValueError:
                try:
                    return float(raw)
                except ValueError:
                    return _Unres()
        if t == "bool_lit":
            return self.p.source(node) == "true"
        if t == "null_lit":
            return None
        if t == "string_lit":
            plain = self._plain_string(node)  # most strings: no escapes to undo, no holes
            return plain if plain is not None else self._template(node, 0)
        return _Unres()

    def _plain_string(self, node) -> "Text | None":
        """A quoted string (``string_lit`` or ``quoted_template``) with no ``${``/``%{`` in
        it, read from the bytes between its quotes without visiting its children (most
        strings of a configuration; :meth:`_template` reads the rest). None when it is
        anything else, or when error recovery made up a part of it."""
        data = self.p.data
        start, end = node.start_byte, node.end_byte
        if end - start < 2 or data[start] != 0x22 or data[end - 1] != 0x22 or node.has_error:
            return None
        content = data[start + 1:end - 1]
        if b"${" in content or b"%{" in content:
            return None
        raw = content.decode("utf-8", "replace")
        literal = _unescape(raw) if ("\\" in raw or "{" in raw) else raw
        line, column = self.p.mark(node)
        return Text(literal, line, column + 1, 0, literal == raw, heredoc=False)

    def _tuple(self, node, depth: int) -> HclSeq:
        seq = HclSeq()
        seq.mark = self.p.mark(node)
        for child in node.children:
            if child.type == "expression":
                value = self._eval(child, depth + 1)
                if value.__class__ is _Unres:
                    self._store(seq, len(seq), value, (0, 0), self.p.mark(child), child)
                else:
                    seq.append_marked(value, self.p.mark(child))
        return seq

    def _object(self, node, depth: int) -> HclMap:
        out = HclMap()
        out.mark = self.p.mark(node)
        mark_of = self.p.mark
        for elem in node.children:
            if elem.type != "object_elem":
                continue
            kids = elem.children
            if len(kids) == 3 and kids[0].type == "expression" and kids[2].type == "expression":
                key_node, value_node = kids[0], kids[2]  # ``key = value``: no comment between
            else:
                exprs = [c for c in kids if c.type == "expression"]
                if len(exprs) != 2:
                    continue
                key_node, value_node = exprs
            key = self._key(key_node, depth)
            if key is None:
                continue
            value = self._eval(value_node, depth + 1)
            if value.__class__ is _Unres:
                self._store(out, key, value, mark_of(key_node), mark_of(value_node), value_node)
            else:
                out.put(key, value, mark_of(key_node), mark_of(value_node))
        return out

    def _key(self, node, depth: int) -> str | None:
        kids = node.children
        if len(kids) == 1 and kids[0].type == "variable_expr":
            return self.p.source(kids[0])  # a bare identifier is the key itself
        parts = [c for c in kids if c.type != "comment"]
        if len(parts) == 1 and parts[0].type == "variable_expr":
            return self.p.source(parts[0])  # a bare identifier is the key itself
        value = self._eval(node, depth + 1)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value) if not isinstance(value, float) else number_text(value)
        return None

    # -- templates --------------------------------------------------------------------
    def _template(self, node, depth: int) -> object:
        heredoc = node.type == "heredoc_template"
        if not heredoc:
            plain = self._plain_string(node)  # the common case: no holes, no segments
            if plain is not None:
                return plain
        data = self.p.data
        children = node.children  # read once: each read builds new node objects
        holes = [c for c in children if c.type in ("template_interpolation", "template_directive")]
        if heredoc:
            idents = [c for c in children if c.type == "heredoc_identifier"]
            start_node = next((c for c in children if c.type == "heredoc_start"), None)
            strip = start_node is not None and self.p.source(start_node).startswith("<<-")
            if len(idents) < 2:
                return _Unres()
            newline = data.find(b"\n", idents[0].end_byte)
            start = newline + 1 if newline >= 0 else idents[0].end_byte
            end = data.rfind(b"\n", 0, idents[-1].start_byte) + 1
            if end < start:
                end = start
        else:
            strip = False
            first = children[0] if children else None
            last = children[-1] if children else None
            if first is None or first.type != "quoted_template_start" or last is None or last.type != "quoted_template_end":
                return _Unres()
            start, end = first.end_byte, last.start_byte
        # The raw text with every hole replaced by NUL n NUL (read_text refuses NUL bytes).
        pieces: list[str] = []
        cursor = start
        for i, hole in enumerate(holes):
            pieces.append(data[cursor:hole.start_byte].decode("utf-8", "replace"))
            pieces.append(f"\x00{i}\x00")
            cursor = hole.end_byte
        pieces.append(data[cursor:end].decode("utf-8", "replace"))
        raw = "".join(pieces)
        indent = 0
        if strip:
            lines = raw.split("\n")
            widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip(" \t\r")]
            indent = min(widths) if widths else 0
            raw = "\n".join(line[indent:] if line[:indent].strip(" \t") == "" else line.lstrip(" \t") for line in lines)
        if heredoc:
            raw = raw.replace("\r\n", "\n")
        values: list[object] = []
        for hole in holes:
            values.append(self._hole(hole, depth))
        out: list[str] = []
        partial: list[str] = []
        unknown = False
        exact = not holes
        for i, segment in enumerate(raw.split("\x00")):
            if i % 2 == 0:
                literal = _unescape(segment, quoted=not heredoc)
                if literal != segment:
                    exact = False
                out.append(literal)
                partial.append(literal)
            else:
                value = values[int(segment)]
                if isinstance(value, _Unres):
                    unknown = True
                    partial.append(f"{HOLE_OPEN}{segment}{HOLE_CLOSE}")
                else:
                    out.append(value)
                    partial.append(value)
        if heredoc:
            line, column = self.p.mark(idents[0])[0] + 1, 1 + indent
        else:
            line, column = self.p.mark(node)
            column += 1
        if unknown:
            return _Unres(partial=Text("".join(partial), line, column, indent, False, heredoc=heredoc))
        return Text("".join(out), line, column, indent, exact, heredoc=heredoc)

    def _hole(self, hole, depth: int) -> object:
        if hole.type != "template_interpolation":
            return _Unres()  # %{ if } / %{ for } directives
        inner = _child(hole, "expression")
        if inner is None:
            return _Unres()
        value = self._eval(inner, depth + 1)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return number_text(value)
        if isinstance(value, str):
            return str(value)
        return _Unres()

    # -- references -------------------------------------------------------------------
    def _traverse_ref(self, base, rest: list, whole, depth: int) -> object:
        name = self.p.source(base)
        ref = self.p.source(whole).strip()
        if name in ("var", "local") and rest and rest[0].type == "get_attr":
            attr = _child(rest[0], "identifier")
            if attr is None:
                return _Unres(ref=ref)
            value, origin = self.scope.lookup(name, self.p.source(attr), depth)
            if isinstance(value, _Unres):
                return _Unres(ref=ref, partial=value.partial, data=value.data)
            if origin != self.p.path:
                value = remark(value, self.p.mark(base))
            value = self._traverse(value, rest[1:], depth)
            if isinstance(value, _Unres):
                value.ref = value.ref or ref
            return value
        return _Unres(ref=ref)

    def _traverse(self, value: object, rest: list, depth: int) -> object:
        """``value`` followed through ``.attr``, ``[index]`` and ``.0`` steps (splats: unknown)."""
        for step in rest:
            if isinstance(value, _Unres):
                return value
            t = step.type
            if t == "get_attr":
                ident = _child(step, "identifier")
                key = self.p.source(ident) if ident is not None else None
                value = value[key] if isinstance(value, dict) and key in value else _Unres()
            elif t == "index":
                inner = step.children[0] if step.children else None
                if inner is not None and inner.type == "legacy_index":
                    raw = self.p.source(inner).lstrip(".")
                    key: object = int(raw) if raw.isdigit() else raw
                else:
                    expr = _child(inner, "expression") if inner is not None else None
                    key = self._eval(expr, depth + 1) if expr is not None else _Unres()
                if isinstance(value, list) and isinstance(key, (int, float)) and not isinstance(key, bool) \
                        and float(key).is_integer() and 0 <= int(key) < len(value):
                    value = value[int(key)]
                elif isinstance(value, dict) and isinstance(key, str) and key in value:
                    value = value[key]
                else:
                    value = _Unres()
            else:  # splats
                return _Unres()
            if value is UNKNOWN:
                return _Unres()
        return value

    # -- functions and operators -------------------------------------------------------
    def _call(self, node, depth: int) -> object:
        name = self.p.source(node.children[0])
        args_node = _child(node, "function_arguments")
        arg_nodes = [c for c in args_node.children if c.type == "expression"] if args_node is not None else []
        if args_node is not None and _child(args_node, "ellipsis") is not None:
            return _Unres()
        args = [self._eval(a, depth + 1) for a in arg_nodes]
        known = not any(isinstance(a, _Unres) or _has_unknown(a) for a in args)
        if name in ("jsonencode", "yamlencode") and len(args) == 1:
            arg = args[0]
            if not known:
                data = arg.data if isinstance(arg, _Unres) else arg
                return _Unres(data=data)
            encoded = jsonencode(arg) if name == "jsonencode" else yamlencode(arg)
            mark = self.p.mark(arg_nodes[0])
            return Text(encoded, mark[0], mark[1], 0, False, data=arg)  # positions come from data
        if name in ("yamldecode", "jsondecode") and len(args) == 1:
            # Not decoded here: the text is kept (as a template's partial text is) for the
            # adapter that reads embedded documents with positions and reports broken YAML.
            arg = args[0]
            encoded = arg.partial if isinstance(arg, _Unres) else arg
            if isinstance(encoded, str) and not isinstance(encoded, Text):
                encoded = Text(encoded)
            return _Unres(partial=encoded if isinstance(encoded, Text) else None)
        if name in ("base64encode", "tostring", "tolist", "toset", "tomap", "tonumber", "tobool", "sensitive",
                    "nonsensitive") and len(args) == 1:
            return args[0]  # base64encode: eksguard reads the text it encodes
        if not known:
            return _Unres()
        if name in ("lower", "upper", "trimspace", "chomp") and len(args) == 1 and isinstance(args[0], str):
            fn = {"lower": str.lower, "upper": str.upper, "trimspace": str.strip,
                  "chomp": lambda s: s.rstrip("\r\n")}[name]
            return fn(args[0])
        if name == "merge" and all(isinstance(a, dict) for a in args):
            out = HclMap()
            out.mark = self.p.mark(node)
            for a in args:
                for k, v in a.items():
                    marked = isinstance(a, YMap)
                    out.put(k, v, (a.key_mark(k) if marked else None) or out.mark,
                            (a.value_mark(k) if marked else None) or out.mark)
            return out
        if name == "concat" and all(isinstance(a, list) for a in args):
            seq = HclSeq()
            seq.mark = self.p.mark(node)
            for a in args:
                for i, v in enumerate(a):
                    seq.append_marked(v, (a.item_mark(i) if isinstance(a, YSeq) else None) or seq.mark)
            return seq
        return _Unres()

    def _operation(self, node, depth: int) -> object:
        if node.type == "unary_operation" and len(node.children) == 2:
            op = node.children[0].type
            value = self._eval(node.children[1], depth + 1)
            if op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
                return -value
            if op == "!" and isinstance(value, bool):
                return not value
        return _Unres()


def too_deep(max_depth: int) -> str:
    return f"nesting deeper than {max_depth} levels ({raise_hint('max-terraform-nesting')})"


def evaluate(parsed: Parsed, scope: Scope | None = None) -> HclFile:
    """Every top-level block of ``parsed`` with its body evaluated in ``scope``."""
    scope = scope if scope is not None else Scope([parsed])
    out = HclFile(parsed.path)
    problem = syntax_problem(parsed)
    if problem is not None:
        out.problems.append(problem)
    ev = _Evaluator(parsed, scope, out.problems)
    skipped: list[str] = []
    for block in parsed.top_blocks():
        type_node = block.children[0]
        if type_node.type != "identifier":
            continue
        if block.has_error:
            # Error recovery drops what it cannot parse, and a dropped attribute reads
            # as "not set": rules would judge defaults the author never chose (a missing
            # ``}`` before ``access_config`` is not authentication mode CONFIG_MAP). The
            # syntax problem is the file's EKS001; the block is not judged.
            skipped.append(" ".join([parsed.source(type_node), *_labels(parsed, block)]))
            continue
        mark = ev.p.mark(type_node)
        try:
            body = ev.body(_child(block, "body"), mark, 1)
        except _TooDeep as exc:
            out.problems.append(Problem(too_deep(scope.max_depth), *exc.mark))
            body = HclMap()
            body.mark = mark
        out.blocks.append(Block(parsed.source(type_node), _labels(parsed, block), body, mark, parsed.path))
    if skipped and problem is not None:
        shown = ", ".join(skipped[:3]) + (f" and {len(skipped) - 3} more" if len(skipped) > 3 else "")
        problem.message += f" (not checked until it parses: {shown})"
    body_node = _child(parsed.tree.root_node, "body")
    if body_node is not None:
        try:
            out.attributes = ev.members([c for c in body_node.children if c.type == "attribute"], (1, 1), 1)
        except _TooDeep as exc:
            out.problems.append(Problem(too_deep(scope.max_depth), *exc.mark))
    return out


def parse_file(text: str, path: str = "<string>") -> HclFile:
    """Parse and evaluate one file on its own (its own variables and locals only)."""
    return evaluate(parse(text, path))
