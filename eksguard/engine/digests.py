"""The sha256 of each file a scan keys its cache by, kept with the file's ``stat``, so a
warm scan stats its files instead of reading them.

Why: the parse cache (:mod:`eksguard.engine.cache`) keys an entry by the bytes of every
file it was lifted from. Reading and hashing 5,000 files is most of what a warm scan
spends on keys, and most of a pre-commit run's files have not changed since the last.

When a digest is trusted, as git trusts its index (``racy-git.txt``) and ruff its cache:
the file's size, modification and change times (nanoseconds), inode and device are the
ones recorded when it was hashed. A write changes the modification time, and putting it
back (``touch -d``, ``tar``) changes the change time, which no user can set. The one
hole is a write within the file system's timestamp granularity of the read that hashed
it: the times would not move. So a digest is only recorded for a file last modified at
least :data:`RACY_NS` before its read began; a file written just before a scan is read
again next time, until it is old enough. (On Windows ``st_ctime`` is the creation
time: there, a write that restores the old modification time and keeps the size would
go unseen. Every ordinary write moves the modification time.)

The index is one pickle per working folder of the scans (``file-digests/<hash>``: a
repository's full scans and pre-commit runs share one), written atomically after a scan
that hashed anything: of the files this scan saw, and of others up to
:data:`MAX_ENTRIES`, most recently hashed first (so it stays about one repository's
size, and so does what a scan rewrites). Concurrent scans may each write theirs: the
last one wins, and what the other hashed is hashed again, never trusted wrongly. Only
an index the user owns is read.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

#: A file modified this close to the read that hashed it is not trusted next time.
#: Two seconds covers the coarsest timestamps in use (FAT's 2 s; ext4, XFS, APFS and
#: NTFS keep nanoseconds or 100 ns).
RACY_NS = 2_000_000_000
#: Files remembered per index at most: the files of this scan, then the most recently
#: hashed others (files of a folder scanned alone, then with the rest).
MAX_ENTRIES = 50_000
_MAGIC = b"eksguard-digests-1\n"

_Stamp = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


def stamp(info: os.stat_result) -> _Stamp:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


class DigestIndex:
    """``path -> (stamp, sha256, when hashed)`` of files hashed by earlier scans."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, tuple[_Stamp, bytes, int]] = _read(path)
        self.seen: set[str] = set()
        self.changed = False

    def digest(self, path: str, info: os.stat_result) -> bytes | None:
        """The recorded digest of ``path``, if ``info`` says it is the file then hashed."""
        self.seen.add(path)
        entry = self.entries.get(path)
        if entry is not None and entry[0] == stamp(info):
            return entry[1]
        return None

    def record(self, path: str, info: os.stat_result, digest: bytes, read_at_ns: int) -> None:
        """Remember ``digest`` of ``path``, read from ``read_at_ns`` on with ``info`` (its
        ``fstat`` before the read), unless it was modified too close to the read."""
        self.seen.add(path)
        if info.st_mtime_ns >= read_at_ns - RACY_NS or info.st_ctime_ns >= read_at_ns - RACY_NS:
            if self.entries.pop(path, None) is not None:
                self.changed = True
            return
        self.entries[path] = (stamp(info), digest, read_at_ns)
        self.changed = True

    def save(self) -> None:
        """Write the index if this scan hashed anything new; failures are ignored."""
        if not self.changed:
            return
        from eksguard.cachedir import write_atomic

        entries = self.entries
        if len(entries) > MAX_ENTRIES:
            others = sorted((path for path in entries if path not in self.seen),
                            key=lambda path: entries[path][2], reverse=True)
            keep = self.seen.union(others[:max(0, MAX_ENTRIES - len(self.seen))])
            entries = {path: entries[path] for path in keep if path in entries}
        try:
            write_atomic(self.path, _MAGIC, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError):
            return
        self.changed = False


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                return {}  # someone else's file: never unpickle it
            data = handle.read()
        if not data.startswith(_MAGIC):
            return {}
        entries = pickle.loads(data[len(_MAGIC):])
    except Exception:  # noqa: BLE001 - absent, truncated or foreign: start afresh
        return {}
    return entries if isinstance(entries, dict) else {}
