"""``scan --diff-base REF``: report what a change introduced, and compare with REF.

**What changed.** ``git diff`` of the working tree (staged and unstaged edits) against
the merge base of REF and ``HEAD`` (what a pull request shows), ``--unified=0``, renames
followed (``-M``), parsed into changed line ranges of each file as it is now; untracked
files (not ignored) count as changed everywhere. In a shallow checkout the merge base is
often missing (``git fetch --depth=1 origin main`` has no common history with ``HEAD``):
then the working tree is diffed against REF itself and a note on stderr says so (changes
made on REF since the branch forked then count as changed too). When REF is
``<remote>/<branch>`` and that ref does not exist but ``FETCH_HEAD`` holds that branch of
that remote (``git fetch origin main`` in a single-branch clone writes only
``FETCH_HEAD``), that commit is used, with a note.

**What is reported.** A finding is kept when

1. its own span (``line`` .. ``end_line``) holds a changed line, or
2. one of its related locations is on a changed line (cross-file findings: the
   IngressClass changed, the Ingress did not), or
3. it is about, or points into, an object the change *touched*.

An object is touched when a changed line, or the place where lines were deleted, lies
within its line span in any file it was read from: from its first to its last key (a
Kubernetes object: every key and item of its body; an AWS object: its declaration and
every setting). Rendered objects (a Helm chart or a kustomization eksguard renders) span
the template or resource lines they came from; they are also all touched when a file of
their chart or kustomization folder changes that no object's lines come from
(``values.yaml``, ``_helpers.tpl``, ``Chart.yaml``, ``kustomization.yaml``), or when a
``--helm-values`` file changes. Findings from standard input are always kept (it has no
history). Limits: a change outside these spans that moves a finding elsewhere (a
kustomize base's ``kustomization.yaml`` outside the overlay folder, a Terraform variable
read from another folder) is not seen; scan without ``--diff-base`` for the full picture.

**REF's platform.** For rules that compare with REF (EKS504), the files of REF below the
scanned paths are read from git objects (``git ls-tree`` + ``git cat-file``, never
checked out, no filters or hooks) into a temporary folder and lifted by the same
adapters; charts and kustomizations are not rendered there, so nothing runs. The result
is :class:`Base`, reachable from checks as ``platform.base``.
"""

from __future__ import annotations

import bisect
import os
import re
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from eksguard.discover import UsageError, discover, display_path
from eksguard.findings import Finding, Location
from eksguard.yaml_loader import YMap, YSeq

#: A file changed as a whole (untracked, or unreadable as a diff): every line.
WHOLE = (1, 1 << 60)
MAX_BLOB = 50 * 1024 * 1024  # as the adapters: larger files are refused anyway
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_RENDERED = ("helm-chart", "kustomize")


class GitError(UsageError):
    """git is missing or refused: one line, exit code 2."""


# -- changed lines ---------------------------------------------------------------------
@dataclass
class Changes:
    """Changed lines per file, keyed by absolute normalised path.

    ``lines``: sorted inclusive ranges of lines that are new or modified;
    ``deletions``: line numbers *after which* lines were removed (0: at the top).
    """

    lines: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    deletions: dict[str, list[int]] = field(default_factory=dict)

    def add(self, path: str, start: int, count: int) -> None:
        if count == 0:
            self.deletions.setdefault(path, []).append(start)
        else:
            self.lines.setdefault(path, []).append((start, start + count - 1))

    def finish(self) -> None:
        for ranges in self.lines.values():
            ranges.sort()
        for points in self.deletions.values():
            points.sort()

    @property
    def files(self) -> set[str]:
        return set(self.lines) | set(self.deletions)

    def on_line(self, path: str, start: int, end: int | None = None) -> bool:
        """True when a line in ``start`` .. ``end`` was added or modified."""
        end = start if end is None or end < start else end
        for low, high in self.lines.get(path, ()):
            if low > end:
                break
            if high >= start:
                return True
        return False

    def in_span(self, path: str, start: int, end: int) -> bool:
        """True when ``start`` .. ``end`` holds a changed line or a deletion point."""
        if self.on_line(path, start, end):
            return True
        points = self.deletions.get(path, ())
        # lines removed after line p sit between p and p + 1: inside when either is
        i = bisect.bisect_left(points, start - 1)
        return i < len(points) and points[i] <= end


