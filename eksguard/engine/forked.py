"""Tasks shared out between this process and forked children, as they go.

Why: some stages run for a long time on one core over what this process already
holds: the rules over the model (:mod:`eksguard.engine.split_rules`), the text edits of
every fix for a JSON or SARIF report (:func:`eksguard.engine.fix.attach_edits`). A
forked child shares that memory copy-on-write, so nothing crosses a pipe but the
child's results.

How the tasks (indices ``0 .. tasks - 1``) are shared: the children take them from the
start and this process from the end, one at a time, until they meet (a lock and two
counters in a shared memory file: ``fcntl`` locks are per process and die with it, so a
child that is killed never leaves the others waiting). Whoever is faster takes more, so
no process waits long for another whatever the tasks cost. Before anyone takes
anything, child ``n`` owns task ``n`` and this process the last task.

A child sends back, pickled, the results of the tasks it ran, what it printed on stderr
and the exception that stopped it, if any; this process prints the text and raises the
first exception. A child that fails in any other way (killed, out of memory, results
that do not pickle) sends nothing that counts: its tasks are missing from what
:func:`share` returns, and :func:`run_shared`, which callers use, runs them here. Only where forking is safe
(:func:`eksguard.engine.parallel.fork_is_safe`) and Linux's ``memfd_create`` exists.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
from collections.abc import Callable

from eksguard.engine.parallel import fork_is_safe

_COUNTERS = struct.Struct("=ii")  # next task from the start, one past the next from the end


def run_shared(tasks: int, processes: int, run: Callable[[int], object], *,
               pack: Callable[[list], bytes] | None = None,
               unpack: Callable[[bytes], list] | None = None) -> list:
    """``[run(0), run(1), ...]``, shared with forked children where :func:`share` can
    (``processes`` at most); the tasks no child reported (none forked, or one failed)
    run here."""
    done = share(tasks, processes, run, pack=pack, unpack=unpack) if processes > 1 else None
    done = done or {}
    return [done[index] if index in done else run(index) for index in range(tasks)]


def share(tasks: int, processes: int, run: Callable[[int], object], *,
          pack: Callable[[list], bytes] | None = None,
          unpack: Callable[[bytes], list] | None = None) -> dict[int, object] | None:
    """``run(index)`` for each task, on this process and up to ``processes - 1`` forked
    children: ``{index: result}``, without the tasks of a child that failed. None when
    no child could be started (then nothing has run). ``pack`` and ``unpack`` carry a
    child's ``[(index, result)]`` across (default: ``pickle``)."""
    children = min(processes, tasks) - 1
    if children < 1 or not fork_is_safe() or not hasattr(os, "memfd_create"):
        return None
    try:
        queue = _Queue(tasks, children)
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
                _child(run, queue, first, write_fd, pack or _pickled)  # never returns
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
    results: dict[int, object] = {}
    heard: list = []
    reading = -1  # the child whose pipe is being read (its stream owns the descriptor)
    try:
        for index in queue.take_all(tasks - 1, from_start=False):
            results[index] = run(index)
        for reading, (pid, read_fd) in enumerate(started):
            with os.fdopen(read_fd, "rb") as stream:
                payload = stream.read()
            status = os.waitpid(pid, 0)[1]
            ok = os.waitstatus_to_exitcode(status) == 0
            heard.append(_loads(payload, unpack or pickle.loads) if ok else None)
    finally:
        queue.close()
        # this process failed first: the work of the children not yet heard is not wanted
        for position in range(len(heard), len(started)):
            pid, read_fd = started[position]
            _stop(pid, None if position == reading else read_fd)
    printed, errors = [], []
    for answer in heard:
        if answer is None:  # a child failed (killed, out of memory, results that do not pickle)
            continue
        done, text, error = answer
        results.update(done)
        if text:
            printed.append(text)
        if error is not None:
            errors.append(error)
    if printed:
        sys.stderr.write("".join(printed))
    if errors:
        raise errors[0]
    return results


class _Queue:
    """Task indices shared by several processes: children take from the start, this
    process from the end (see the module docstring). Before anyone takes anything, child
    ``n`` owns index ``n`` and this process the last index."""

    def __init__(self, count: int, children: int):
        self.fd = os.memfd_create("eksguard-tasks")
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


def _child(run: Callable, queue: _Queue, first: int, write_fd: int, pack: Callable) -> None:
    """In a child: run the tasks it takes, starting with task ``first``; send what they
    printed, the exception that stopped them and, packed, ``[(index, result)]``; end
    without running anything of the parent's (no atexit, no flush)."""
    code = 0
    try:
        sys.stderr = printed = io.StringIO()
        done: list = []
        try:
            for index in queue.take_all(first, from_start=True):
                done.append((index, run(index)))
            error = None
        except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
            error = exc
        with os.fdopen(write_fd, "wb") as out:
            pickle.dump((printed.getvalue(), _picklable(error)), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.write(pack(done))
    except BaseException:  # noqa: BLE001 - any failure here: the parent runs these tasks
        code = 1
    finally:
        os._exit(code)


def _picklable(error: BaseException | None) -> BaseException | None:
    """``error``, or a RuntimeError with its traceback when it does not pickle."""
    try:
        pickle.dumps(error)
    except Exception:  # noqa: BLE001 - an exception that does not pickle travels as text
        import traceback  # here: a one-file scan never forks (signal and traceback: ~3 ms)

        detail = "".join(traceback.format_exception(error))
        return RuntimeError(f"{type(error).__name__} in a forked process: {error}\n{detail}")
    return error


def _pickled(done: list) -> bytes:
    return pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)


def _loads(payload: bytes, unpack: Callable[[bytes], list]):
    try:
        stream = io.BytesIO(payload)
        printed, error = pickle.load(stream)
        return dict(unpack(stream.read())), printed, error
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
