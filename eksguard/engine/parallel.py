"""The parse stage: each source lifted by its adapter, from the cache, in one process, or
on every core.

Why a pool: lifting is most of a scan and sources are independent (a Terraform folder
is the one unit bigger than a file, see :func:`_units`). ``--jobs N`` is N processes
lifting: this one and N - 1 workers (:func:`_pool`), so what this process lifts never
crosses a pipe. Why not always: a worker costs a fork and a pickle round trip per
object, which a small scan (a pre-commit run on a few files) never earns back; see
:func:`_worth_a_pool`.

Output is the same whatever the number of processes: each source is lifted into a
:class:`Lifted` of its own (objects, problems and the texts the suppression log saw),
in a worker or here, and the parent adds them to the scan's sink in discovery order.
The parse cache (:mod:`eksguard.engine.cache`) stores exactly these.

Start method: ``fork`` on Linux when this process has a single thread: a forked worker
inherits the imported adapters, where a ``forkserver`` or ``spawn`` one imports eksguard
again (measured, 50 files with two workers, best of three on a busy 2-core VM: fork
0.22 s, forkserver 0.63 s, spawn 0.89 s; 800 files: 1.5 s, 2.0 s, 2.6 s). ``fork`` is
unsafe only in a process with other threads (a lock one of them holds stays locked in
the child), such as one that loaded Helm's Go engine; the thread count comes from
``/proc/self/task``, so native threads count too. Then, and on other systems,
``forkserver`` (``spawn`` where there is none): adapters and options travel by pickle,
and when they cannot (a plugin adapter defined in a module a worker cannot import),
the pool breaks and the sources it did not finish are lifted here, one by one.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from eksguard.adapters import Sink, Source
from eksguard.engine.suppress import TextLog

#: Measured with bench/generate.py repositories on a 2-core Linux VM: lifting runs at
#: ~1 MiB of input per CPU-second (YAML and Terraform alike, model building included);
#: a fork pool adds ~60 ms of wall time (start, feed, unpickle, join: 50 files took
#: 0.05 s in one process, 0.11 s in two) and its total CPU is within ~5% of one
#: process's. So two idle cores win from ~150 KiB (0.15 s of lifting); below 256 KiB
#: the gain is a few tens of milliseconds at best, and a loss on a busy machine, so a
#: scan stays in one process unless ``--jobs`` asks otherwise.
POOL_MIN_BYTES = 256 * 1024
#: A chart or kustomization runs a renderer (a subprocess, ~100 ms or more): count it
#: as this many bytes of work when deciding and when balancing chunks.
RENDER_BYTES = 128 * 1024
#: Chunks per process at least, and at most this much weight each: the same number of
#: bytes can take twice as long in one chunk as in another (a Terraform folder against
#: plain manifests), so chunks stay small enough for the last ones to balance the
#: processes, and big enough (~0.1 s of lifting) to amortise a task's round trip
#: (~1 ms).
CHUNKS_PER_WORKER = 4
CHUNK_BYTES = 128 * 1024


@dataclass
class Lifted:
    """What lifting one source produced; picklable (model objects, problems, texts)."""

    objects: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # TextLog.seen: absolute paths read
    texts: dict[str, str] = field(default_factory=dict)  # TextLog.texts: those with ``eksguard:``
    #: The adapter said the result reflects a passing condition, not its inputs (a render
    #: that timed out: ``Sink.transient``): it is not kept in the parse cache.
    transient: bool = False


def usable_cores() -> int:
    """The cores this process may run on (affinity and cgroup-aware where Python knows)."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def lift_one(adapter, source: Source, options: dict, cwd: Path) -> Lifted:
    """Lift one source into a sink and text log of its own."""
    sink = Sink(options=options)
    log = TextLog(cwd)
    with log.watching():
        adapter.lift(source, sink)
    return Lifted(sink.platform.objects, sink.problems, list(log.seen), log.texts, sink.transient)


class _Overlay:
    """While ``scan --fix`` verifies fixes, adapters read the fixed texts of a few files
    instead of the disk (``adapters.source.OVERLAY``: real path -> text), which neither
    a worker nor the cache sees. Only the sources that read one of those files are
    lifted here, uncached; the others (all of them, in the round that scans before
    anything is fixed) are lifted as in any scan, from the cache and on every core."""

    def __init__(self, texts: dict[str, str]):
        self.paths = set(texts)
        self.names = {os.path.basename(path) for path in self.paths}
        self._read: dict[str, bool] = {}  # input path -> one of the overlaid files

    def touches(self, adapter, source: Source) -> bool:
        """Whether lifting ``source`` reads an overlaid file (as far as is known: a
        source whose inputs the adapter does not name, a chart, counts as reading one)."""
        if not self.paths:
            return False  # the scan before anything is fixed
        from eksguard.engine.cache import inputs_of

        files = inputs_of(adapter, source)
        return files is None or any(self._overlaid(os.fspath(path)) for path in files)

    def _overlaid(self, path: str) -> bool:
        read = self._read.get(path)
        if read is None:  # realpath only for a name that is overlaid (a link may lead to it)
            read = self._read[path] = (os.path.basename(path) in self.names
                                       and os.path.realpath(path) in self.paths)
        return read


