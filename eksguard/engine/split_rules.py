"""The rules stage on several processes: this one and forked children share the rules
out as they go, over the same model.

Why: after lifting, the rules are the longest stretch of a scan that runs on one core
(~0.6 s of a cold 5,000-file scan, bench/run.py), and the model they read is already in
memory. A forked child shares it copy-on-write, so nothing crosses a pipe but the child's
findings.

How the rules are shared: in catalogue order, the children take them from the start and
this process from the end, one at a time, until they meet (a lock and two counters in a
shared memory file: ``fcntl`` locks are per process and die with it, so a child that is
killed never leaves the others waiting). Whoever is faster takes more, so no process
waits long for another whatever the rules cost. Rules of one area sit next to each
other in the catalogue, so the views of the platform they share (the pod index, the ALB
groups, the node definitions) are mostly built by one process. Before anyone takes
anything, child ``n`` owns rule ``n`` and this process the last rule.

Findings travel back pickled, with every model object they hold (a Fix names the
objects it edits) as its index in ``platform.objects``; this process puts its own
objects back in (``persistent_id``), so a Fix made in a child is the Fix this process
would have made.

When: a model of at least :data:`MIN_OBJECTS` objects, two usable cores or more (or
``--jobs`` 2 or more), and a process that may fork
(:func:`eksguard.engine.parallel.fork_is_safe`); one process per core, at most
:data:`MAX_PROCESSES` and one per rule. Otherwise the rules all run here; when a child
fails in any way, the rules no process reported running are run here. The findings come
back in the order one process would give them (rule order, then each rule's own order),
and what a crashing rule prints in a child is printed here.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
from collections.abc import Callable

from eksguard.engine.parallel import fork_is_safe, usable_cores

#: Below this many model objects the rules take well under 0.1 s: not worth a fork.
MIN_OBJECTS = 2000
#: At most this many. The rules of bench/'s 5,000 files are ~0.4 s of CPU in 35 rules,
#: and each process copies the pages of the model it touches: past a few, a process
#: would cost about what its share of the rules saves. A bound, not a measurement
#: (bench/ runs on two cores).
MAX_PROCESSES = 4
_COUNTERS = struct.Struct("=ii")  # next rule from the start, one past the next from the end


def processes(platform, rules: list, jobs: int | None) -> int:
    """How many processes the rules of this scan run on (1: this one alone)."""
    cores = usable_cores() if jobs is None else jobs
    if cores < 2 or len(platform.objects) < MIN_OBJECTS:
        return 1
    return max(1, min(cores, MAX_PROCESSES, len(rules)))


def run_split(rules: list, platform, plugins, run_rules: Callable, count: int) -> list | None:
    """``run_rules(rules, platform, plugins)`` on this process and ``count - 1`` forked
    children; None when that cannot be done here (then the caller runs them all)."""
    children = min(count, len(rules)) - 1
    if children < 1 or not fork_is_safe() or not hasattr(os, "memfd_create"):
        return None
    try:
        queue = _Queue(len(rules), children)
    except OSError:
        return None
    sys.stdout.flush()  # nothing buffered may be written twice
    sys.stderr.flush()
    started: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    try:
        for first in range(children):
            read_fd, write_fd = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(read_fd)
                os.close(write_fd)
                break
            if pid == 0:
                os.close(read_fd)
                for _, other in started:
                    os.close(other)
                _child(rules, platform, plugins, run_rules, queue, first, write_fd)  # never returns
            os.close(write_fd)
            started.append((pid, read_fd))
    except BaseException:
        for pid, read_fd in started:
            _stop(pid, read_fd)
        queue.close()
        raise
    if not started:
        queue.close()
        return None
    results: list = []
    mine: list[int] = []
    reading = -1  # the child whose pipe is being read (its stream owns the descriptor)
    try:
        own = []
        for index in queue.take_all(len(rules) - 1, from_start=False):
            mine.append(index)
            own.extend(run_rules([rules[index]], platform, plugins))
        for reading, (pid, read_fd) in enumerate(started):
            with os.fdopen(read_fd, "rb") as stream:
                payload = stream.read()
            status = os.waitpid(pid, 0)[1]
            results.append(_loads(payload, platform) if os.waitstatus_to_exitcode(status) == 0 else None)
    finally:
        queue.close()
        # this process failed first: the work of the children not yet heard is not wanted
        for position in range(len(results), len(started)):
            pid, read_fd = started[position]
            _stop(pid, None if position == reading else read_fd)
    findings = own
    ran = set(mine)
    printed, errors = [], []
    for result in results:
        if result is None:  # a child failed (killed, out of memory, findings that do not pickle)
            continue
        theirs, text, error, indices = result
        findings.extend(theirs)
        ran.update(indices)
        if text:
            printed.append(text)
        if error is not None:
            errors.append(error)
    if printed:
        sys.stderr.write("".join(printed))
    if errors:
        raise errors[0]
    rest = [rule for index, rule in enumerate(rules) if index not in ran]
    if rest:
        findings.extend(run_rules(rest, platform, plugins))
    return _in_rule_order(rules, findings)


class _Queue:
    """Rule indices shared by several processes: children take from the start, this
    process from the end (see the module docstring). Before anyone takes anything, child
    ``n`` owns index ``n`` and this process the last index."""

    def __init__(self, count: int, children: int):
        self.fd = os.memfd_create("eksguard-rules")
        try:
            os.write(self.fd, _COUNTERS.pack(children, count - 1))
        except OSError:
            os.close(self.fd)
            raise

    def take_all(self, first: int, from_start: bool):
        yield first  # what each process owns from the start
        while (index := self._take(from_start)) is not None:
            yield index

    def _take(self, from_start: bool) -> int | None:
        import fcntl

        fcntl.lockf(self.fd, fcntl.LOCK_EX)
        try:
            start, end = _COUNTERS.unpack(os.pread(self.fd, _COUNTERS.size, 0))
            if start >= end:
                return None
            if from_start:
                os.pwrite(self.fd, _COUNTERS.pack(start + 1, end), 0)
                return start
            os.pwrite(self.fd, _COUNTERS.pack(start, end - 1), 0)
            return end - 1
        finally:
            fcntl.lockf(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


def _child(rules: list, platform, plugins, run_rules: Callable, queue: _Queue, first: int, write_fd: int) -> None:
    """In a child: run the rules it takes, starting with rule ``first``, send ``(findings,
    what they printed, exception, the rules it ran)`` pickled, and end without running
    anything of the parent's (no atexit, no flush)."""
    code = 0
    try:
        sys.stderr = printed = io.StringIO()
        findings: list = []
        ran: list[int] = []
        try:
            for index in queue.take_all(first, from_start=True):
                ran.append(index)
                findings.extend(run_rules([rules[index]], platform, plugins))
            error = None
        except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
            findings, error = [], exc
        with os.fdopen(write_fd, "wb") as out:
            out.write(_dumps(findings, printed.getvalue(), error, ran, platform))
    except BaseException:  # noqa: BLE001 - any failure here: the parent runs these rules
        code = 1
    finally:
        os._exit(code)


