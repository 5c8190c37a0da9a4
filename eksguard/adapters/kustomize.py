"""Kustomize: a folder with a kustomization is rendered, then lifted like any manifest.

Renderer: ``kubectl kustomize DIR`` when ``kubectl`` is on PATH, else ``kustomize build
DIR``; with neither, one EKS002 with the command to run. Rendering is offline and
bounded (:mod:`eksguard.adapters.render`): a kustomization (or any local base of it)
that names a remote base (a URL, ``github.com/...``, ``git@...``) is EKS002 without
running anything, and the renderer runs with the network cut off anyway; no plugins,
no ``--enable-helm``, no exec functions.

Which folders are rendered (decided in :mod:`eksguard.discover`): a folder holding
``kustomization.yaml``, ``kustomization.yml`` or ``Kustomization`` is one input, and the
files below it are not also scanned on their own. A kustomization that another one in
the scan uses as a base or component is not rendered by itself: it is rendered as part
of each overlay that uses it, which is what gets deployed (a base with ``replicas: 1``
patched to 3 in prod is judged as 3 in prod). Scanning the base folder alone renders it
alone. A Component that nothing in the scan uses is EKS002 (it cannot be built alone).

Positions: each rendered object is matched by kind and name (``namePrefix``/``nameSuffix``
allowed, namespace as a tie-break) against the YAML files of the kustomization and of
its local bases; findings then point into that resource file, key by key (a value an
overlay patch set points into the patch). Objects no file declares (generators) and keys
no file holds point at the nearest key that is there, else at ``kustomization.yaml``
line 1.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from eksguard.adapters import Sink, Source
from eksguard.adapters.folders import KUSTOMIZATION_FILES
from eksguard.findings import Location
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILES = 2000  # YAML files indexed for mapping positions back, per kustomization
MAX_KUSTOMIZATIONS = 200  # bases followed, per kustomization
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?/)", re.IGNORECASE)
_KLOG_INFO = re.compile(r"^[WI]\d{4} \d")
_KLOG_ERROR = re.compile(r'^E\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err=[<"]?\s*')
_SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", "vendor", ".hg", ".svn"})


def kustomization_file(folder: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def _join(display: str, rel: str) -> str:
    if display in ("", "."):
        return posixpath.normpath(rel)
    return posixpath.normpath(f"{display}/{rel}")


@dataclass
class Kustomization:
    """What a kustomization file says about other files: its bases, resources and patches."""

    folder: Path
    file: Path
    body: dict
    kind: str = "Kustomization"
    bases: list[Path] = field(default_factory=list)  # local folders with a kustomization
    resources: list[Path] = field(default_factory=list)  # local resource files
    patches: list[Path] = field(default_factory=list)  # local patch files
    remote: list[tuple[str, int]] = field(default_factory=list)  # (entry, line)
    entries: list[tuple[str, int]] = field(default_factory=list)  # every resources/bases entry, with its line


def load_kustomization(folder: Path) -> Kustomization:
    """Read the kustomization of ``folder``; raises Unreadable/YamlProblem for a bad file."""
    from eksguard.adapters.source import read_text
    from eksguard.yaml_loader import YSeq, load_documents

    file = kustomization_file(folder)
    if file is None:
        raise FileNotFoundError(folder)
    docs = load_documents(read_text(Source(file.name, file)))
    body = docs[0].value if docs and isinstance(docs[0].value, dict) else {}
    k = Kustomization(folder, file, body, kind=str(body.get("kind") or "Kustomization"))
    for key in ("resources", "bases", "components"):
        entries = body.get(key)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, str):
                continue
            mark = entries.item_mark(index) if isinstance(entries, YSeq) else None
            line = mark[0] if mark else 1
            k.entries.append((entry, line))
            target = folder / entry
            if target.exists():
                if target.is_dir():
                    if kustomization_file(target) is not None:
                        k.bases.append(target)
                else:
                    k.resources.append(target)
            elif _REMOTE.match(entry):
                k.remote.append((entry, line))
    for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        entries = body.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            name = entry if isinstance(entry, str) else entry.get("path") if isinstance(entry, dict) else None
            if isinstance(name, str) and "\n" not in name and (folder / name).is_file():
                k.patches.append(folder / name)
    return k


def closure(folder: Path) -> list[Kustomization]:
    """The kustomization of ``folder`` and of every local base it reaches, root first
    (bad or missing kustomizations below the root are skipped: the renderer reports them)."""
    out: list[Kustomization] = []
    seen: set[str] = set()
    todo = [folder]
    while todo and len(out) < MAX_KUSTOMIZATIONS:
        current = todo.pop(0)
        key = os.path.realpath(current)
        if key in seen:
            continue
        seen.add(key)
        try:
            k = load_kustomization(current)
        except Exception:  # noqa: BLE001 - see docstring
            if not out:
                raise
            continue
        out.append(k)
        todo.extend(k.bases)
    return out


def kustomize_roots(root: Path, dirs: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Which kustomization folders (relative to ``root``) to render, and for the others
    (bases and components used by one of them) the rendered folders that reach them."""
    index = {os.path.realpath(root / d if d else root): d for d in dirs}
    edges: dict[str, list[str]] = {}
    for d in dirs:
        try:
            k = load_kustomization(root / d if d else root)
        except Exception:  # noqa: BLE001 - rendered on its own; the adapter reports the problem
            edges[d] = []
            continue
        edges[d] = [index[r] for r in (os.path.realpath(b) for b in k.bases) if r in index and index[r] != d]
    used = {t for targets in edges.values() for t in targets}
    roots = [d for d in dirs if d not in used]
    by: dict[str, list[str]] = {}

    def reach(start: str) -> None:
        todo, seen = [start], {start}
        while todo:
            for target in edges.get(todo.pop(), []):
                if target not in seen and target not in roots:
                    seen.add(target)
                    by.setdefault(target, []).append(start)
                    todo.append(target)

    for d in list(roots):
        reach(d)
    for d in dirs:  # a cycle of kustomizations using each other: render the first of it
        if d not in roots and d not in by:
            roots.append(d)
            reach(d)
    return sorted(roots), by


