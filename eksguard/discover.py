"""Finding the inputs of a scan: files, folders (walked in a stable order) and stdin.

Rules of the walk, the same whether or not git is present:
- skipped folders: ``.git``, ``.terraform``, ``node_modules``, ``vendor`` (and VCS
  metadata of other tools);
- inside a git work tree, ``.gitignore`` (and ``.git/info/exclude``, global
  excludes) are honoured by asking git itself for the file list;
- symlinks: a linked folder is never entered (its target, when inside the tree, is
  walked anyway; outside, it is out of scope), and a linked file is read only when
  its target lies inside the scanned tree and was not read already. No loops, no
  escapes;
- a folder holding ``Chart.yaml`` is one source (a Helm chart), not a pile of
  templates;
- a folder holding a kustomization (``kustomization.yaml``, ``.yml``, ``Kustomization``)
  is one source too, and the files below it are not scanned on their own; a
  kustomization used as a base or component by another one in the scan is rendered
  through it, not alone (see :mod:`eksguard.adapters.kustomize`).
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from eksguard.adapters import Source
from eksguard.adapters.folders import CHART_FILES, KUSTOMIZATION_FILES

SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", "vendor", ".hg", ".svn"})


class UsageError(Exception):
    """A mistake in how eksguard was called: one line, exit code 2."""


@dataclass
class Discovery:
    sources: list[Source] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


def display_path(path: Path, cwd: Path) -> str:
    """``path`` relative to ``cwd`` when below it (as linters print), else absolute."""
    try:
        return path.relative_to(cwd).as_posix() or "."
    except ValueError:
        return path.as_posix()


def discover(paths: list[str], cwd: Path | None = None, stdin: bytes | None = None) -> Discovery:
    """Expand ``paths`` (files, folders, ``-``) into sources in a stable order."""
    cwd = cwd or Path.cwd()
    found = Discovery()
    seen: set[str] = set()
    for raw in paths:
        if raw == "-":
            data = stdin if stdin is not None else sys.stdin.buffer.read()
            found.sources.append(Source("<stdin>", None, stdin_data=data))
            continue
        path = Path(raw)
        absolute = path if path.is_absolute() else cwd / path
        if not absolute.exists() and not absolute.is_symlink():
            raise UsageError(f"{raw}: no such file or directory")
        if absolute.is_dir():
            _walk(absolute, cwd, found, seen)
        elif absolute.is_file():
            key = os.path.realpath(absolute)
            if key not in seen:
                seen.add(key)
                found.sources.append(Source(display_path(Path(os.path.normpath(absolute)), cwd), absolute))
        else:
            raise UsageError(f"{raw}: not a regular file or directory")
    return found


def _walk(root: Path, cwd: Path, found: Discovery, seen: set[str]) -> None:
    root = Path(os.path.normpath(root))
    real_root = os.path.realpath(root)
    files = _git_files(root)
    if files is None:
        files = _walk_files(root)
    charts = _chart_dirs(root, files)
    for rel in sorted(charts):
        chart = root / rel if rel else root
        found.sources.append(Source(display_path(chart, cwd), chart, is_dir=True))
    kustomizations = _kustomization_dirs(files, charts)
    roots, rendered_by = _kustomize_roots(root, kustomizations)
    for rel in roots:
        folder = root / rel if rel else root
        found.sources.append(Source(display_path(folder, cwd), folder, is_dir=True))
    for rel, users in sorted(rendered_by.items()):
        through = ", ".join(display_path(root / u if u else root, cwd) for u in sorted(users))
        found.skipped.append((display_path(root / rel if rel else root, cwd), f"kustomize base, rendered through {through}"))
    units = charts + kustomizations
    # Display paths by string: ``rel`` is clean (git's list or our walk), so the display of
    # ``root / rel`` is the root's display and ``rel``; a ``relative_to`` per file was a
    # fifth of discovery on a repository of thousands of files.
    shown = display_path(root, cwd)
    shown = "" if shown == "." else shown if shown.endswith("/") else shown + "/"
    # ...except when the working folder lies inside ``root`` (``scan ..``): its files
    # show relative to it, the others absolute.
    per_file = cwd != root and cwd.is_relative_to(root)
    root_text = str(root)
    root_text = root_text if root_text.endswith(os.sep) else root_text + os.sep
    walked: list[str] = []
    for rel in files:
        if any(part in SKIP_DIRS for part in rel.split("/")[:-1]):
            continue
        if any(c == "" or rel == c or rel.startswith(c + "/") for c in units):
            continue
        walked.append(rel)
    # Regular files first, so a link never stands in for the file it points at. One lstat
    # per file, and one realpath per folder (a file that is no link is its real folder's):
    # a realpath per file was most of discovery on a repository of thousands of files.
    added: list[Source] = []
    links: list[str] = []
    real_folders: dict[str, str] = {}
    for rel in walked:
        text = root_text + rel.replace("/", os.sep)
        try:
            info = os.lstat(text)
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            links.append(rel)
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        key = real_path_of_file(text, real_folders)
        if key not in seen:
            seen.add(key)
            path = root / rel
            added.append(Source(display_path(path, cwd) if per_file else shown + rel, path, size=info.st_size))
    for rel in links:
        path = root / rel
        display = display_path(path, cwd) if per_file else shown + rel
        target = os.path.realpath(path)
        if not (target == real_root or target.startswith(real_root + os.sep)):
            found.skipped.append((display, "symlink to outside the scanned tree"))
        elif not os.path.isfile(target):
            found.skipped.append((display, "symlink to a missing file or a folder"))
        elif target not in seen:
            seen.add(target)
            added.append(Source(display, path))
    found.sources.extend(sorted(added, key=lambda s: s.display))


def real_path(path: str, real_folders: dict[str, str]) -> str:
    """``os.path.realpath(path)`` with an ``lstat`` of the file and, unless it is a link
    (or ends in ``.``/``..``, or is missing), its folder's real path from
    ``real_folders`` (:func:`real_path_of_file`): the folders of a repository's
    findings are few, its files many."""
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode) or path.endswith((os.sep + ".", os.sep + "..")):
            return os.path.realpath(path)
    except OSError:
        return os.path.realpath(path)
    return real_path_of_file(path, real_folders)


def real_path_of_file(path: str, real_folders: dict[str, str]) -> str:
    """``os.path.realpath(path)`` for a ``path`` known not to be a link itself (an
    ``lstat`` said so): its real folder's, with one ``realpath`` per folder, kept in
    ``real_folders``. A ``realpath`` per file (an ``lstat`` per component) was most of
    discovery on a repository of thousands of files."""
    folder, _, name = path.rpartition(os.sep)
    real_folder = real_folders.get(folder)
    if real_folder is None:
        real_folder = real_folders[folder] = os.path.realpath(folder or os.sep)
    return os.path.join(real_folder, name)


def _git_files(root: Path) -> list[str] | None:
    """The files git would consider (tracked + untracked, not ignored), or None outside git."""
    import subprocess  # here: a scan of named files never runs git (start-up, bench/startup.py)

    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    names = {os.fsdecode(n) for n in proc.stdout.split(b"\0") if n}
    if not names and _is_ignored(root):
        return None  # the user named an ignored folder: scan it, without ignore rules
    return sorted(names)


def _is_ignored(root: Path) -> bool:
    import subprocess

    try:
        proc = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "."], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def _walk_files(root: Path) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):  # followlinks=False: linked dirs not entered
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not os.path.islink(os.path.join(dirpath, d)))
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            out.append(rel.replace(os.sep, "/"))
    return sorted(out)


def _kustomize_roots(root: Path, kustomizations: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    if not kustomizations:
        return [], {}
    from eksguard.adapters.kustomize import kustomize_roots

    return kustomize_roots(root, kustomizations)


def _kustomization_dirs(files: list[str], charts: list[str]) -> list[str]:
    """Folders (relative, ``""`` for the root) that hold a kustomization, outside charts."""
    out = sorted({
        rel.rpartition("/")[0] for rel in files if rel.rpartition("/")[2] in KUSTOMIZATION_FILES
    })
    return [
        d for d in out
        if not any(part in SKIP_DIRS for part in d.split("/"))
        and not any(c == "" or d == c or d.startswith(c + "/") for c in charts)
    ]


def _chart_dirs(root: Path, files: list[str]) -> list[str]:
    """Outermost folders (relative, ``""`` for the root) that hold a Chart.yaml."""
    candidates = sorted(
        rel.rpartition("/")[0] for rel in files if rel.rpartition("/")[2] in CHART_FILES
    )
    charts: list[str] = []
    for cand in candidates:
        if any(part in SKIP_DIRS for part in cand.split("/")):
            continue
        if any(c == "" or cand == c or cand.startswith(c + "/") for c in charts):
            continue  # a subchart (charts/x) renders with its parent
        charts.append(cand)
    return charts
