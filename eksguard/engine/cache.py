"""The on-disk cache: where it lives, and the parse cache of lifted sources.

Why a parse cache: a pre-commit hook or a CI job scans the same repository again and
again, and most of its files have not changed. Parsing is most of a scan (tree-sitter
for Terraform, libyaml events for YAML), so what an adapter lifted from a source is
kept, keyed by everything that output depends on:

- the bytes of every file the adapter reads for it, with their names (an adapter says
  which through ``cache_inputs(source)``: the file itself, or for a ``.tf`` file its
  whole folder, which gives ``var.x`` its value), by their sha256, which
  :mod:`eksguard.engine.digests` keeps with each file's ``stat`` so that unchanged files
  are not read again;
- the source's absolute path and display path (model objects carry the display path;
  the suppression log carries absolute paths), so a scan from another folder or of a
  moved checkout never sees stale paths;
- eksguard's version and a stamp of its code (size and mtime of every module, so an
  editable install that changed is a new cache too), the adapter's name and module,
  and the scan options (and ``EKSGUARD_DEBUG``, which turns adapter errors into
  exceptions).

- for an adapter whose output depends on more than its files (a renderer: Helm charts
  and kustomizations run an external tool), what its ``cache_salt(source, options)``
  names: the tool's identity, the content of the values files the options name.

Only adapters that implement ``cache_inputs`` are cached, and only the results their
adapter did not mark ``Sink.transient`` (a render that timed out says nothing about the
chart).

An entry is a pickle, written to a temporary file and renamed into place (concurrent
runs see a whole entry or none); anything wrong with an entry (truncated, from another
Python, not ours) makes it a miss, never an error. Only entries the user owns are
unpickled. The folder is kept under :data:`LIMIT` bytes by
dropping the least recently used entries. ``--no-cache`` (``EKSGUARD_NO_CACHE=1``)
turns off this cache and the rule cache of :mod:`eksguard.engine.rules`. The same kind
of store (:class:`EntryStore`) keeps the fix edits of :mod:`eksguard.engine.fix.memo`.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import time
from pathlib import Path

from eksguard.cachedir import cache_dir, file_stamp, write_atomic
from eksguard.limits import read_bounded

#: Bound on the parse cache folder's disk use; beyond it the least recently used entries
#: go. Most entries are a few hundred bytes in a 4 KiB block: bench/'s 20,000 files take
#: 87 MB of disk (34 MB of contents), so this holds a few large repositories' entries,
#: about what the earlier bound of 200 MB of contents let the folder take on disk.
LIMIT = 500 * 1024 * 1024
#: An entry read is marked used (its mtime, which pruning goes by) when its mark is older
#: than this: least-recently-used to the hour, without a write per entry per scan.
TOUCH_AFTER = 3600
#: Sources bigger than this are refused by the adapters anyway: not worth hashing.
MAX_INPUT_BYTES = 50 * 1024 * 1024
_MAGIC = b"eksguard-parse-1\n"
#: Option keys the engine reads after lifting: they do not change what adapters produce.
_ENGINE_OPTIONS = frozenset({"suppressions", "require_reasons", "baseline"})


def code_stamp() -> str:
    """eksguard's version and the size and mtime of each of its modules."""
    from eksguard import __version__

    root = Path(__file__).resolve().parent.parent
    stamp = [__version__, sys.version]
    for folder, _dirs, files in sorted(os.walk(root)):
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                stamp.append(f"{folder[len(str(root)):]}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(stamp)


def inputs_of(adapter, source) -> list | None:
    """Every file lifting ``source`` with ``adapter`` reads (its ``cache_inputs``); None
    when that is not known: an adapter that does not say (a renderer runs a tool) or whose
    ``cache_inputs`` fails (a plugin's: no caching, not a crash). What the cache keys by,
    what ``scan --fix`` checks against its fixed texts, what ``--diff-base`` compares."""
    inputs = getattr(adapter, "cache_inputs", None)
    if inputs is None or source.path is None:
        return None
    try:
        files = inputs(source)
    except Exception:  # noqa: BLE001 - see the docstring
        return None
    return list(files) if files else None


def salt_of(adapter, source, options: dict) -> str | None:
    """What else, beyond the bytes of its inputs, decides what ``adapter`` lifts from
    ``source`` (its ``cache_salt(source, options)``: a renderer's identity, the content of
    the scan's values files); ``""`` for an adapter without the hook. None when the hook
    says the output cannot be cached (returns None) or fails (a plugin's: a miss, not a
    crash)."""
    hook = getattr(adapter, "cache_salt", None)
    if hook is None:
        return ""
    try:
        salt = hook(source, options)
    except Exception:  # noqa: BLE001 - see the docstring
        return None
    return salt if isinstance(salt, str) else None


def _project_name(project: Path | None) -> str:
    """The digest index of scans run from ``project``: one per working folder, so each
    holds about one repository's files (a pre-commit run and a full scan of it share it)."""
    where = os.path.realpath(project) if project is not None else ""
    return hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:24]