# -- the adapter ----------------------------------------------------------------------

class KustomizeAdapter:
    """Renders and lifts a kustomization folder (registered through
    :class:`eksguard.adapters.folders.KustomizationAdapter`)."""

    name = "kustomize"

    def claims(self, source: Source) -> bool:
        return source.is_dir and source.path is not None and kustomization_file(source.path) is not None

    def lift(self, source: Source, sink: Sink) -> None:
        from eksguard.adapters.source import Unreadable
        from eksguard.yaml_loader import YamlProblem

        assert source.path is not None
        file = kustomization_file(source.path)
        assert file is not None
        kfile = _join(source.display, file.name)
        try:
            kustomizations = closure(source.path)
        except Unreadable as exc:
            sink.problem("EKS001", Location(kfile, exc.line, exc.column), exc.message)
            return
        except YamlProblem as problem:
            sink.problem("EKS001", Location(kfile, problem.line, problem.column), problem.message)
            return
        root = kustomizations[0]
        shown = source.display
        command = f"kubectl kustomize {shown} | eksguard scan -"
        for k in kustomizations:
            for entry, line in k.remote:
                where = _join(source.display, os.path.relpath(k.file, source.path))
                sink.problem("EKS002", Location(where, line, 1),
                             f"kustomization {shown} uses the remote base {entry}: eksguard does not "
                             f"fetch over the network; run `{command}` where it may")
        if any(k.remote for k in kustomizations):
            return
        if root.kind == "Component":
            sink.problem("EKS002", Location(kfile, 1, 1),
                         f"kustomize Component {shown} is not used by any kustomization scanned: "
                         f"its objects were not checked (a Component cannot be built alone)")
            return
        files = _Files(source)
        if files.index(kustomizations, sink):
            return  # a resource file does not parse: reported as EKS001, kustomize would stop there
        argv = _renderer(source.path, sink.options)
        if argv is None:
            sink.problem("EKS002", Location(kfile, 1, 1),
                         f"kustomization {shown} was not rendered (no `kubectl` or `kustomize` on PATH): "
                         f"run `{command}`")
            return
        from eksguard.adapters.render import RenderFailed, run_bounded, timeout_of

        try:
            done = run_bounded(argv, timeout=timeout_of(sink.options), cwd=source.path)
        except RenderFailed as exc:
            sink.transient = True  # timed out, or could not run: the next scan tries again
            sink.problem("EKS002", Location(kfile, 1, 1), f"kustomization {shown} was not rendered: {exc}")
            return
        sink.transient = done.returncode < 0  # killed by a signal: not the kustomization's doing
        if done.returncode != 0:
            message = _error_text(done.stderr, {str(source.path.resolve()): shown, str(source.path.absolute()): shown})
            message = message or f"{Path(argv[0]).name} exited with status {done.returncode}"
            line = _entry_line(root.entries, message)
            sink.problem("EKS002", Location(kfile, line, 1), f"kustomization {shown} failed to render: {message}")
            return
        from eksguard.adapters.kubernetes import KubernetesAdapter

        text = done.stdout.decode("utf-8", errors="replace")
        KubernetesAdapter().lift_text(source, text, sink, "kustomize", placement=_Placement(kfile, files))


