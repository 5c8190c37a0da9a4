"""Where eksguard keeps what it may recompute: ``$XDG_CACHE_HOME/eksguard``.

One place for the folder, read by the parse cache (:mod:`eksguard.engine.cache`) and the
entry-point cache (:mod:`eksguard.entry_points`). Kept import-free: the one-file scan of
a pre-commit hook asks for it before anything heavy is loaded.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/eksguard`` (else ``~/.cache/eksguard``); None when caching is off
    (``--no-cache`` sets ``EKSGUARD_NO_CACHE=1``)."""
    if os.environ.get("EKSGUARD_NO_CACHE") == "1":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "eksguard"


def file_stamp(path: str) -> str:
    """A file as part of a cache key without reading it: its path, size and modification
    time (a tool or library that another install replaces). Raises OSError."""
    info = os.stat(path)
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


def load_json(name: str) -> object | None:
    """The cached JSON document ``name``, or None (caching off, absent, unreadable)."""
    import json

    folder = cache_dir()
    if folder is None:
        return None
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store_json(name: str, data: object) -> None:
    """Cache ``data`` as ``name``. A cache that cannot be written is no error."""
    import json

    folder = cache_dir()
    if folder is None:
        return
    try:
        write_atomic(folder / name, json.dumps(data).encode("utf-8"))
    except (OSError, TypeError, ValueError):
        pass


def write_atomic(path: Path, *chunks: bytes) -> None:
    """Write ``path`` through a temporary file renamed into place, so concurrent runs
    read a whole file or none; the folder is created private to the user (cache entries
    are only ever read back by their owner). Raises OSError."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
