"""Structural fix edits remembered in the cache (``$XDG_CACHE_HOME/eksguard/edits``).

Why: JSON and SARIF reports carry each fix's exact edits, and a structural fix is a
ruamel.yaml round trip of its document (~10 ms for a 30-line manifest). The GitHub
Action writes both reports on every pull request; on bench/'s 5,000 files the ~370
documents with structural fixes took ~2 s of CPU, more than the warm scan itself. The
edits are a function of the document's lines, where they start, their heredoc
indentation and the operations, so they are kept under a digest of exactly those (and
of eksguard's code and ruamel.yaml's version): unchanged documents are not round-tripped
again. A refusal (the fix cannot be made in place) is kept the same way.

The entries live beside the parse cache, through the same store (whole or absent,
owner-only, least recently used dropped past :data:`LIMIT`); ``--no-cache`` turns them
off with the rest.
"""

from __future__ import annotations

import hashlib
import pickle

from eksguard.engine.fix import yaml_edit
from eksguard.engine.fix.edits import CannotEdit, TextEdit

#: Bound on the edits folder's disk use (an entry is a few hundred bytes in a 4 KiB
#: block: the 1,634 documents with fixes of bench/'s 20,000 files take 7.4 MB).
LIMIT = 50 * 1024 * 1024

_SALT: bytes | None = None  # eksguard's code and ruamel.yaml's version, once per process
_OPEN: tuple = (None, None)  # (cache folder, its EntryStore): reopened when the folder changes


def _store():
    """The store of the cache folder in effect, or None when caching is off (asked each
    time: ``--no-cache`` and ``XDG_CACHE_HOME`` are read from the environment)."""
    global _OPEN, _SALT
    from eksguard.cachedir import cache_dir

    root = cache_dir()
    if root is None:
        return None
    if _OPEN[0] != root:
        from eksguard.engine.cache import EntryStore

        _OPEN = (root, EntryStore(root / "edits"))
    if _SALT is None:
        from eksguard.engine.cache import code_stamp

        _SALT = hashlib.sha256(f"{code_stamp()}\0{_ruamel_stamp()}".encode()).digest()
    return _OPEN[1]


def _ruamel_stamp() -> str:
    """Which ruamel.yaml resolves edits, without importing it (a cache hit needs none of
    it): its ``__init__.py``, which holds the version, by path, size and mtime."""
    import importlib.util

    from eksguard.cachedir import file_stamp

    try:
        return file_stamp(importlib.util.find_spec("ruamel.yaml").origin)
    except Exception:  # noqa: BLE001 - not installed: edits are refused anyway
        return "ruamel.yaml missing"


def edit_region(lines: list[str], first_line: int, indent: str, operations: list) -> list[TextEdit]:
    """:func:`eksguard.engine.fix.yaml_edit.edit_region`, from the cache when these very
    arguments were resolved before."""
    store = _store()
    key = None
    if store is not None:
        try:
            material = pickle.dumps((lines, first_line, indent, operations), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a value that cannot be pickled is resolved, not cached
            material = None
        if material is not None:
            key = hashlib.sha256(_SALT + material).hexdigest()
            hit = store.load(key)
            if isinstance(hit, tuple) and len(hit) == 2:
                if hit[0] == "edits" and isinstance(hit[1], list):
                    return hit[1]
                if hit[0] == "refused" and isinstance(hit[1], str):
                    raise CannotEdit(hit[1])
    try:
        edits = yaml_edit.edit_region(lines, first_line, indent, operations)
    except CannotEdit as exc:
        if key is not None:
            store.store(key, pickle.dumps(("refused", str(exc)), protocol=pickle.HIGHEST_PROTOCOL))
        raise
    if key is not None:
        store.store(key, pickle.dumps(("edits", edits), protocol=pickle.HIGHEST_PROTOCOL))
    return edits


def prune() -> None:
    """Keep the edits folder under :data:`LIMIT` (after a run that resolved edits)."""
    store = _store()
    if store is not None:
        store.prune(LIMIT)
