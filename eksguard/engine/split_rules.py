"""The rules stage on two processes: this one runs the rules that may offer a fix, a
forked child runs the others, over the same model.

Why: after lifting, the rules are the longest stretch of a scan that runs on one core
(~0.9 s of a cold 5,000-file scan, bench/run.py), and the model they read is already
in memory. A forked child shares it copy-on-write, so nothing crosses a pipe but the
child's findings. Why split by fix: a rule whose catalogue entry offers no fix never
attaches a :class:`~eksguard.fixes.Fix` to its findings (``Rule.finding`` drops it),
and a Fix holds model objects, which would come back as copies; the two groups also
cost about the same on that repository (0.44 s and 0.50 s).

When: a model of at least :data:`MIN_OBJECTS` objects, two usable cores (or ``--jobs``
2 or more), and a process that may fork (:func:`eksguard.engine.parallel.fork_is_safe`).
Otherwise, or when the child fails in any way, the rules all run here. The findings
come back in the order one process would give them (rule order, then each rule's own
order), and what a crashing rule prints in the child is printed here.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
from collections.abc import Callable

from eksguard.engine.parallel import fork_is_safe, usable_cores

#: Below this many model objects the rules take well under 0.1 s: not worth a fork.
MIN_OBJECTS = 2000


def worth_splitting(platform, jobs: int | None) -> bool:
    cores = usable_cores() if jobs is None else jobs
    return cores >= 2 and len(platform.objects) >= MIN_OBJECTS


def run_split(rules: list, platform, plugins, run_rules: Callable) -> list | None:
    """``run_rules(rules, platform, plugins)`` with the fix-free rules in a forked child;
    None when that cannot be done here (then the caller runs them all)."""
    theirs = [rule for rule in rules if rule.fix_applicability == "none"]
    mine = [rule for rule in rules if rule.fix_applicability != "none"]
    if not theirs or not mine or not fork_is_safe():
        return None
    sys.stdout.flush()  # nothing buffered may be written twice
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:
        os.close(read_fd)
        _child(theirs, platform, plugins, run_rules, write_fd)  # never returns
    os.close(write_fd)
    status = None
    try:
        own = run_rules(mine, platform, plugins)
        with os.fdopen(read_fd, "rb") as stream:
            read_fd = None
            payload = stream.read()
        status = os.waitpid(pid, 0)[1]
    finally:
        if status is None:  # this process failed first: the child's work is not wanted
            _stop(pid, read_fd)
    result = _loads(payload) if os.waitstatus_to_exitcode(status) == 0 else None
    if result is None:  # the child failed (killed, out of memory, findings that do not pickle)
        return _in_rule_order(rules, own + run_rules(theirs, platform, plugins))
    findings, printed, error = result
    if printed:
        sys.stderr.write(printed)
    if error is not None:
        raise error
    return _in_rule_order(rules, own + findings)


def _child(rules: list, platform, plugins, run_rules: Callable, write_fd: int) -> None:
    """In the child: run ``rules``, send ``(findings, what they printed, exception)``
    pickled, and end without running anything of the parent's (no atexit, no flush)."""
    code = 0
    try:
        sys.stderr = printed = io.StringIO()
        try:
            findings, error = run_rules(rules, platform, plugins), None
        except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
            findings, error = [], exc
        with os.fdopen(write_fd, "wb") as out:
            out.write(_dumps(findings, printed.getvalue(), error))
    except BaseException:  # noqa: BLE001 - any failure here: the parent runs these rules
        code = 1
    finally:
        os._exit(code)


def _dumps(findings: list, printed: str, error: BaseException | None) -> bytes:
    try:
        pickle.dumps(error)
    except Exception:  # noqa: BLE001 - an exception that does not pickle travels as text
        import traceback  # here: a one-file scan never splits (signal and traceback: ~3 ms)

        detail = "".join(traceback.format_exception(error))
        error = RuntimeError(f"{type(error).__name__} in the rules process: {error}\n{detail}")
    return pickle.dumps((findings, printed, error), protocol=pickle.HIGHEST_PROTOCOL)


def _loads(payload: bytes):
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a truncated payload: the child died writing it
        return None


def _stop(pid: int, read_fd: int | None) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    if read_fd is not None:
        os.close(read_fd)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _in_rule_order(rules: list, findings: list) -> list:
    """Findings ordered as one process gives them: by rule, each rule's kept in order."""
    order = {rule.code: index for index, rule in enumerate(rules)}
    return sorted(findings, key=lambda finding: order.get(finding.code, len(order)))