class EntryStore:
    """Pickled entries in a folder of the cache, named by a key (a hex digest): written
    whole or not at all, read back only when the user owns them and they are ours, and
    kept under a size by dropping the least recently used. The parse cache is one, the
    fix edits of :mod:`eksguard.engine.fix.memo` another."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._entries = str(folder)

    def load(self, key: str):
        """The entry's object, or None when there is none or it cannot be trusted."""
        path = os.path.join(self._entries, key[:2], key)  # strings: a Path per entry cost more than its read
        try:
            with open(path, "rb") as handle:
                info = os.fstat(handle.fileno())
                if hasattr(os, "getuid") and info.st_uid != os.getuid():
                    return None  # someone else's file: never unpickle it
                data = handle.read()
            if not data.startswith(_MAGIC):
                return None
            value = pickle.loads(data[len(_MAGIC):])
        except Exception:  # noqa: BLE001 - a corrupt or foreign entry is a miss, whatever it raises
            return None
        if time.time() - info.st_mtime > TOUCH_AFTER:
            try:
                os.utime(path)  # recently used: pruned last
            except OSError:
                pass
        return value

    def store(self, key: str, payload: bytes) -> None:
        """Write ``payload`` (a pickle) as the entry ``key``; failures are ignored."""
        try:
            write_atomic(self.folder / key[:2] / key, _MAGIC, payload)
        except OSError:
            return

    def prune(self, limit: int = LIMIT) -> None:
        """Keep the folder under ``limit`` bytes of disk, dropping the least recently used
        first. Cheap enough to run after every scan that wrote: one ``stat`` per entry.
        Disk, not contents: most entries are a few hundred bytes in a 4 KiB block, so
        counting contents let the folder take 568 MB of disk under a bound of 200 MB."""
        entries = []
        try:
            for shard in os.scandir(self.folder):
                if shard.is_dir(follow_symlinks=False):
                    for entry in os.scandir(shard.path):
                        info = entry.stat(follow_symlinks=False)
                        if entry.name.startswith(".tmp-") and time.time() - info.st_mtime < 3600:
                            continue  # another run is writing it
                        entries.append((info.st_mtime_ns, disk_usage(info), entry.path))
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= limit:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size


def disk_usage(info: os.stat_result) -> int:
    """Bytes a file takes on disk (its blocks), where the system says; else its size."""
    blocks = getattr(info, "st_blocks", None)
    return blocks * 512 if blocks is not None else info.st_size


