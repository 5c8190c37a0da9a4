"""The rules stage on several processes: this one and forked children share the rules
out as they go, over the same model (:func:`eksguard.engine.forked.run_shared`).

Why: after lifting, the rules are the longest stretch of a scan that runs on one core
(~0.6 s of a cold 5,000-file scan, bench/run.py), and the model they read is already in
memory. A forked child shares it copy-on-write, so nothing crosses a pipe but the child's
findings.

The rules are taken in catalogue order, by the children from the start and by this
process from the end. Rules of one area sit next to each other in the catalogue, so the
views of the platform they share (the pod index, the ALB groups, the node definitions)
are mostly built by one process.

Findings travel back pickled, with every model object they hold (a Fix names the
objects it edits) as its index in ``platform.objects``; this process puts its own
objects back in (``persistent_id``), so a Fix made in a child is the Fix this process
would have made.

When: a model of at least :data:`MIN_OBJECTS` objects, two usable cores or more (or
``--jobs`` 2 or more), and a process that may fork; one process per core, at most
:data:`MAX_PROCESSES` and one per rule. Otherwise the rules all run here; when a child
fails in any way, the rules it did not report are run here. The findings come back in
the order one process would give them (rule order, then each rule's own order), and
what a crashing rule prints in a child is printed here.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable

from eksguard.engine.parallel import usable_cores

#: Below this many model objects the rules take well under 0.1 s: not worth a fork.
MIN_OBJECTS = 2000
#: At most this many. The rules of bench/'s 5,000 files are ~0.4 s of CPU in 35 rules,
#: and each process copies the pages of the model it touches: past a few, a process
#: would cost about what its share of the rules saves. A bound, not a measurement
#: (bench/ runs on two cores).
MAX_PROCESSES = 4


def processes(platform, rules: list, jobs: int | None) -> int:
    """How many processes the rules of this scan run on (1: this one alone)."""
    cores = usable_cores() if jobs is None else jobs
    if cores < 2 or len(platform.objects) < MIN_OBJECTS:
        return 1
    return max(1, min(cores, MAX_PROCESSES, len(rules)))


def run_split(rules: list, platform, plugins, run_rules: Callable, count: int) -> list:
    """``run_rules(rules, platform, plugins)`` on this process and up to ``count - 1``
    forked children, rule by rule (:func:`eksguard.engine.forked.run_shared`)."""
    from eksguard.engine.forked import run_shared

    found = run_shared(len(rules), count, lambda index: run_rules([rules[index]], platform, plugins),
                       pack=lambda done: _dumps(done, platform), unpack=lambda payload: _loads(payload, platform))
    return [finding for findings in found for finding in findings]


def _dumps(done: list, platform) -> bytes:
    """A child's ``[(rule index, findings)]``. Only a Fix names model objects, and a
    ``persistent_id`` is a Python call for every object pickled (~260,000 for the
    findings of bench/'s 5,000 files): the findings go without their fixes at C speed,
    the fixes apart with their model objects as positions (~40 -> ~25 ms in the child,
    on the way to the end of the scan). The findings are this child's own, about to be
    thrown away: taking their fixes off changes nothing anyone reads."""
    findings = [finding for _, found in done for finding in found]
    fixes = [finding.fix for finding in findings]
    for finding in findings:
        finding.fix = None
    index = {id(obj): position for position, obj in enumerate(platform.objects)}
    out = io.BytesIO()
    pickle.dump(done, out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: index.get(id(obj))  # a model object: its position
    pickler.dump([(position, fix) for position, fix in enumerate(fixes) if fix is not None])
    return out.getvalue()


def _loads(payload: bytes, platform) -> list:
    stream = io.BytesIO(payload)
    done = pickle.load(stream)
    unpickler = pickle.Unpickler(stream)
    unpickler.persistent_load = lambda position: platform.objects[position]
    findings = [finding for _, found in done for finding in found]
    for position, fix in unpickler.load():
        findings[position].fix = fix
    return done
