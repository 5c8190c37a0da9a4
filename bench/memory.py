"""Where a scan's memory goes, and how it grows with the repository.

Usage: python bench/memory.py [--files 2500,5000,10000] [--what-if-spilled]

For each size, a repository written by ``bench/generate.py`` (in a temporary folder)
is scanned as a user runs it, cold and in one process (``eksguard scan DIR -qq
--no-config --no-cache --jobs 1``), and its peak resident set is read from ``os.wait4``.
Then, in this process, the largest repository is scanned again and its model is
weighed kind by kind (a deep ``sys.getsizeof`` walk: every container, string, number,
position array and record an object holds, each counted once).

Prints the peak per size, the growth per 1,000 files between the smallest and the
largest, and the model's share of the peak by kind: what the cross-file rules keep
(``eksguard/engine/retention.py``), and so what a change to the model costs or saves.

``--what-if-spilled`` answers "why not keep the model on disk?" with a number: the
rules are timed over the model as it is, then with every Kubernetes object's body held
as pickled bytes and unpickled when a rule reads it, through a cache of the 256 bodies
read last (a store bounded in memory, as a disk-backed model would be, without even
the disk's cost). Numbers, not asserts: machines differ; README "Speed" quotes a run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter, OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

#: The bodies a spilled model keeps unpickled (``--what-if-spilled``).
SPILL_CACHE = 256


def deep_size(obj: object, seen: set[int]) -> int:
    """Bytes ``obj`` holds that nothing in ``seen`` holds already; adds what it counts
    to ``seen``. Follows containers, position arrays (``marks``), instance dicts and
    slots; classes, functions and modules are not data and count nothing."""
    if id(obj) in seen or isinstance(obj, (type, type(deep_size), type(sys))):
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, (str, bytes, int, float, bool)) or obj is None:
        return size
    if isinstance(obj, dict):
        size += sum(deep_size(key, seen) + deep_size(value, seen) for key, value in obj.items())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        size += sum(deep_size(item, seen) for item in obj)
    marks = getattr(obj, "marks", None)
    if marks is not None and not isinstance(obj, type):
        size += deep_size(marks, seen)
    if hasattr(obj, "__dict__"):
        size += deep_size(vars(obj), seen)
    for cls in type(obj).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if slot != "marks" and not slot.startswith("__") and hasattr(obj, slot):
                size += deep_size(getattr(obj, slot), seen)
    return size


def model_by_kind(platform) -> Counter:
    """Bytes of the model per kind (``Deployment``, ``EKSCluster``...), each byte counted
    once: for the first object that holds it, in scan order."""
    sizes: Counter = Counter()
    seen: set[int] = set()
    for obj in platform.objects:
        sizes[obj.kind] += deep_size(obj, seen)
    return sizes


def peak_of_scan(folder: Path, env: dict) -> tuple[float, float]:
    """Peak resident MiB and wall seconds of a cold one-process ``eksguard scan``."""
    from run import run
    from startup import eksguard_command

    seconds, _, rss, _ = run([*eksguard_command(), "scan", str(folder), "-qq", "--no-config", "--no-cache",
                              "--jobs", "1"], env)
    return rss / 1024, seconds


def spilled_rules(result, plugins, rounds: int = 3) -> tuple[float, float, int]:
    """Best seconds of the rules over the model as it is, then with each Kubernetes
    body pickled and unpickled on reading (:data:`SPILL_CACHE` kept), and how many
    bodies were unpickled per run. Leaves the model as it found it."""
    import pickle

    from eksguard.engine.runner import run_rules
    from eksguard.model.base import K8sObject

    def best() -> float:
        times = []
        for _ in range(rounds):
            result.platform._derived.clear()
            started = time.perf_counter()
            run_rules(result.rules, result.platform, plugins)
            times.append(time.perf_counter() - started)
        return min(times)

    in_memory = best()
    slot = K8sObject.__dict__["body"]  # the slot's descriptor, under the property below
    cache: OrderedDict = OrderedDict()
    loads = 0

    def body(self):
        nonlocal loads
        value = cache.get(id(self))
        if value is None:
            loads += 1
            value = cache[id(self)] = pickle.loads(slot.__get__(self))
            if len(cache) > SPILL_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(id(self))
        return value

    objects = [obj for obj in result.platform.objects if isinstance(obj, K8sObject)]
    bodies = [obj.body for obj in objects]
    for obj, value in zip(objects, bodies):
        slot.__set__(obj, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    K8sObject.body = property(body, slot.__set__)
    try:
        spilled = best()
    finally:
        K8sObject.body = slot
        for obj, value in zip(objects, bodies):
            slot.__set__(obj, value)
    return in_memory, spilled, loads // rounds


def main() -> None:
    from generate import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", default="2500,5000,10000", help="sizes, comma-separated (default: %(default)s)")
    parser.add_argument("--what-if-spilled", action="store_true", help="time the rules over a model kept as bytes")
    args = parser.parse_args()
    sizes = sorted({int(part) for part in args.files.split(",") if part.strip()})
    if not sizes:
        parser.error("--files: no size given")

    tmp = tempfile.TemporaryDirectory(prefix="eksguard-memory-")
    env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp.name) / "cache")}
    env.pop("GITHUB_ACTIONS", None)
    peaks = []
    for files in sizes:
        folder = Path(tmp.name) / f"repo-{files}"
        generate(folder, files)
        peak, seconds = peak_of_scan(folder, env)
        peaks.append(peak)
        print(f"{files:>7,} files: peak {peak:6.1f} MiB ({seconds:.2f} s), cold, one process")
    if len(sizes) > 1:
        slope = (peaks[-1] - peaks[0]) / (sizes[-1] - sizes[0]) * 1000
        print(f"growth: {slope:.1f} MiB per 1,000 files ({sizes[0]:,} to {sizes[-1]:,})")

    from eksguard.engine import runner
    from eksguard.plugins import get_plugins

    plugins = get_plugins()
    largest = Path(tmp.name) / f"repo-{sizes[-1]}"
    result = runner.scan([str(largest)], plugins, options={"jobs": 1, "cache": False})
    by_kind = model_by_kind(result.platform)
    total = sum(by_kind.values())
    print(f"\nmodel of {sizes[-1]:,} files: {total / 2**20:.1f} MiB in {len(result.platform.objects):,} objects "
          f"({total / 2**20 / peaks[-1]:.0%} of the peak)")
    counts = Counter(obj.kind for obj in result.platform.objects)
    for kind, size in by_kind.most_common(12):
        print(f"  {size / 2**20:6.2f} MiB  {size / total:4.0%}  {counts[kind]:6,} x {size / counts[kind]:6,.0f} B  {kind}")
    if args.what_if_spilled:
        in_memory, spilled, loads = spilled_rules(result, plugins)
        print(f"\nrules over the model in memory: {in_memory:.2f} s; with bodies as bytes "
              f"(the last {SPILL_CACHE} unpickled kept): {spilled:.2f} s ({spilled / in_memory:.1f}x), "
              f"{loads:,} bodies unpickled per run")
    tmp.cleanup()


if __name__ == "__main__":
    main()