class ParseCache(EntryStore):
    """Lifted sources on disk, for one scan (one set of options and one retention)."""

    def __init__(self, root: Path, options: dict, retention=None, project: Path | None = None):
        super().__init__(root / "parse")
        self.project = project  # the scan's working folder: its files' digests are kept together
        self.options = options  # what an adapter's ``cache_salt`` reads (the scan's Helm values)
        lifting = {k: v for k, v in options.items() if k not in _ENGINE_OPTIONS}
        # An entry holds what the scan's retention keeps (engine/retention.py): a scan that
        # keeps more (a plugin's check, ``retain=False``) has entries of its own.
        kept = "all" if retention is None else ",".join(sorted(retention.kinds))
        salt = [code_stamp(), json.dumps(lifting, sort_keys=True, default=repr),
                os.environ.get("EKSGUARD_DEBUG", ""), f"retention:{kept}"]
        self.salt = hashlib.sha256("\0".join(salt).encode()).digest()
        self._adapters: dict[int, bytes] = {}
        self._digests: dict[str, bytes | None] = {}
        self._places: dict[str, tuple[str, str, str]] = {}
        self._index = None  # eksguard.engine.digests.DigestIndex, read on the first key

    @classmethod
    def open(cls, options: dict, retention=None, project: Path | None = None) -> "ParseCache | None":
        root = cache_dir()
        return None if root is None else cls(root, options, retention, project)

    def key(self, adapter, source) -> str | None:
        """The entry name for ``source`` as ``adapter`` lifts it, or None: not cacheable."""
        files = inputs_of(adapter, source)
        if not files:
            return None
        digest = hashlib.sha256(self.salt)
        digest.update(self._adapter_part(adapter))
        absolute, base, _ = self._place(source.path)
        digest.update(f"{absolute}\0{source.display}\0".encode("utf-8", "surrogateescape"))
        for path in files:
            path, folder, name = self._place(path)
            content = self._content(path)
            if content is None:
                return None  # unreadable or huge: let the adapter report it, and do not cache that
            # relpath is slow (it splits both paths); inputs are almost always beside the source
            if folder != base:
                name = os.path.relpath(path, base)
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + content)
        salt = salt_of(adapter, source, self.options)
        if salt is None:
            return None
        if salt:
            digest.update(b"salt\0" + salt.encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def _place(self, path) -> tuple[str, str, str]:
        """``(absolute path, its folder, its name)``, once per path and scan: each file of
        a Terraform folder is an input of every ``.tf`` file there, and normalising
        paths (``abspath``, ``dirname``) was a third of a warm scan's keys (bench/)."""
        text = os.fspath(path)
        place = self._places.get(text)
        if place is None:
            absolute = os.path.abspath(text)
            folder, _, name = absolute.rpartition(os.sep)
            place = self._places[text] = (absolute, folder or os.sep, name)
        return place

    def _adapter_part(self, adapter) -> bytes:
        """The adapter's name, module, public settings and (for a plugin) its code's stamp."""
        part = self._adapters.get(id(adapter))
        if part is None:
            module = type(adapter).__module__
            settings = {k: v for k, v in getattr(adapter, "__dict__", {}).items() if not k.startswith("_")}
            text = f"{getattr(adapter, 'name', '')}\0{module}\0{settings!r}\0"
            plugin_file = getattr(sys.modules.get(module), "__file__", None)
            if plugin_file and not module.startswith("eksguard."):
                try:
                    text += file_stamp(plugin_file) + "\0"  # a plugin's own code changes its output too
                except OSError:
                    pass
            part = self._adapters[id(adapter)] = text.encode("utf-8", "surrogateescape")
        return part

    def _content(self, path: str) -> bytes | None:
        """sha256 of a file's bytes, once per scan (a Terraform folder's files are the
        inputs of each of its ``.tf`` files); None when unreadable or too big. From the
        digest index when the file's ``stat`` is the one recorded with it
        (:mod:`eksguard.engine.digests`): a warm scan then reads no unchanged file."""
        if path in self._digests:
            return self._digests[path]
        index = self._index
        if index is None:
            from eksguard.engine.digests import DigestIndex

            index = self._index = DigestIndex(self.folder.parent / "file-digests" / _project_name(self.project))
        try:
            value = index.digest(path, os.stat(path))
        except OSError:
            value = None
        if value is None:
            value = self._hash(path, index)
        self._digests[path] = value
        return value

    @staticmethod
    def _hash(path: str, index) -> bytes | None:
        try:
            with open(path, "rb") as handle:
                info = os.fstat(handle.fileno())
                read_at = time.time_ns()
                data = read_bounded(handle, MAX_INPUT_BYTES)
        except OSError:
            return None
        if data is None or len(data) > MAX_INPUT_BYTES:
            return None
        digest = hashlib.sha256(data).digest()
        index.record(path, info, digest, read_at)
        return digest

    def close(self) -> None:
        """End of the scan's keys: keep what was hashed for the next scan."""
        if self._index is not None:
            self._index.save()
