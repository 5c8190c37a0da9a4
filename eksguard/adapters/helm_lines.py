"""Mapping lines of rendered Helm output back to lines of the template that produced them.

Helm copies a template's literal text to its output unchanged and in order; only the
``{{ ... }}`` actions are replaced. So a rendered line that holds a key can be matched to
the template line that holds the same key at the same place in the YAML tree:

1. Both texts are read line by line into *key paths* by indentation
   (``spec/template/spec/containers/[]/image``); in the template every action is blanked
   first, so action-only lines (``{{- if ... }}``, ``{{- include ... | nindent 4 }}``)
   vanish and ``replicas: {{ .Values.n }}`` still reads as the key ``replicas``. Comment
   lines, ``---`` and block-scalar content are not keys.
2. Each rendered key line goes to the template line with the same key path. When several
   template lines share it (list items, ``if``/``else`` branches, several documents in one
   template), the one whose text is identical wins, then the first one at or after the
   previous match, else the nearest one before it (``range`` repeats lines).
3. A key path missing from the template (keys that came from ``toYaml .Values.x``, an
   ``include``\\ d helper, or a templated key) goes to its deepest ancestor that is there:
   ``resources.requests.cpu`` maps to the line of ``resources:``.
4. Lines that are not keys map like the key line above them; with nothing to go on, the
   template's first line.

Limits: lines are matched by indentation, not by parsing the template, so a template
whose literal lines are re-indented by the actions around them (``{{ if x }}key: v`` on
one line, ``indent`` applied to literal blocks) or that builds its YAML entirely in
helpers maps to the nearest literal ancestor or to line 1. Columns are exact for keys
matched by path; values keep their offset from the key, which lands on the value or on
the action that produced it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from eksguard.model.base import LineMap, Target

_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_KEY = re.compile(
    r"""(?P<key>"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s#'"{}\[\]|>!&*%@`,][^#\n]*?)[ \t]*:(?=[ \t]|$)"""
)
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*[ \t]*(#.*)?$")
_SEQ = "[]"


@dataclass(frozen=True)
class KeyLine:
    number: int  # 1-based
    path: tuple[str, ...]
    column: int  # 0-based column of the key (of the dash for a bare item)
    text: str  # the line as written, stripped


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group())


def _unquote(key: str) -> str:
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
        return key[1:-1]
    return key


def key_lines(text: str, template: bool = False) -> list[KeyLine]:
    """The key path of every line of ``text`` that starts a key or a list item."""
    originals = text.split("\n")
    if template:
        text = _ACTION.sub(_blank, text)
    stack: list[tuple[int, str]] = []
    out: list[KeyLine] = []
    block_column: int | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip(" "))
        if block_column is not None:
            if not stripped or indent > block_column:
                continue
            block_column = None
        if not stripped or stripped.startswith("#"):
            continue
        if indent == 0 and (stripped in ("---", "...") or stripped.startswith("--- ")):
            stack = []
            continue
        column, rest = indent, raw[indent:]
        is_item = False
        while rest.startswith("-") and (len(rest) == 1 or rest[1] in " \t"):
            while stack and (stack[-1][0] > column or (stack[-1][0] == column and stack[-1][1] == _SEQ)):
                stack.pop()
            stack.append((column, _SEQ))
            is_item = True
            after = rest[1:]
            column += 1 + len(after) - len(after.lstrip())
            rest = after.lstrip()
        match = _KEY.match(rest)
        if match:
            while stack and stack[-1][0] >= column:
                stack.pop()
            stack.append((column, _unquote(match.group("key").strip())))
            if _BLOCK_SCALAR.match(rest[match.end():].strip()):
                block_column = column
            out.append(KeyLine(number, tuple(seg for _, seg in stack), column, originals[number - 1].strip()))
        elif is_item:
            out.append(KeyLine(number, tuple(seg for _, seg in stack), indent, originals[number - 1].strip()))
    return out


def _pick(candidates: list[KeyLine], rendered: KeyLine, cursor: int) -> KeyLine:
    same_text = [c for c in candidates if c.text == rendered.text]
    pool = same_text or candidates
    after = [c for c in pool if c.number >= cursor]
    if after:
        return after[0]
    return pool[-1]


def template_line_map(rendered: str, template: str | None, path: str) -> LineMap:
    """A :class:`LineMap` from lines of ``rendered`` to lines of ``template`` (in file ``path``)."""
    default = Target(path, 1, 1)
    if template is None:
        return LineMap({}, default)
    index: dict[tuple[str, ...], list[KeyLine]] = defaultdict(list)
    for line in key_lines(template, template=True):
        index[line.path].append(line)
    lines: dict[int, Target] = {}
    cursor = 0
    for line in key_lines(rendered):
        key_path, exact = line.path, True
        while key_path and key_path not in index:
            key_path, exact = key_path[:-1], False
        if not key_path:
            continue
        chosen = _pick(index[key_path], line, cursor)
        if exact:
            cursor = chosen.number
            lines[line.number] = Target(path, chosen.number, chosen.column + 1, chosen.column - line.column)
        else:
            lines[line.number] = Target(path, chosen.number, chosen.column + 1)
    previous = None
    for number in range(1, rendered.count("\n") + 2):
        if number in lines:
            previous = lines[number]
        elif previous is not None:
            lines[number] = Target(previous.path, previous.line, previous.column)
    return LineMap(lines, default)