def _overlay() -> _Overlay | None:
    from eksguard.adapters import source

    texts = source.OVERLAY.get()
    return None if texts is None else _Overlay(texts)


@contextmanager
def collector_paused():
    """No cyclic garbage collection while a scan lifts and judges. Lifting only
    allocates (parsed trees, model objects, unpickled entries) and the rules read what
    it built; both free by reference counting. With the collector on, each full
    collection walks every object lifted so far: a 5,000-file scan was ~35% slower with
    it on during lifting, and another ~15% went to collections during the rules
    (bench/run.py, cProfile). On the way out the survivors (the model, alive to the end
    of the scan) go straight to the oldest generation (``gc.freeze`` then
    ``gc.unfreeze``: a list splice, no traversal), so re-enabling does not start with a
    collection over all of them. Nests: only the outermost pause re-enables. Workers
    inherit the pause."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def lift_sources(sources: list[Source], adapters: list, sink: Sink, texts: TextLog, *,
                 jobs: int | None = None, cache: bool = True, progress=None, retention=None,
                 keep=None, record: dict | None = None, known: dict | None = None) -> list[Source]:
    """Lift every source an adapter claims into ``sink`` (and what they read into
    ``texts``), in discovery order; return those sources. ``jobs``: processes to use
    (None: every usable core, or just this one for a small scan); ``cache``: use the
    parse cache; ``retention`` (:class:`eksguard.engine.retention.Retention`): keep only
    the objects it keeps, dropped as each source is lifted, before it is pickled or
    cached (None: keep all; cache entries are keyed by the retention too); ``keep``
    (:class:`eksguard.engine.retention.BaseKeep`): of that, keep only what it keeps, cut as
    each source comes in, after the cache has the whole entry (REF's platform for
    ``--diff-base``, which shares today's cache entries). ``record`` (display path ->
    objects) is filled with what each source lifted to; a source whose display path is
    in ``known`` (such a record) is not lifted, read or looked up again: it lifted to
    those objects (REF's files that are today's, as they are, in today's scan)."""
    with collector_paused():
        return _lift_sources(sources, adapters, sink, texts, jobs, cache, progress, retention, keep, record, known)


class _Kept(dict):
    """Position -> :class:`Lifted`, each cut to what ``keep`` keeps as it is stored, so
    no more than one source's objects beyond those are held at a time."""

    def __init__(self, keep) -> None:
        super().__init__()
        self.keep = keep

    def __setitem__(self, position: int, lifted: Lifted) -> None:
        if self.keep is not None:
            lifted.objects = [obj for obj in lifted.objects if self.keep.keeps(obj)]
        super().__setitem__(position, lifted)


def _lift_sources(sources, adapters, sink, texts, jobs, cache, progress, retention, keep, record=None,
                  known=None) -> list[Source]:
    total = len(sources)
    claimed: list[tuple[int, Source, int]] = []  # (position, source, adapter index)
    for position, source in enumerate(sources):
        index = next((i for i, a in enumerate(adapters) if a.claims(source)), None)
        if index is not None:
            claimed.append((position, source, index))
    overlay = _overlay()
    store = None
    if cache:
        from eksguard.engine.cache import ParseCache

        store = ParseCache.open(sink.options, retention, project=texts.cwd)
    results: dict[int, Lifted] = _Kept(keep)
    todo: list[tuple[int, Source, int, str | None]] = []
    here: list[tuple[int, Source, int, str | None]] = []  # reads a text of --fix's overlay
    done = 0
    for position, source, index in claimed:
        if overlay is not None and overlay.touches(adapters[index], source):
            here.append((position, source, index, None))
            continue
        if known is not None and source.display in known:
            results[position] = Lifted(objects=list(known[source.display]))
            done += 1
            continue
        key = store.key(adapters[index], source) if store is not None else None
        hit = store.load(key) if key is not None else None
        if isinstance(hit, Lifted):  # stored as the retention keeps it (the key says which)
            results[position] = hit
            done += 1
            if progress is not None:
                progress(done, total, source.display)
        else:
            todo.append((position, source, index, key))
    if store is not None:
        store.close()  # the keys are made: their digests are kept for the next scan
    # --jobs N asks for N processes; by default a small scan stays in this one.
    wanted = jobs is not None
    jobs = usable_cores() if jobs is None else max(1, jobs)
    if jobs > 1 and len(todo) > 1 and (wanted or _worth_a_pool(todo)):
        done = _pool(todo, adapters, sink.options, texts.cwd, jobs, store, results, done, total, progress,
                     retention)
    for position, source, index, key in todo + here:  # serial, what the pool did not finish, the overlaid
        if position in results:
            continue
        if progress is not None:
            progress(done, total, source.display)
        results[position] = _lift_here(adapters[index], source, sink.options, texts.cwd, store, key, retention)
        done += 1
    for position, source, _index in claimed:
        lifted = results.pop(position)
        merge(lifted, sink, texts)
        if record is not None:
            record[source.display] = lifted.objects
    if store is not None and any(key is not None for *_, key in todo):
        store.prune()
    return [source for _, source, _ in claimed]


def merge(lifted: Lifted, sink: Sink, texts: TextLog) -> None:
    for obj in lifted.objects:
        sink.add(obj)
    sink.problems.extend(lifted.problems)
    texts.seen.update(lifted.seen)
    for key, text in lifted.texts.items():
        texts.texts.setdefault(key, text)


def _dumps(lifted: Lifted) -> bytes | None:
    """``lifted`` pickled; None when a plugin's objects cannot be (then not cached, and
    lifted in the parent rather than in a worker)."""
    try:
        return pickle.dumps(lifted, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - PicklingError, TypeError, AttributeError, RecursionError...
        return None


def _weight(source: Source) -> int:
    if source.is_dir:
        return RENDER_BYTES
    if source.size is not None:
        return source.size
    try:
        return source.path.stat().st_size if source.path is not None else len(source.stdin_data or b"")
    except OSError:
        return 0


def _cost(adapter) -> float:
    """CPU per byte an adapter spends lifting, relative to plain manifests (its
    ``lift_cost``; 1 if it says nothing). Measured on bench/ (one process): manifests
    lift at ~0.7 s per MiB, Terraform and scripts at ~1.8 s (a syntax tree walked
    in Python, then evaluated). Weighing by bytes alone made Terraform chunks 2.5
    times as long as the others; the last of them left this process waiting ~0.3 s for
    a worker at the end of a cold 5,000-file scan."""
    cost = getattr(adapter, "lift_cost", 1)
    return cost if isinstance(cost, (int, float)) and 0 < cost < 100 else 1


def _worth_a_pool(todo: list) -> bool:
    total = 0
    for _, source, _, _ in todo:
        total += _weight(source)
        if total >= POOL_MIN_BYTES:
            return True
    return False


def _units(todo: list, adapters: list) -> list[list[int]]:
    """Indices into ``todo``, grouped into what one process must lift together: the
    sources of an adapter with ``lift_unit = "folder"`` (Terraform: a folder is parsed
    once for all its files) that share a folder; every other source alone."""
    units: list[list[int]] = []
    by_folder: dict[tuple[int, Path], list[int]] = {}
    for i, (_, source, index, _) in enumerate(todo):
        if getattr(adapters[index], "lift_unit", None) == "folder" and source.path is not None:
            group = (index, source.path.parent)
            if group in by_folder:
                by_folder[group].append(i)
                continue
            by_folder[group] = [i]
            units.append(by_folder[group])
        else:
            units.append([i])
    return units


def _chunks(todo: list, adapters: list, count: int) -> list[list[int]]:
    """At least about ``count`` chunks of similar weight (bytes times the adapter's
    :func:`_cost`), none much over :data:`CHUNK_BYTES`, units kept whole; the costliest
    formats first, each in discovery order.

    Workers take chunks from the head of the queue and this process from its tail, and
    only what a worker lifts is pickled back. A format's pickle grows with its bytes, its
    lift with bytes times its cost: Terraform (2.5) sends back as many bytes per byte
    read as manifests do for 2.5 times the work. So workers get Terraform and scripts
    whatever the layout of the repository (bench/'s files with the Terraform folders
    renamed to sort last: this process unpickled for 0.13-0.20 s, against 0.09 s)."""
    units = _units(todo, adapters)
    costs = [_cost(adapter) for adapter in adapters]
    units.sort(key=lambda unit: -costs[todo[unit[0]][2]])  # stable: discovery order within a cost
    weights = [sum((_weight(todo[i][1]) + 1024) * costs[todo[i][2]] for i in unit)  # +1 KiB: per-file cost
               for unit in units]
    target = min(sum(weights) / count, CHUNK_BYTES)
    chunks: list[list[int]] = [[]]
    load = 0
    for unit, weight in zip(units, weights):
        if chunks[-1] and load + weight / 2 > target:
            chunks.append([])
            load = 0
        chunks[-1].extend(unit)
        load += weight
    return chunks


def fork_is_safe() -> bool:
    """True on Linux when this process has a single thread (native threads count: they
    are listed in ``/proc/self/task``); see the module docstring."""
    if sys.platform != "linux":
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _context():
    import multiprocessing

    if fork_is_safe():
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _pool(todo, adapters, options, cwd, jobs, store, results, done, total, progress, retention) -> int:
    """Lift ``todo`` on ``jobs`` processes, this one included, into ``results``; what a
    broken pool did not finish is left for the caller to lift here. Returns the new
    ``done`` count.

    ``jobs - 1`` workers take chunks from the head of the queue; this process takes
    them from the tail (a chunk no worker has started is cancelled and lifted here) and
    unpickles what the workers send. What it lifts itself never crosses a pipe, and
    pickling was the pool's whole overhead: with two workers and this process idle,
    a 5,000-file scan spent ~1 s more CPU than in one process (bench/run.py)."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    chunks = _chunks(todo, adapters, jobs * CHUNKS_PER_WORKER)
    workers = min(jobs - 1, len(chunks) - 1)
    if workers < 1:
        return done
    cache_root = store.folder.parent if store is not None else None
    try:
        executor = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_start_worker,
                                       initargs=(adapters, options, cwd, cache_root, retention))
        pending = {}
        for chunk in chunks:
            items = [(todo[i][0], todo[i][1], todo[i][2], todo[i][3]) for i in chunk]
            pending[executor.submit(_lift_chunk, items)] = items
    except (OSError, pickle.PicklingError, TypeError, AttributeError, BrokenProcessPool):
        return done  # no pool here (or the adapters cannot travel): lift in this process
    queue = list(pending)  # submission order: workers start from the head
    try:
        while pending:
            finished = [future for future in pending if future.done()]
            if not finished:
                stolen = _steal(queue, pending)
                if stolen is not None:
                    for position, source, index, key in stolen:
                        results[position] = _lift_here(adapters[index], source, options, cwd, store, key,
                                                       retention)
                        done += 1
                    if progress is not None:
                        progress(done, total, stolen[-1][1].display)
                    continue
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                items = pending.pop(future)
                try:
                    payloads = future.result()
                except BrokenProcessPool:
                    pending.clear()  # a worker could not start or died: the rest is lifted here
                    break
                for (position, *_), payload in zip(items, payloads):
                    if payload is not None:
                        results[position] = pickle.loads(payload)  # retained in the worker
                        done += 1
                if progress is not None:
                    progress(done, total, items[-1][1].display)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return done


def _steal(queue: list, pending: dict) -> list | None:
    """The items of the last chunk no worker has started (now cancelled), or None."""
    while queue:
        future = queue.pop()
        if future in pending and future.cancel():
            return pending.pop(future)
    return None


def _retained(lifted: Lifted, retention) -> Lifted:
    """``lifted`` with only the objects ``retention`` keeps (all of them for None)."""
    if retention is not None:
        lifted.objects = retention.kept(lifted.objects)
    return lifted


def _lift_here(adapter, source: Source, options: dict, cwd: Path, store, key: str | None, retention) -> Lifted:
    """Lift one source in this process, drop what ``retention`` does not keep, and keep
    the rest in the parse cache when it has a key."""
    lifted = _retained(lift_one(adapter, source, options, cwd), retention)
    payload = _dumps(lifted) if key is not None and store is not None and not lifted.transient else None
    if payload is not None:
        store.store(key, payload)
    return lifted


_WORKER: tuple | None = None


def _start_worker(adapters, options, cwd, cache_root, retention) -> None:
    global _WORKER
    store = None
    if cache_root is not None:
        from eksguard.engine.cache import ParseCache

        store = ParseCache(Path(cache_root), options)
    _WORKER = (adapters, options, cwd, store, retention)


def _lift_chunk(items: list) -> list[bytes | None]:
    """In a worker: lift each ``(position, source, adapter index, cache key)``; return
    each :class:`Lifted` pickled with only what the retention keeps (the same bytes go to
    the cache), or None for one that cannot be pickled, which the parent then lifts
    itself."""
    assert _WORKER is not None
    adapters, options, cwd, store, retention = _WORKER
    out = []
    for _position, source, index, key in items:
        lifted = _retained(lift_one(adapters[index], source, options, cwd), retention)
        payload = _dumps(lifted)
        if payload is not None and key is not None and store is not None and not lifted.transient:
            store.store(key, payload)
        out.append(payload)
    return out
