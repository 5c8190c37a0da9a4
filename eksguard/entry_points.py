"""Entry points of group ``eksguard`` (third-party plugins), found without paying for
``importlib.metadata`` on every run.

``importlib.metadata`` imports the ``email`` package and reads the metadata of every
installed distribution: about 30 ms, the largest single cost of the one-file scan a
pre-commit hook runs. The answer is cached (:mod:`eksguard.cachedir`) under a key made of
the interpreter, ``sys.path`` and, for every folder on it, the ``*.dist-info`` and
``*.egg-info`` folders it holds with the modification time of their ``entry_points.txt``:
installing, upgrading or removing a distribution changes one of them, and the next run
reads the metadata again. Any doubt (no cache, unreadable cache, a folder that cannot be listed)
means the plain ``importlib.metadata`` read.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import zlib

_METADATA_SUFFIXES = (".dist-info", ".egg-info")


def entry_points(group: str) -> list[tuple[str, str]]:
    """``(name, "module:attr")`` of every entry point of ``group``, in metadata order."""
    from eksguard.cachedir import cache_dir, load_json, store_json

    stamp = _stamp() if cache_dir() is not None else None
    if stamp is None:
        return _read(group)
    # one file per interpreter, sys.path (``python -m`` puts the working folder first) and
    # group, so that two projects do not take turns rewriting it; a cheap name (hashlib
    # alone costs milliseconds): the whole stamp is stored in it and compared
    name = f"entry-points-{zlib.crc32(json.dumps([group, sys.executable, sys.path]).encode()):08x}.json"
    cached = load_json(name)
    if isinstance(cached, dict) and cached.get("stamp") == stamp and isinstance(cached.get("found"), list) \
            and all(isinstance(e, list) and len(e) == 2 for e in cached["found"]):
        return [(str(n), str(v)) for n, v in cached["found"]]
    found = _read(group)
    store_json(name, {"stamp": stamp, "found": [list(e) for e in found]})
    return found


def load(value: str) -> object:
    """The object an entry point's value names (``pkg.module:attr.sub``; extras ignored)."""
    target = value.split("[", 1)[0].strip()
    module_name, _, attrs = target.partition(":")
    obj: object = importlib.import_module(module_name.strip())
    for attr in filter(None, attrs.strip().split(".")):
        obj = getattr(obj, attr)
    return obj


def _read(group: str) -> list[tuple[str, str]]:
    from importlib.metadata import entry_points as metadata_entry_points

    return [(ep.name, ep.value) for ep in metadata_entry_points(group=group)]


def _stamp() -> list | None:
    """What the installed distributions' entry points depend on; None when unsure."""
    stamp: list = [sys.executable, sys.version]
    for entry in sys.path:
        folder = entry or "."
        try:
            info = os.stat(folder)
        except OSError:
            stamp.append([entry, None])  # absent now; appearing later changes the key
            continue
        if not os.path.isdir(folder):
            stamp.append([entry, info.st_mtime_ns, info.st_size])  # a zip on sys.path
            continue
        metadata = []
        try:
            with os.scandir(folder) as listing:
                for item in listing:
                    if item.name.endswith(_METADATA_SUFFIXES):
                        try:
                            points = os.stat(os.path.join(item.path, "entry_points.txt")).st_mtime_ns
                        except OSError:
                            points = None
                        metadata.append([item.name, points])
        except OSError:
            return None
        # Not the folder's own mtime: what it lists decides, and a folder on sys.path may be
        # a project (``python -m eksguard`` puts the working folder there) whose files come
        # and go on every commit, which made each of those runs read the metadata again.
        stamp.append([entry, sorted(metadata)])
    return stamp