# -- the parse cache ------------------------------------------------------------------
#
# A render runs kubectl (or kustomize) in a child process: 0.1 s or more. kustomize
# reads only below the root of each kustomization it builds (its default load
# restrictor, which eksguard does not lift), and the roots are the kustomization and
# the local bases and components it reaches; so the files below those folders, and the
# renderer binary, are all a render depends on, and the parse cache keeps it under them.

#: A kustomization reaching more files than this is rendered every scan rather than hashed.
MAX_INPUT_FILES = 5000


def kustomization_inputs(folder: Path) -> list[Path] | None:
    """Every file below the kustomization of ``folder`` and below each folder its
    ``resources``/``bases``/``components`` name (a folder without a kustomization too:
    one added there changes the render). None, so it is rendered every scan, when the
    kustomization does not read, or :func:`~eksguard.adapters.folders.files_below`
    says so."""
    from eksguard.adapters.folders import files_below

    try:
        reached = closure(folder)
    except Exception:  # noqa: BLE001 - unreadable or broken: lift reports it, uncached
        return None
    roots: list[Path] = []
    for k in reached:
        roots.append(k.folder)
        roots.extend(k.folder / entry for entry, _line in k.entries if (k.folder / entry).is_dir())
    return files_below(roots, MAX_INPUT_FILES)


def render_salt(folder: Path, options: dict) -> str | None:
    """The renderer a render depends on: ``kubectl`` or ``kustomize`` by path, size and
    modification time (``none`` without one)."""
    from eksguard.cachedir import file_stamp

    argv = _renderer(folder, options)
    if argv is None:
        return "none"
    try:
        return f"{argv[1]}:{file_stamp(os.path.realpath(argv[0]))}"
    except OSError:
        return None


def _renderer(folder: Path, options: dict) -> list[str] | None:
    choice = options.get("kustomize_renderer", "auto")
    if choice in ("auto", "kubectl") and (kubectl := shutil.which("kubectl")):
        return [kubectl, "kustomize", str(folder.resolve())]
    if choice in ("auto", "kustomize") and (kustomize := shutil.which("kustomize")):
        return [kustomize, "build", str(folder.resolve())]
    return None