def parse_diff(patch: bytes, root: str) -> Changes:
    """Changed line ranges of a ``git diff --unified=0`` patch (new side), keyed by
    ``root``/path. Deleted files contribute nothing."""
    changes = Changes()
    current: str | None = None
    for raw in patch.split(b"\n"):
        if raw.startswith(b"+++ "):
            name = raw[4:]
            if name == b"/dev/null":
                current = None
                continue
            path = unquote(name)
            current = os.path.normpath(os.path.join(root, path[2:] if path.startswith("b/") else path))
        elif raw.startswith(b"diff --git "):
            current = None
        elif current is not None and raw.startswith(b"@@ "):
            match = _HUNK.match(raw)
            if match:
                changes.add(current, int(match.group(1)), 1 if match.group(2) is None else int(match.group(2)))
    changes.finish()
    return changes


_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


def unquote(name: bytes) -> str:
    """A path as git prints it in patch headers: C-quoted when it holds odd bytes."""
    name = name.rstrip(b"\t")  # git ends a name holding a space with a tab; a real tab is quoted
    if not (name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2):
        return os.fsdecode(name)
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i:i + 1]
        if char == b"\\" and i + 1 < len(body):
            nxt = body[i + 1:i + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if re.fullmatch(rb"[0-7]{3}", body[i + 1:i + 4]):
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
        out += char
        i += 1
    return os.fsdecode(bytes(out))


# -- git --------------------------------------------------------------------------------
def _git(root: Path | str, *args: str, stdin: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True,
                              timeout=300, env=env)
    except FileNotFoundError:
        raise GitError("--diff-base needs git on PATH") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"--diff-base: git {args[0]} failed: {exc}") from None
    if check and proc.returncode != 0:
        message = (proc.stderr.decode(errors="replace").strip().splitlines() or ["failed"])[-1]
        raise GitError(f"--diff-base: git {args[0]}: {message}")
    return proc


