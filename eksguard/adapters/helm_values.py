"""Checks of ``--helm-values`` and ``--helm-set`` before any chart renders.

Helm rejects a malformed ``--set`` (``x=1,y``: "key y has no value") and a values file
that is not YAML, but the helm-python-sdk engine drops a ``--set`` it cannot parse
without a word. Both are the user's typo, not a property of the chart: a usage error
(exit 2) here, instead of a chart silently rendered with other values than asked for.
"""

from __future__ import annotations

import re
from pathlib import Path

# Helm's strvals syntax: ``a.b[0].c=v``; ``\\.``, ``\\,`` and ``\\=`` escape.
_KEY = re.compile(r"(?:[^.\[\]=\\]|\\.)+(?:\[\d+\])*(?:\.(?:[^.\[\]=\\]|\\.)+(?:\[\d+\])*)*")


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def check_set_expression(expression: str) -> str | None:
    """Why ``expression`` is not a Helm ``--set`` value, or None when it is."""
    for part in _split_unescaped(expression, ","):
        pieces = _split_unescaped(part, "=")
        key = pieces[0]
        if len(pieces) < 2:
            return f"expected KEY=VALUE[,KEY=VALUE...]; {part!r} has no value"
        if not _KEY.fullmatch(key):
            return f"{key!r} is not a Helm value path (keys separated by dots, list items as name[0])"
    return None


def check_values_file(path: Path) -> str | None:
    """Why the values file cannot be used (not YAML, not a mapping), or None."""
    from eksguard.yaml_loader import YamlProblem, load_documents

    try:
        documents = load_documents(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        return f"cannot be read ({exc})"
    except YamlProblem as exc:
        return f"not valid YAML (line {exc.line}, column {exc.column}: {exc.message})"
    values = [d.value for d in documents if d.value is not None]
    if values and not isinstance(values[0], dict):
        return "the values must be a YAML mapping (key: value)"
    return None