def _error_text(stderr: str, shown_as: dict[str, str] | None = None) -> str:
    """kubectl's or kustomize's error, without log prefixes and warnings, on one line,
    with the absolute paths in ``shown_as`` replaced by the names the user scanned
    (before it is cut to length, so a path is never left half-replaced)."""
    lines = [ln.strip() for ln in stderr.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(("# Warning:", "Warning:")) and not _KLOG_INFO.match(ln)]
    text = " ".join(lines)
    text = _KLOG_ERROR.sub("", text)
    text = re.sub(r"^Error: ", "", text).strip().rstrip('>"').strip()
    for absolute in sorted(shown_as or {}, key=len, reverse=True):
        text = text.replace(absolute, shown_as[absolute])
    return text if len(text) <= 400 else text[:400] + "..."


def _entry_line(entries: list[tuple[str, int]], message: str) -> int:
    """The line of the resources/bases entry the error names, else 1."""
    for entry, line in entries:
        if re.search(r"(?<![\w./-])" + re.escape(entry) + r"(?![\w./-])", message):
            return line
    return 1


# -- mapping rendered objects back to the files that declared them -------------------

@dataclass
class _Declared:
    display: str
    body: dict
    kind: str
    name: str
    namespace: str | None
    rank: int  # 0 a listed resource, 1 another file, 2 a patch
    depth: int  # 0 the rendered kustomization, 1 its bases, ...


class _Files:
    """Every Kubernetes-shaped document in the kustomization's folders, by kind."""

    def __init__(self, source: Source):
        self.source = source
        self.by_kind: dict[str, list[_Declared]] = {}

    def display(self, path: Path) -> str:
        assert self.source.path is not None
        return _join(self.source.display, os.path.relpath(path, self.source.path))

    def index(self, kustomizations: list[Kustomization], sink: Sink) -> bool:
        """Read the files; report listed resources that do not parse. True when any did not."""
        from eksguard.adapters.source import Unreadable, read_text
        from eksguard.yaml_loader import YamlProblem, load_documents

        listed = {os.path.realpath(p) for k in kustomizations for p in k.resources}
        patches = {os.path.realpath(p) for k in kustomizations for p in k.patches}
        depth_of = {os.path.realpath(k.folder): n for n, k in enumerate(kustomizations)}
        broken = False
        seen: set[str] = set()
        count = 0
        for k in kustomizations:
            depth = depth_of[os.path.realpath(k.folder)]
            for path in _manifests(k.folder, k.resources + k.patches):
                real = os.path.realpath(path)
                if real in seen or count >= MAX_FILES:
                    continue
                seen.add(real)
                count += 1
                display = self.display(path)
                try:
                    documents = load_documents(read_text(Source(display, path)))
                except Unreadable as exc:
                    documents = []
                    if real in listed:
                        broken = True
                        sink.problem("EKS001", Location(display, exc.line, exc.column), exc.message)
                except YamlProblem as problem:
                    documents = problem.documents
                    if real in listed:
                        broken = True
                        sink.problem("EKS001", Location(display, problem.line, problem.column), problem.message)
                rank = 0 if real in listed else 2 if real in patches else 1
                for doc in documents:
                    self._add(display, doc.value, rank, depth)
        return broken

    def _add(self, display: str, body: object, rank: int, depth: int) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
            return
        if body["kind"].endswith("List") and isinstance(body.get("items"), list):
            for item in body["items"]:
                self._add(display, item, rank, depth)
            return
        meta = body.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        if not isinstance(name, str):
            return
        namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else None
        self.by_kind.setdefault(body["kind"], []).append(_Declared(display, body, body["kind"], name, namespace, rank, depth))

    def declared(self, kind: str, name: str, namespace: str | None) -> list[_Declared]:
        """The declaration of an object and the patches to it, declaration first."""
        candidates = [d for d in self.by_kind.get(kind, []) if d.name == name or d.name in name]
        if not candidates:
            return []
        best = min(candidates, key=lambda d: (d.name != name, d.rank == 2, d.rank, d.namespace != namespace,
                                              -len(d.name), -d.depth, d.display))
        patches = sorted((d for d in candidates if d is not best and d.name == best.name and d.rank != 0),
                         key=lambda d: d.depth)
        return [best, *patches]


