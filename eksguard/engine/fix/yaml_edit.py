"""Structural YAML edits with ruamel.yaml, reduced to the lines that really change.

ruamel.yaml's round-trip mode keeps comments, key order and quoting, but its emitter
still normalises some things (sequence indentation, a leading ``---``, spacing in
flow mappings). Writing its whole output would touch lines the fix has nothing to do
with. So each document is dumped twice, as loaded (``base``) and as edited
(``new``); only the hunks where ``new`` differs from ``base`` are kept, and each is
placed onto the original text through the lines ``base`` shares with it. When a
changed line of ``base`` is not a line of the original (ruamel rewrote that very
line), the fix is refused rather than applied approximately.

The same code edits a YAML file's document and YAML inside a Terraform heredoc
(dedented first, re-indented after).
"""

from __future__ import annotations

import difflib
import io
import re

from eksguard.engine.fix.edits import CannotEdit, TextEdit

_HEREDOC_OPEN = re.compile(r"<<(-?)\s*\"?([A-Za-z_][A-Za-z0-9_]*)\"?\s*$")


def _ruamel():
    try:
        from ruamel.yaml import YAML
    except ImportError:  # pragma: no cover - a dependency; guarded for broken installs
        raise CannotEdit("ruamel.yaml is not installed") from None
    return YAML


def _yaml_for(text: str):
    YAML = _ruamel()
    mapping, sequence, offset = _guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never re-wrap a long line
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


_OPENER = re.compile(r"^(\s*(?:-\s+)*)\S.*:$")


