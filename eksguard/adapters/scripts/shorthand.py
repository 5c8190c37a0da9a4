"""AWS CLI parameter values: shorthand syntax (``a=1,b=[x,y],c={d=e}``) or JSON.

Only the top level keeps positions (the index in the value text where each key's
value starts); nested values are plain Python. Scalars stay strings, as the CLI reads
them before it knows the parameter's type; :func:`as_bool` converts when needed.
"""

from __future__ import annotations

import json

from eksguard.adapters.scripts.snippet import PLACEHOLDER


class ShorthandError(ValueError):
    pass


class _Parser:
    def __init__(self, text: str):
        self.s = text
        self.i = 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def struct(self, closing: str) -> dict[str, tuple[object, int]]:
        out: dict[str, tuple[object, int]] = {}
        while True:
            self.skip_spaces()
            if self.peek() in ("", closing):
                return out
            eq = self.s.find("=", self.i)
            if eq < 0:
                raise ShorthandError("expected key=value")
            key = self.s[self.i : eq].strip()
            if not key or any(c in key for c in ",[]{}\"'" + PLACEHOLDER):
                raise ShorthandError(f"bad key {key!r}")
            self.i = eq + 1
            start = self.i
            value = self.value(closing)
            # ``a=x,y,z``: values without "=" after a scalar continue a list
            if not isinstance(value, (list, dict)):
                items = [value]
                while self.peek() == "," and self._next_is_bare(closing):
                    self.i += 1
                    items.append(self.value(closing))
                value = items if len(items) > 1 else value
            out[key] = (value, start)
            self.skip_spaces()
            if self.peek() == ",":
                self.i += 1
            elif self.peek() not in ("", closing):
                raise ShorthandError(f"unexpected {self.peek()!r}")

    def _next_is_bare(self, closing: str) -> bool:
        j = self.i + 1
        depth = 0
        while j < len(self.s):
            c = self.s[j]
            if c in "[{":
                depth += 1
            elif c in "]}":
                if depth == 0:
                    return True
                depth -= 1
            elif c == "," and depth == 0:
                return True
            elif c == "=" and depth == 0:
                return False
            j += 1
        return True

    def value(self, closing: str) -> object:
        self.skip_spaces()
        c = self.peek()
        if c == "[":
            self.i += 1
            items = []
            while True:
                self.skip_spaces()
                if self.peek() == "]":
                    self.i += 1
                    return items
                if self.peek() == "":
                    raise ShorthandError("unclosed [")
                items.append(self.value("]"))
                self.skip_spaces()
                if self.peek() == ",":
                    self.i += 1
        if c == "{":
            self.i += 1
            inner = self.struct("}")
            if self.peek() != "}":
                raise ShorthandError("unclosed {")
            self.i += 1
            return {k: v for k, (v, _) in inner.items()}
        if c in ("'", '"'):
            end = self.s.find(c, self.i + 1)
            if end < 0:
                raise ShorthandError("unclosed quote")
            text = self.s[self.i + 1 : end]
            self.i = end + 1
            return text
        start = self.i
        stops = ",]}" if closing else ","
        while self.i < len(self.s) and self.s[self.i] not in stops:
            self.i += 1
        return self.s[start : self.i].strip()

    def skip_spaces(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t\n":
            self.i += 1


def parse_struct(text: str) -> dict[str, tuple[object, int]]:
    """A structure parameter: ``{key: (value, index of the value in text)}``.

    JSON is accepted too (a value starting with ``{``); then each index is where the
    key's value starts, found by searching the text. Raises :class:`ShorthandError`.
    """
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ShorthandError(str(exc)) from None
        if not isinstance(data, dict):
            raise ShorthandError("not an object")
        return {k: (v, _json_index(text, k)) for k, v in data.items()}
    parser = _Parser(text)
    out = parser.struct("")
    if parser.i < len(text):
        raise ShorthandError("trailing text")
    return out


def parse_list(text: str) -> list[object]:
    """A list-of-structures parameter given as one value: JSON list or shorthand."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ShorthandError(str(exc)) from None
        if not isinstance(data, list):
            raise ShorthandError("not a list")
        return data
    return [{k: v for k, (v, _) in parse_struct(text).items()}]


def _json_index(text: str, key: str) -> int:
    at = text.find(json.dumps(key))
    if at < 0:
        return 0
    colon = text.find(":", at)
    j = colon + 1 if colon >= 0 else at
    while j < len(text) and text[j] in " \t\n":
        j += 1
    return j


def as_bool(value: object) -> object:
    """"true"/"false" (any case) as booleans; anything else unchanged."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def has_unknown(value: object) -> bool:
    if isinstance(value, str):
        return PLACEHOLDER in value
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(has_unknown(k) or has_unknown(v) for k, v in value.items())
    return False