def _dumps(findings: list, printed: str, error: BaseException | None, ran: list[int], platform) -> bytes:
    try:
        pickle.dumps(error)
    except Exception:  # noqa: BLE001 - an exception that does not pickle travels as text
        import traceback  # here: a one-file scan never splits (signal and traceback: ~3 ms)

        detail = "".join(traceback.format_exception(error))
        error = RuntimeError(f"{type(error).__name__} in the rules process: {error}\n{detail}")
    # Only a Fix names model objects, and a persistent_id is a Python call for every
    # object pickled (~260,000 for the findings of bench/'s 5,000 files): the findings go
    # without their fixes at C speed, the fixes apart with their model objects as
    # positions (~40 -> ~25 ms in the child, on the way to the end of the scan). The
    # findings are this child's own, about to be thrown away: taking their fixes off
    # changes nothing anyone reads.
    fixes = [finding.fix for finding in findings]
    for finding in findings:
        finding.fix = None
    index = {id(obj): position for position, obj in enumerate(platform.objects)}
    out = io.BytesIO()
    pickle.dump((findings, printed, error, ran), out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: index.get(id(obj))  # a model object: its position
    pickler.dump([(position, fix) for position, fix in enumerate(fixes) if fix is not None])
    return out.getvalue()


def _loads(payload: bytes, platform):
    try:
        stream = io.BytesIO(payload)
        findings, printed, error, ran = pickle.load(stream)
        unpickler = pickle.Unpickler(stream)
        unpickler.persistent_load = lambda position: platform.objects[position]
        for position, fix in unpickler.load():
            findings[position].fix = fix
        return findings, printed, error, ran
    except Exception:  # noqa: BLE001 - a truncated payload: the child died writing it
        return None


def _stop(pid: int, read_fd: int | None) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    if read_fd is not None:
        try:
            os.close(read_fd)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _in_rule_order(rules: list, findings: list) -> list:
    """Findings ordered as one process gives them: by rule, each rule's kept in order."""
    order = {rule.code: index for index, rule in enumerate(rules)}
    return sorted(findings, key=lambda finding: order.get(finding.code, len(order)))
