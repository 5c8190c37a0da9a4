"""Safety limits on what one input may cost: their defaults, their ``.eksguard.yaml`` keys,
and the EKS001 message that names them.

Hostile or runaway input (an alias bomb, 20,000 nested brackets, a 50 MB minified line,
a chart whose rendering never ends) is refused early with one EKS001 finding, and the
scan goes on with every other file. Each limit is a key of the ``limits:`` mapping of the
config file (docs/config.md); the message of a refused input names that key, so raising
a limit that a real file crosses is a one-line change::

    limits:
      max-file-size: 64MiB
      max-line-length: 4MiB

The configured values reach the adapters as ``Sink.options["limits"]`` (a
:class:`Limits`); adapters read them with :func:`limits_of`. This module imports
nothing, so every adapter (and a process-pool worker) may use it cheaply.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace

__all__ = ["Limits", "DEFAULT", "KEYS", "limits_of", "raise_hint", "parse_size", "show_size", "human_size",
           "read_bounded"]

KiB = 1024
MiB = 1024 * 1024

#: The one config file name the messages point at (``.eksguard.yml`` works the same).
_CONFIG = ".eksguard.yaml"


@dataclass(frozen=True)
class Limits:
    """Per-input bounds. Sizes are bytes (characters for embedded text), times seconds."""

    #: Bytes of one YAML/JSON/script file (or of standard input).
    max_file_size: int = 10 * MiB
    #: Bytes of one ``.tf`` file: tree-sitter-hcl and the evaluator cost far more per byte.
    max_terraform_file_size: int = 4 * MiB
    #: Bytes of one line of YAML, Terraform or a script; JSON-shaped input (first
    #: character ``{`` or ``[``, often minified onto one line) is bounded by size only.
    max_line_length: int = 1 * MiB
    #: Nesting of YAML/JSON mappings and sequences (libyaml refuses more than 1,000 itself).
    max_nesting: int = 1000
    #: Nesting of Terraform blocks and expressions (the evaluator recurses).
    max_terraform_nesting: int = 128
    #: Nodes of one YAML document, counted with aliases expanded (the alias-bomb guard).
    max_nodes: int = 1_000_000
    #: YAML documents in one file or rendered output.
    max_documents: int = 100_000
    #: Characters of YAML/JSON read from one Terraform string (a heredoc, ``jsonencode``...).
    max_heredoc_size: int = 1 * MiB
    #: Seconds one chart or kustomization may take to render (``--render-timeout`` wins).
    render_timeout: float = 60.0

    def yaml(self):
        """These limits as the YAML loader's :class:`~eksguard.yaml_loader.YamlLimits`."""
        from eksguard.yaml_loader import YamlLimits

        return YamlLimits(max_depth=self.max_nesting, max_nodes_per_document=self.max_nodes,
                          max_documents=self.max_documents)

    def with_config(self, data: dict) -> "Limits":
        """These limits with the ``limits:`` mapping of a config file applied (validated
        by ``schemas/config.schema.json`` first; sizes may be written as ``20MiB``)."""
        changes = {}
        for key, value in data.items():
            name = KEYS[key]
            changes[name] = float(value) if name == "render_timeout" else parse_size(value)
        return replace(self, **changes)


DEFAULT = Limits()

#: config key -> :class:`Limits` field
KEYS = {f.name.replace("_", "-"): f.name for f in fields(Limits)}

_SIZE = re.compile(r"^\s*(\d+)\s*(B|K|KB|KiB|M|MB|MiB|G|GB|GiB)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": KiB, "kb": 1000, "kib": KiB, "m": MiB, "mb": 1000**2, "mib": MiB,
          "g": 1024 * MiB, "gb": 1000**3, "gib": 1024 * MiB}


def parse_size(value: object) -> int:
    """``4194304``, ``"4MiB"``, ``"512 KiB"``, ``"5MB"`` -> bytes (plain integers for counts)."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value))
    if match is None:
        raise ValueError(f"not a size: {value!r}")
    return int(match[1]) * _UNITS[(match[2] or "").lower()]


def show_size(value: int) -> str:
    """Bytes as the shortest exact ``N GiB``/``N MiB``/``N KiB``, else bytes."""
    for unit, size in (("GiB", 1024 * MiB), ("MiB", MiB), ("KiB", KiB)):
        if value >= size and value % size == 0:
            return f"{value // size} {unit}"
    if value >= MiB:
        return f"{value / MiB:.1f} MiB"
    return f"{value} bytes"


def human_size(value: int) -> str:
    """An input's size, to one decimal: ``812 bytes``, ``3.4 KiB``, ``25.1 MiB``."""
    if value < KiB:
        return f"{value} bytes"
    if value < MiB:
        return f"{value / KiB:.1f} KiB"
    return f"{value / MiB:.1f} MiB"


def raise_hint(key: str) -> str:
    """How to raise the limit ``key``: appended to every message of a refused input."""
    return f"raise limits.{key} in {_CONFIG}"


def limits_of(options: dict | None) -> Limits:
    """The limits of a scan, from its options (``Sink.options``); the defaults if unset."""
    value = (options or {}).get("limits")
    return value if isinstance(value, Limits) else DEFAULT


def read_bounded(handle, limit: int, size: int | None = None) -> bytes:
    """At most ``limit + 1`` bytes of an open binary file (one past the limit tells that
    it is over), allocating only what the file holds. ``handle.read(limit + 1)``
    allocates all of it before reading: ~45 us a call under a 50 MiB limit, about a
    tenth of a warm scan of 5,000 small files (bench/). ``size``: the file's size when
    the caller already has it. A file that grew since, or a pipe, is read on, bounded."""
    if size is None:
        try:
            size = os.fstat(handle.fileno()).st_size
        except (OSError, AttributeError, ValueError):
            size = limit
    data = handle.read(min(size, limit) + 1)
    if size < len(data) <= limit:
        data += handle.read(limit + 1 - len(data))
    return data