def _manifests(folder: Path, listed: list[Path]) -> list[Path]:
    """Listed files first, then every manifest-looking file below ``folder``, except in
    folders of other kustomizations (other overlays' patches are not about this one)."""
    out = list(listed)
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in _SKIP_DIRS and not os.path.islink(os.path.join(dirpath, d))
            and kustomization_file(Path(dirpath) / d) is None
        )
        for name in sorted(filenames):
            if name.endswith(MANIFEST_SUFFIXES) and name not in KUSTOMIZATION_FILES:
                out.append(Path(dirpath) / name)
        if len(out) > MAX_FILES:
            break
    return out


class _Placement:
    def __init__(self, kfile: str, files: _Files):
        self.kfile = kfile
        self.files = files

    def location(self, line: int, column: int) -> Location:
        return Location(self.kfile, 1, 1)

    def origin(self, doc, fmt):
        from eksguard.model import Origin
        from eksguard.model.base import LineMap, Target

        body = doc.value
        meta = body.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        namespace = meta.get("namespace") if isinstance(meta, dict) else None
        declared = self.files.declared(body["kind"], name, namespace if isinstance(namespace, str) else None) \
            if isinstance(name, str) else []
        if not declared:
            return Origin(self.kfile, fmt, doc.index, lines=LineMap({}, Target(self.kfile, 1, 1)))
        lines: dict[int, Target] = {}
        first = declared[0]
        top = Target(first.display, *getattr(first.body, "mark", (1, 1)))
        _walk(body, [(d.display, d.body) for d in declared], top, lines)
        return Origin(first.display, fmt, doc.index, lines=LineMap(lines, top))


def _walk(rendered: object, sources: list[tuple[str, object]], here, lines: dict) -> None:
    """Map every key and item line of ``rendered`` to the same path in ``sources``
    (declaration first, then patches, the overlay's first): a key to the declaration,
    unless its value there differs from the rendered one and a patch has that value
    (the patch that set it)."""
    from eksguard.model.base import Target
    from eksguard.yaml_loader import YMap, YSeq

    if isinstance(rendered, YMap):
        for key, value, mark, _ in rendered.marked_items():
            found = [(d, n[key], n.key_mark(key) or (1, 1)) for d, n in sources if isinstance(n, YMap) and key in n]
            target = here
            if found:
                pick = found[0]
                if not isinstance(value, (dict, list)) and pick[1] != value:
                    pick = next((f for f in found if f[1] == value), pick)
                target = Target(pick[0], pick[2][0], pick[2][1], pick[2][1] - mark[1] if mark else None)
            if mark:
                lines[mark[0]] = target  # over the list item that starts on this line: keys are more precise
            _walk(value, [(d, n) for d, n, _ in found], Target(target.path, target.line, target.column), lines)
    elif isinstance(rendered, YSeq):
        for index, item in enumerate(rendered):
            mark = rendered.item_mark(index)
            found = []
            for d, n in sources:
                if not isinstance(n, YSeq):
                    continue
                j = _same_item(item, n, index)
                if j is not None:
                    found.append((d, n[j], n.item_mark(j) or (1, 1)))
            target = here
            if found:
                target = Target(found[0][0], found[0][2][0], found[0][2][1])
            if mark:
                lines.setdefault(mark[0], target)
            _walk(item, [(d, n) for d, n, _ in found], target, lines)


def _same_item(item: object, seq: list, index: int) -> int | None:
    """The item of ``seq`` that ``item`` came from: same ``name`` for named items, else the same index."""
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        for j, other in enumerate(seq):
            if isinstance(other, dict) and other.get("name") == item["name"]:
                return j
        return None
    return index if index < len(seq) else None