def _commit(root: Path, rev: str) -> str | None:
    proc = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def _fetched(root: Path, ref: str) -> str | None:
    """The commit ``git fetch <remote> <branch>`` left in FETCH_HEAD for ``<remote>/<branch>``."""
    remote, _, branch = ref.partition("/")
    if not branch:
        return None
    url = _git(root, "remote", "get-url", remote, check=False)
    where = _git(root, "rev-parse", "--git-path", "FETCH_HEAD", check=False)
    if url.returncode != 0 or where.returncode != 0:
        return None
    url_text = url.stdout.decode(errors="replace").strip()
    try:
        lines = (Path(root) / where.stdout.decode().strip()).read_text(errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        sha, _, rest = line.partition("\t")
        if rest.endswith(f"branch '{branch}' of {url_text}") and re.fullmatch(r"[0-9a-f]{40,64}", sha):
            return _commit(root, sha)
    return None


# -- REF's platform ----------------------------------------------------------------------
class Base:
    """The platform as it was at REF, for rules that compare (``platform.base``).

    Locations in :attr:`platform` name files as they were at REF; :meth:`current` says
    which file that is now (renames followed), :meth:`shown` how to print the old one.
    ``label`` names REF for messages (``origin/main (merge base 1a2b3c4d5e6f)``).
    With ``loader``, REF's files are read on the first use of :attr:`platform` only: a
    scan whose checks never look (no cluster in scope for EKS504) never reads them.
    """

    def __init__(self, platform=None, label: str = "REF", tree: Path | None = None, repo_root: Path | None = None,
                 cwd: Path | None = None, renames: dict[str, str] | None = None, loader=None):
        self._platform, self._loader = platform, loader
        self.label = label
        self.tree = tree  # where REF's files are written; None: paths are as now
        self.repo_root, self.cwd = repo_root, cwd
        self.renames = dict(renames or {})  # old repo path -> new
        #: What the scan's model keeps (:mod:`eksguard.engine.retention`), REF's too: set by
        #: the scan before its rules run, so REF's unchanged files come from the parse cache.
        self.retention = None
        #: Of that, what REF's platform keeps (:class:`eksguard.engine.retention.BaseKeep`:
        #: what the scan's comparing checks read there); None keeps all.
        self.keep = None
        #: What each of today's files lifted to (display path -> objects), set by the scan:
        #: REF's files that are today's as they are, named as today, are taken from it, not
        #: read from the cache and unpickled again (20,000 files: ~3 s of a pull request's
        #: scan went to that, to keep REF's clusters).
        self.today: dict | None = None

    @property
    def platform(self):
        """REF's :class:`~eksguard.model.Platform`."""
        if self._platform is None and self._loader is not None:
            loader, self._loader = self._loader, None
            self._platform = loader()
        return self._platform

    def _rel(self, path: str) -> str | None:
        if self.tree is None:
            return None
        absolute = os.path.normpath(os.path.join(self.tree, path))
        rel = os.path.relpath(absolute, self.tree)
        return None if rel.startswith("..") else rel.replace(os.sep, "/")

    def current(self, path: str) -> str:
        """The display path, today, of the file REF had at ``path``."""
        rel = self._rel(path)
        if rel is None:
            return path
        return display_path(Path(self.repo_root, self.renames.get(rel, rel)), self.cwd)

    def shown(self, path: str) -> str:
        """``path`` (a file of REF) as a user would name it: its path in the repository
        as it was at REF, relative to the working directory."""
        rel = self._rel(path)
        return path if rel is None else display_path(Path(self.repo_root, rel), self.cwd)


def ref_files(root: Path, commit: str, pathspecs: list[str]) -> list[tuple[str, str]]:
    """``(blob, repository path)`` of the regular files of ``commit`` below ``pathspecs``,
    those that may be written below a folder (no ``..``, no ``.git``) and are not too big."""
    listing = _git(root, "--literal-pathspecs", "ls-tree", "-r", "-l", "-z", commit, "--", *pathspecs).stdout
    wanted: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 4 or parts[1] != b"blob" or parts[0] not in (b"100644", b"100755"):
            continue  # symlinks, submodules
        if not parts[3].isdigit() or int(parts[3]) > MAX_BLOB:
            continue
        rel = os.fsdecode(name)
        if any(s in ("", ".", "..") or s.lower() == ".git" or os.sep in s for s in rel.split("/")):
            continue  # never write outside dest, whatever a tree holds
        wanted.append((parts[2].decode(), rel))
    return wanted


def materialize(root: Path, wanted: list[tuple[str, str]], dest: Path) -> int:
    """Write the files ``wanted`` (from :func:`ref_files`) into ``dest``, from git objects
    (no checkout, no filters, no hooks). Returns how many were written."""
    written = 0
    for start in range(0, len(wanted), 256):
        batch = wanted[start:start + 256]
        out = _git(root, "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha, _ in batch).encode()).stdout
        offset = 0
        for sha, rel in batch:
            header_end = out.index(b"\n", offset)
            header = out[offset:header_end].split()
            if len(header) != 3 or header[1] != b"blob":
                offset = header_end + 1
                continue
            size = int(header[2])
            data = out[header_end + 1:header_end + 1 + size]
            offset = header_end + 1 + size + 1
            target = dest.joinpath(*rel.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:
                handle.write(data)
            written += 1
    return written


def lift_tree(plugins, tree: Path, repo_root: Path, cwd: Path, paths: list[str], label: str,
              renames: dict[str, str] | None = None, options: dict | None = None) -> Base:
    """REF's platform: ``tree`` mirrors ``repo_root`` as it was at REF; the scanned
    ``paths`` (as given on the command line, relative to ``cwd``) are looked up there.
    Files only: charts and kustomizations are not rendered (nothing runs)."""
    platform = _lift(plugins, tree, repo_root, cwd, paths, renames or {}, options)
    return Base(platform, label, tree, Path(os.path.realpath(repo_root)), Path(os.path.realpath(cwd)), renames)


def _unchanged_sources(plugins, paths: list[str], cwd: Path, root: Path, at_ref: set[str],
                       differ: set[str]) -> list:
    """The sources of today's files that REF holds as they are now, and
    whose adapter reads nothing that differs (``cache_inputs``; for an adapter that lifts
    a folder at a time, such as Terraform's, nothing of the folder differs either: a file
    added or deleted there changes what the others evaluate to). Each is displayed as its
    repository path, as REF's written files are, and read where it is: REF's platform
    is then lifted without writing it again, and from the parse cache when the scan runs
    from the repository root (its entries name files as today's scan does).

    Why: writing REF's files took longer than lifting them (5,000 files: ~5 s on a
    2-vCPU VM, a file created per millisecond), and a pull request changes a few."""
    from dataclasses import replace

    from eksguard.discover import real_path_of_file
    from eksguard.engine.cache import inputs_of

    real_root = os.path.realpath(root) + os.sep
    changed_folders = {os.path.dirname(rel) for rel in differ}
    loaders = plugins.loaders()
    real_folders: dict[str, str] = {}
    #: path -> its repository path (None: outside), once each: a Terraform folder's files
    #: are inputs of each of its files (124,000 lookups for 20,000 files of bench/)
    repository_paths: dict[str, str | None] = {}

    def repository_path(path) -> str | None:
        text = os.fspath(path)
        if text not in repository_paths:
            real = real_path_of_file(os.path.normpath(os.path.join(cwd, text)), real_folders)
            repository_paths[text] = real[len(real_root):].replace(os.sep, "/") if real.startswith(real_root) else None
        return repository_paths[text]

    out = []
    for source in discover([p for p in paths if p != "-"], cwd=cwd).sources:
        if source.is_dir or source.path is None:
            continue
        adapter = next((a for a in loaders if a.claims(source)), None)
        files = inputs_of(adapter, source) if adapter is not None else None
        if files is None:
            continue  # what it reads is not known: REF's file is written and lifted there
        rels = [repository_path(path) for path in [source.path, *files]]
        if any(rel is None or rel not in at_ref or rel in differ for rel in rels):
            continue
        if getattr(adapter, "lift_unit", None) == "folder" and os.path.dirname(rels[0]) in changed_folders:
            continue
        out.append(replace(source, display=rels[0]))
    return out


def _lift(plugins, tree: Path, repo_root: Path, cwd: Path, paths: list[str], renames: dict[str, str],
          options: dict | None, same: list | None = None, retention=None, keep=None, today: dict | None = None):
    """REF's platform: ``same`` (today's files REF holds unchanged, see
    :func:`_unchanged_sources`) taken from what they lifted to ``today`` where the scan
    named them as REF does (it ran from the repository root), else lifted where they are
    with the scan's ``retention`` (so from the parse cache); and the files written into
    ``tree``, lifted there; of all that, only what ``keep`` keeps (None: all)."""
    from eksguard.adapters import Sink

    repo_root, real_cwd = Path(os.path.realpath(repo_root)), Path(os.path.realpath(cwd))
    scanned: list[str] = []
    for raw in paths:
        if raw == "-":
            continue
        rel = os.path.relpath(os.path.normpath(os.path.join(real_cwd, raw)), repo_root)
        if rel.startswith(".."):
            continue
        scanned.append("" if rel == "." else rel.replace(os.sep, "/"))
    inputs = [str(tree / rel) if rel else str(tree) for rel in scanned if (tree / rel).exists()]

    def under(rel: str) -> bool:
        return any(s == "" or rel == s or rel.startswith(s + "/") for s in scanned)

    inputs += [str(tree / old) for old, new in sorted(renames.items())
               if under(new) and not under(old) and (tree / old).is_file()]
    options = dict(options or {})
    sink = Sink(options={k: v for k, v in options.items() if k not in ("jobs", "cache", "retain")})
    from eksguard.engine.parallel import lift_sources
    from eksguard.engine.suppress import TextLog

    if same:  # today's files, from today's folder: the cache's digest index of today's scan
        lift_sources(same, plugins.loaders(), sink, TextLog(cwd), jobs=options.get("jobs"),
                     cache=options.get("cache", True), retention=retention, keep=keep, known=today)
    if inputs:
        # a chart or kustomization is not rendered: rendering would run code of REF
        sources = [s for s in discover(inputs, cwd=tree).sources if not s.is_dir]
        # with --jobs like today's scan; not cached: the tree is a fresh temporary folder,
        # and cache entries are keyed by path, so they would never be read again
        lift_sources(sources, plugins.loaders(), sink, TextLog(tree), jobs=options.get("jobs"), cache=False,
                     retention=retention, keep=keep)
    return sink.platform


def base_of(platform, label: str) -> Base:
    """A :class:`Base` from a platform whose paths are already today's (tests, docs)."""
    return Base(platform, label)


# -- the comparison ------------------------------------------------------------------------
@dataclass
class DiffBase:
    """One ``--diff-base``: what changed (``changes``; None reports everything) and REF's
    platform (``base``; None when no rule needs it)."""

    ref: str
    base: Base | None = None
    changes: Changes | None = None
    cwd: Path | None = None
    commit: str = ""  # what was diffed against
    merge_base: bool = True  # False: REF itself (no merge base: shallow clone)
    notes: list[str] = field(default_factory=list)  # for stderr
    hidden: int = 0  # findings not reported: nothing of theirs changed
    helm_values: list[str] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)
    _touched: tuple | None = field(default=None, repr=False)

    def close(self) -> None:
        """Remove REF's files; a base never loaded stays empty."""
        if self.base is not None:
            self.base._loader = None
            self.base.today = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def select(self, findings: list[Finding], platform, sources: Iterable = (), always: Iterable[str] = (),
               count: bool = True) -> list[Finding]:
        """The findings the change is responsible for (see the module docstring), and
        those of the rules in ``always`` (they compare with REF: about the change by
        construction); ``count`` adds the others to :attr:`hidden`."""
        always = set(always)
        if self.changes is None:
            return findings
        keys = _Keys(self.cwd or Path.cwd())
        changes = self.changes
        if self._touched is None:
            touched = _touched(platform, changes, keys, list(sources), self.helm_values)
            regions: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for _, spans in touched:
                for path, span in spans.items():
                    regions[path].append(span)
            self._touched = ({ref for ref, _ in touched}, regions)
        refs, regions = self._touched

        def changed(location: Location) -> bool:
            key = keys(location.path)
            return key is not None and changes.on_line(key, location.line, location.end_line)

        def inside(location: Location) -> bool:
            key = keys(location.path)
            return any(low <= location.line <= high for low, high in regions.get(key, ()))

        kept = []
        for finding in findings:
            locations = [finding.location, *(r.location for r in finding.related)]
            if (
                finding.code in always
                or keys(finding.location.path) is None  # standard input: no history
                or any(changed(loc) for loc in locations)
                or (finding.object is not None and finding.object in refs)
                or any(inside(loc) for loc in locations)
            ):
                kept.append(finding)
        if count:
            self.hidden += len(findings) - len(kept)
        return kept


class _Keys:
    """Display path -> the absolute normalised path :class:`Changes` is keyed by."""

    def __init__(self, cwd: Path):
        self.cwd = os.path.realpath(cwd)
        self.cache: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        if path not in self.cache:
            self.cache[path] = None if path == "<stdin>" else os.path.normpath(os.path.join(self.cwd, path))
        return self.cache[path]


def object_spans(obj, keys) -> dict[str, tuple[int, int]]:
    """First and last line of ``obj`` in each file it was read from."""
    lines: dict[str, list[int]] = defaultdict(list)

    def note(location: Location) -> None:
        key = keys(location.path)
        if key is not None:
            lines[key].append(location.line)

    if hasattr(obj, "settings"):  # an AWS object
        note(obj.location)
        pending = [obj]
        while pending:
            item = pending.pop()
            for setting in getattr(item, "settings", {}).values():
                note(setting.location)
            for policy in getattr(item, "policies", ()):
                for setting in (policy.policy_arn, policy.scope_type, policy.namespaces):
                    if setting is not None:
                        note(setting.location)
            pending.extend(getattr(item, "pod_identity_associations", ()))
            if item is not obj and hasattr(item, "location"):
                note(item.location)
    else:
        origin = obj.origin
        seen: set[int] = set()
        stack = [obj.body]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            marks = node.all_marks() if isinstance(node, (YMap, YSeq)) else ()
            if isinstance(node, dict):
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                stack.extend(v for v in node if isinstance(v, (dict, list)))
            for mark in marks:
                note(origin.at(mark))
    return {path: (min(found), max(found)) for path, found in lines.items()}


def _touched(platform, changes: Changes, keys, sources, helm_values: list[str]):
    """``(ref, spans)`` of every object the change touched."""
    changed = changes.files
    spans = []
    for obj in platform.objects:
        origin = getattr(obj, "origin", None)
        if (origin is not None and origin.lines is None and origin.format not in _RENDERED
                and not hasattr(obj, "settings") and keys(origin.path) not in changed):
            # a document read from one file: every mark lies in it, and it did not change
            # (walking every object's marks was most of a pull request's scan of bench/)
            continue
        spans.append((obj, object_spans(obj, keys)))
    covered = {path for _, span in spans for path in span}
    units = [os.path.normpath(os.path.join(keys.cwd, s.display)) for s in sources
             if getattr(s, "is_dir", False) and s.path is not None]
    dirty_units = [u for u in units
                   if any(f.startswith(u + os.sep) and f not in covered for f in changed)]
    values_changed = any(os.path.normpath(os.path.realpath(v)) in changed for v in helm_values)
    out = []
    for obj, span in spans:
        hit = any(changes.in_span(path, low, high) for path, (low, high) in span.items())
        if not hit and getattr(getattr(obj, "origin", None), "format", None) in _RENDERED:
            hit = (values_changed and obj.origin.format == "helm-chart") or any(
                path.startswith(u + os.sep) for u in dirty_units for path in span)
        if hit:
            out.append((obj.ref, span))
    return out


# -- opening a --diff-base ------------------------------------------------------------------
def open_diff(ref: str, paths: list[str], plugins, *, cwd: Path, options: dict | None = None,
              with_base: bool = True) -> DiffBase:
    """Resolve REF, diff the working tree against it and (``with_base``) lift REF's
    platform. Raises :class:`GitError` (exit 2) when REF or git is not usable."""
    if not ref.strip() or ref.startswith("-"):
        raise GitError(f"--diff-base {ref!r}: not a git revision")
    top = _git(cwd, "rev-parse", "--show-toplevel", check=False)
    if top.returncode != 0 or not top.stdout.strip():
        raise GitError(f"--diff-base {ref}: {cwd} is not inside a git work tree")
    root = Path(os.fsdecode(top.stdout.strip()))
    notes: list[str] = []
    target = _commit(root, ref)
    if target is None:
        target = _fetched(root, ref)
        if target is None:
            raise GitError(f"--diff-base {ref}: no such commit in this repository "
                           f"(in a shallow CI checkout, fetch it first: git fetch --depth=1 origin main)")
        notes.append(f"{ref} is not a ref here; using the commit `git fetch` left in FETCH_HEAD for it "
                     f"({target[:12]})")
    merge = _git(root, "merge-base", target, "HEAD", check=False)
    if merge.returncode == 0 and merge.stdout.strip():
        commit, merge_base = merge.stdout.decode().split()[0], True
        label = ref if commit == target else f"{ref} (merge base {commit[:12]})"
    else:
        shallow = _git(root, "rev-parse", "--is-shallow-repository", check=False).stdout.strip() == b"true"
        commit, merge_base, label = target, False, ref
        notes.append(f"no merge base of {ref} and HEAD{' (shallow clone)' if shallow else ''}; comparing with "
                     f"{ref} itself, so changes made on {ref} since this branch forked count as changed lines too "
                     f"(fetch more history to avoid this: git fetch --deepen=100 origin)")
    patch = _git(root, "-c", "core.quotepath=off", "diff", "--no-color", "--no-ext-diff", "--no-textconv",
                 "--unified=0", "-M", "--src-prefix=a/", "--dst-prefix=b/", commit, "--").stdout
    changes = parse_diff(patch, str(root))
    renames: dict[str, str] = {}
    differ: set[str] = set()  # repository paths whose file at REF is not the one in the work tree
    status = _git(root, "-c", "core.quotepath=off", "diff", "--name-status", "-z", "-M", "--no-ext-diff",
                  commit, "--").stdout.split(b"\0")
    i = 0
    while i < len(status):
        code = status[i]
        if code.startswith((b"R", b"C")) and i + 2 < len(status):
            if code.startswith(b"R"):
                renames[os.fsdecode(status[i + 1])] = os.fsdecode(status[i + 2])
            differ.update((os.fsdecode(status[i + 1]), os.fsdecode(status[i + 2])))
            i += 3
        else:
            if i + 1 < len(status):
                differ.add(os.fsdecode(status[i + 1]))
            i += 2
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard").stdout
    for name in untracked.split(b"\0"):
        if name:
            changes.lines[os.path.normpath(os.path.join(root, os.fsdecode(name)))] = [WHOLE]
            differ.add(os.fsdecode(name))
    diff = DiffBase(ref, changes=changes, cwd=cwd, commit=commit, merge_base=merge_base, notes=notes,
                    helm_values=list((options or {}).get("helm_values", ())))
    if with_base:
        tmp = tempfile.TemporaryDirectory(prefix="eksguard-base-")
        diff._tmp = tmp
        tree = Path(tmp.name)

        def load():
            specs = _pathspecs(paths, cwd, root, renames)
            listing = ref_files(root, commit, specs) if specs is not None else []
            same = _unchanged_sources(plugins, paths, cwd, root, {rel for _, rel in listing}, differ)
            read_in_place = {source.display for source in same}
            materialize(root, [(blob, rel) for blob, rel in listing if rel not in read_in_place], tree)
            return _lift(plugins, tree, root, cwd, paths, renames, options, same=same, retention=diff.base.retention,
                         keep=diff.base.keep, today=diff.base.today)

        diff.base = Base(None, label, tree, Path(os.path.realpath(root)), Path(os.path.realpath(cwd)), renames,
                         loader=load)
    return diff


def _pathspecs(paths: list[str], cwd: Path, root: Path, renames: dict[str, str]) -> list[str] | None:
    """What to read from REF: the scanned folders (a file's whole folder: Terraform reads
    its neighbours), and the old names of files renamed into them. None: nothing."""
    real_cwd, real_root = os.path.realpath(cwd), os.path.realpath(root)
    specs: set[str] = set()
    for raw in paths:
        if raw == "-":
            continue
        absolute = os.path.normpath(os.path.join(real_cwd, raw))
        if os.path.isfile(absolute) or not os.path.exists(absolute):
            absolute = os.path.dirname(absolute)
        rel = os.path.relpath(absolute, real_root)
        if rel.startswith(".."):
            continue
        if rel == ".":
            return []  # the whole tree
        specs.add(rel.replace(os.sep, "/"))
    for old, new in renames.items():
        if any(new == s or new.startswith(s + "/") for s in specs):
            specs.add(old)
    return sorted(specs) if specs else None
