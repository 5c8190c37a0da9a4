"""Tasks shared with forked children (eksguard/engine/forked.py): every task's result,
from whichever process ran it; what a child prints shown here; a child's exception
raised here; a child that dies leaves its tasks out, for the caller."""

from __future__ import annotations

import os
import time

import pytest

from eksguard.engine import forked


def _slow_pid(index: int) -> tuple[int, int]:
    time.sleep(0.01)
    return index * index, os.getpid()


def test_every_task_once_shared_between_this_process_and_a_child():
    done = forked.share(20, 2, _slow_pid)
    assert sorted(done) == list(range(20))
    assert [value for value, _ in (done[i] for i in range(20))] == [i * i for i in range(20)]
    pids = {pid for _, pid in done.values()}
    assert os.getpid() in pids and len(pids) == 2
    assert done[19][1] == os.getpid()  # this process starts from the end, the child from the start
    assert done[0][1] != os.getpid()


def test_one_task_or_no_fork_means_nothing_runs_there(monkeypatch):
    assert forked.share(1, 4, _slow_pid) is None
    monkeypatch.setattr(forked, "fork_is_safe", lambda: False)
    assert forked.share(20, 2, _slow_pid) is None


def test_what_a_child_prints_is_printed_here_and_its_exception_raised(capsys):
    import sys

    parent = os.getpid()

    def loud(index: int) -> int:
        time.sleep(0.01)
        if os.getpid() != parent:
            print(f"child says {index}", file=sys.stderr)
            if index == 3:
                raise KeyError("from the child")
        return index

    with pytest.raises(KeyError, match="from the child"):
        forked.share(12, 2, loud)
    assert "child says 0" in capsys.readouterr().err


def test_a_child_that_dies_leaves_its_tasks_out():
    parent = os.getpid()

    def dies(index: int) -> int:
        time.sleep(0.01)
        if os.getpid() != parent and index == 2:
            os._exit(9)
        return index

    done = forked.share(12, 2, dies)
    assert 0 not in done and 2 not in done  # the child's: its results never came
    assert done[11] == 11  # this process's own are kept
    assert all(done[i] == i for i in done)


def test_results_that_do_not_pickle_leave_the_childs_tasks_out():
    parent = os.getpid()

    def unpicklable(index: int):
        time.sleep(0.01)
        return (lambda: index) if os.getpid() != parent else index

    done = forked.share(12, 2, unpicklable)
    assert done and all(done[i] == i for i in done)
    assert 0 not in done