def _guess_indent(text: str) -> tuple[int, int, int]:
    """``(mapping, sequence, offset)`` for ruamel's ``indent()``, as the text writes them.

    Measured separately for mappings and sequences: the Kubernetes style (mappings by
    2, list items by 4 with the dash at 2) is the common case, and ruamel's own
    ``load_yaml_guess_indent`` reports one indent for both (and only reads one document).
    The most frequent step wins; 2 / 2 / 0 when the text has no nesting of that kind."""
    from collections import Counter

    maps: Counter = Counter()
    seqs: Counter = Counter()
    lines = [ln for ln in text.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
    for line, following in zip(lines, lines[1:]):
        code = re.sub(r"\s+#.*$", "", line).rstrip()
        match = _OPENER.match(code)
        if match is None:
            continue
        key_column = len(match.group(1))
        column = len(following) - len(following.lstrip(" "))
        step = column - key_column
        if following.lstrip(" ").startswith("- ") or following.strip() == "-":
            after = len(following.lstrip(" ")[1:]) - len(following.lstrip(" ")[1:].lstrip(" "))
            if step >= 0:
                seqs[(step + 1 + max(after, 1), step)] += 1
        elif step > 0:
            maps[step] += 1
    mapping = maps.most_common(1)[0][0] if maps else 2
    sequence, offset = seqs.most_common(1)[0][0] if seqs else (mapping, 0)
    return mapping, max(sequence, offset + 2), offset


def _dump(yaml, data) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _load(yaml, text: str):
    from ruamel.yaml.error import YAMLError

    try:
        return yaml.load(text)
    except (YAMLError, RecursionError, ValueError) as exc:
        raise CannotEdit(f"ruamel.yaml cannot read this document ({type(exc).__name__})") from None


# -- operations on ruamel's data ------------------------------------------------------
def _child(node, key, create: bool):
    from ruamel.yaml.comments import CommentedMap

    if isinstance(node, dict):
        if key not in node or (create and node[key] is None):  # `limits:` left empty is null
            if not create:
                raise CannotEdit(f"{key!r} is not in the document")
            node[key] = CommentedMap()
        return node[key]
    if isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
        return node[key]
    raise CannotEdit(f"the document has no {key!r} where the finding is")


def _quoted(value):
    """A new string that plain YAML would read as something else (``"1"``, ``"true"``)
    double-quoted, as Kubernetes manifests write them; ruamel would single-quote it."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

    if isinstance(value, dict):
        return type(value)((k, _quoted(v)) for k, v in value.items())
    if isinstance(value, list):
        return type(value)(_quoted(v) for v in value)
    if isinstance(value, str) and not isinstance(value, ScalarString):
        if VersionedResolver().resolve(ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
            return DoubleQuotedScalarString(value)
    return value


def _styled(old, new):
    """``new`` written in the quoting style of ``old`` (a quoted value stays quoted)."""
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(old, ScalarString) and isinstance(new, str):
        return type(old)(new)
    return _quoted(new)


def set_key(root, path: tuple, value) -> None:
    node = root
    for key in path[:-1]:
        node = _child(node, key, create=True)
    key = path[-1]
    if isinstance(node, dict):
        node[key] = _styled(node.get(key), value)
    elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
        node[key] = _styled(node[key], value)
    else:
        raise CannotEdit(f"cannot set {key!r} here")


def remove_key(root, path: tuple) -> None:
    chain = [root]
    for key in path[:-1]:
        chain.append(_child(chain[-1], key, create=False))
    for depth in range(len(path) - 1, -1, -1):
        parent, key = chain[depth], path[depth]
        if isinstance(parent, dict) and key in parent:
            del parent[key]
        elif isinstance(parent, list) and isinstance(key, int) and -len(parent) <= key < len(parent):
            del parent[key]
        else:
            raise CannotEdit(f"{key!r} is not in the document")
        if depth <= 1 or parent:  # keep the object's top-level keys, and anything not emptied
            break


def append_item(root, path: tuple, value) -> None:
    from ruamel.yaml.comments import CommentedSeq

    node = root
    for key in path[:-1]:
        node = _child(node, key, create=True)
    key = path[-1]
    items = node.get(key) if isinstance(node, dict) else None
    if items is None and isinstance(node, dict):
        items = node[key] = CommentedSeq()
    if not isinstance(items, list):
        raise CannotEdit(f"{key!r} is not a list")
    if value in items:
        return
    if items and isinstance(value, str) and all(type(i) is type(items[0]) for i in items):
        value = _styled(items[0], value)
    items.append(_quoted(value))


# -- from edited data back to the original text ---------------------------------------
def _comment_gap(old: str, new: str) -> str:
    """``new`` with the blanks before its end-of-line comment as ``old`` had them:
    ruamel re-spaces the comment of a line whose value grew (``["spot"]  # note``)."""
    for match in re.finditer(r"(?<=\s)#", old):
        comment = old[match.start():]
        if new.endswith(comment) and new[: -len(comment)][-1:].isspace():
            code, gap = old[: match.start()].rstrip(), old[len(old[: match.start()].rstrip()): match.start()]
            return new[: -len(comment)].rstrip() + gap + comment if code else new
    return new


def _hunks(original: list[str], base: list[str], new: list[str]) -> list[tuple[int, int, list[str]]]:
    """``(first, last, lines)``: replace original lines ``first..last`` (0-based, end
    exclusive) with ``lines`` for every change from ``base`` to ``new``."""
    mapped: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, base, original, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            mapped[block.a + k] = block.b + k
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            first = mapped.get(i1)
            if first is None or any(mapped.get(i1 + k) != first + k for k in range(i2 - i1)):
                raise CannotEdit("ruamel.yaml cannot round-trip the lines this fix changes faithfully")
            lines = new[j1:j2]
            lines[: i2 - i1] = [_comment_gap(old, line) for old, line in zip(base[i1:i2], lines)]
            out.append((first, first + (i2 - i1), lines))
        elif i1 > 0 and (i1 - 1) in mapped:
            at = mapped[i1 - 1] + 1
            out.append((at, at, new[j1:j2]))
        elif i1 in mapped:
            out.append((mapped[i1], mapped[i1], new[j1:j2]))
        else:
            raise CannotEdit("ruamel.yaml cannot round-trip the place this fix inserts at faithfully")
    return out


def edit_region(lines: list[str], first_line: int, indent: str, operations: list) -> list[TextEdit]:
    """Edits for ``operations`` (``(function, path, value)``) on the YAML document in
    ``lines`` (without line ends), which start at 1-based ``first_line`` of the file
    and carry ``indent`` in front of every line (heredocs)."""
    original = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines]
    text = "\n".join(original) + "\n"
    yaml = _yaml_for(text)
    data = _load(yaml, text)
    if data is None:
        raise CannotEdit("the document is empty")
    # Dumping does not change what was loaded, so the same data gives ``base`` and, once
    # edited, ``new``: one parse per document, not two (ruamel.yaml's round-trip loader
    # is most of the cost of a fix: ~6 ms for a 30-line manifest).
    base = _dump(yaml, data).splitlines()
    for function, path, value in operations:
        if function is append_item or function is set_key:
            function(data, path, value)
        else:
            function(data, path)
    new = _dump(yaml, data).splitlines()
    edits = []
    for first, last, replacement in _hunks(original, base, new):
        if not replacement:
            last = _keep_trailing_comments(original, first, last)
            if last == first:
                continue
        body = "".join((indent + line if line else line) + "\n" for line in replacement)
        edits.append(TextEdit((first_line + first, 1), (first_line + last, 1), body))
    return edits


_BLOCK_SCALAR = re.compile(r":\s*[|>][-+0-9]*\s*(#.*)?$")


def _keep_trailing_comments(original: list[str], first: int, last: int) -> int:
    """The end of a deletion of lines ``first..last`` without the comment (and blank)
    lines it ends with. ruamel.yaml files the comment lines between a key and the next
    one under the key *before* them, so removing a key takes the next key's leading
    comments with it; they stay. Lines inside a block scalar of the removed key are
    its text, not comments, and go."""
    block = None  # indentation of a block scalar's key among the deleted lines
    scalar_end = first
    for number in range(first, last):
        line = original[number]
        width = len(line) - len(line.lstrip())
        if block is not None and (not line.strip() or width > block):
            scalar_end = number + 1
            continue
        block = width if _BLOCK_SCALAR.search(line) else None
        if block is not None:
            scalar_end = number + 1
    end = last
    while end > max(first, scalar_end) and (not original[end - 1].strip() or original[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def dump_document(body: dict, like: list[str]) -> str:
    """``body`` as a YAML document in the indentation style of the lines ``like``."""
    yaml = _yaml_for("\n".join(like) + "\n")
    return _dump(yaml, body)


# -- where a document is ----------------------------------------------------------------
def document_span(text_lines: list[str], doc_starts: list[int], index: int) -> tuple[int, int]:
    """1-based ``(first, last)`` lines of document ``index`` of a YAML file, given the
    first line of each document: from its ``---`` (or line 1) to before the next."""
    first = 1 if index == 0 else doc_starts[index]
    last = doc_starts[index + 1] - 1 if index + 1 < len(doc_starts) else len(text_lines)
    return first, last


def heredoc_span(text_lines: list[str], inside: int) -> tuple[int, int, str]:
    """1-based ``(first, last)`` body lines of the YAML document of the Terraform
    heredoc that holds line ``inside``, and the indentation its lines share."""
    opener = None
    for number in range(inside - 1, 0, -1):
        match = _HEREDOC_OPEN.search(text_lines[number - 1])
        if match:
            opener = (number, match.group(2))
            break
    if opener is None:
        raise CannotEdit("the YAML is not in a heredoc (only heredoc YAML is edited in .tf files)")
    start, marker = opener
    end = next((n for n in range(start + 1, len(text_lines) + 1) if text_lines[n - 1].strip() == marker), None)
    if end is None or not start < inside < end:
        raise CannotEdit("the heredoc around the YAML could not be found")
    body = text_lines[start:end - 1]
    indent = _common_indent(body)
    # the document of the heredoc that holds the line: between `---` separators
    first, last = start + 1, end - 1
    for number in range(start + 1, end):
        if text_lines[number - 1][len(indent):].startswith("---"):
            if number <= inside:
                first = number
            else:
                last = number - 1
                break
    return first, last, indent


def _common_indent(lines: list[str]) -> str:
    widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    if not widths:
        return ""
    width = min(widths)
    sample = next(line for line in lines if line.strip())
    return sample[:width]
