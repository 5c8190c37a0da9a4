"""The parse stage on several processes (eksguard/engine/parallel.py): the same output as
one process, byte for byte; ``--jobs 1`` really is one process; plugin adapters that
cannot travel to a worker are lifted here instead; progress still advances."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from clirun import eksguard

from eksguard.adapters import Source
from eksguard.engine import parallel
from eksguard.engine.runner import scan
from eksguard.findings import Location
from eksguard.hookspecs import hookimpl
from eksguard.plugins import get_plugins

ROOT = Path(__file__).resolve().parent.parent


def _reports(tmp_path: Path, target: str, *flags: str) -> tuple[str, str]:
    name = "-".join(f.strip("-") for f in flags) or "default"
    json_out, sarif_out = tmp_path / f"{name}.json", tmp_path / f"{name}.sarif"
    proc = eksguard("scan", target, "--no-cache", *flags, "-q", "-f", "json", "-o", str(json_out),
                    "-f", "sarif", "-o", str(sarif_out), cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    return json_out.read_text(), sarif_out.read_text()


@pytest.mark.parametrize("target", ["testdata/examples", "testdata"])
def test_pool_output_is_byte_identical_to_one_process(tmp_path, target):
    serial = _reports(tmp_path, target, "--jobs", "1")
    pooled = _reports(tmp_path, target, "--jobs", "2")
    assert pooled[0] == serial[0]
    assert pooled[1] == serial[1]
    assert '"findings"' in serial[0]


def test_jobs_must_be_positive():
    proc = eksguard("scan", "testdata/examples", "--jobs", "0", cwd=ROOT)
    assert proc.returncode == 2
    assert "--jobs must be 1 or more" in proc.stderr


# -- which process lifted what ------------------------------------------------------------

class PidAdapter:
    """Claims ``*.pid`` files; reports the process that lifted each (as EKS001)."""

    name = "pid-test"

    def claims(self, source: Source) -> bool:
        return source.suffix == ".pid"

    def lift(self, source: Source, sink) -> None:
        sink.problem("EKS001", Location(source.display, 1, 1), f"pid {os.getpid()}")


class _Plugin:
    def __init__(self, adapter):
        self.adapter = adapter

    @hookimpl
    def eksguard_register_loaders(self):
        return [self.adapter]


def _plugins(adapter):
    plugins = get_plugins(load_entrypoints=False)
    plugins.pm.register(_Plugin(adapter), name="pid-test")
    return plugins


@pytest.fixture
def pid_files(tmp_path):
    for i in range(12):
        (tmp_path / f"f{i:02d}.pid").write_text("x\n")
    return tmp_path


def _pids(result) -> list[int]:
    return [int(f.message.split()[-1]) for f in result.findings if f.code == "EKS001"]


def test_jobs_1_lifts_everything_in_this_process(pid_files, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("--jobs 1 started a pool")

    monkeypatch.setattr(parallel, "_pool", no_pool)
    result = scan(["."], _plugins(PidAdapter()), cwd=pid_files, options={"jobs": 1, "cache": False})
    assert _pids(result) == [os.getpid()] * 12


class SlowPidAdapter(PidAdapter):
    """Takes a while per file, as real parsing does, so the worker is up before this
    process could have taken every chunk itself."""

    def lift(self, source: Source, sink) -> None:
        time.sleep(0.05)
        super().lift(source, sink)


def test_jobs_2_lifts_on_this_process_and_a_worker_in_discovery_order(pid_files):
    """Two processes: one worker from the head of the queue, this one from the tail."""
    seen = []
    result = scan(["."], _plugins(SlowPidAdapter()), cwd=pid_files, options={"jobs": 2, "cache": False},
                  progress=lambda done, total, what: seen.append((done, total)))
    pids = _pids(result)
    assert len(pids) == 12 and len(set(pids)) == 2
    assert pids[0] != os.getpid() and pids[-1] == os.getpid()
    assert [f.location.path for f in result.findings] == [f"f{i:02d}.pid" for i in range(12)]
    assert [s.display for s in result.sources] == [f"f{i:02d}.pid" for i in range(12)]
    assert seen and seen[-1] == (12, 12)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_an_adapter_that_cannot_reach_a_worker_is_lifted_here(pid_files, monkeypatch):
    """A plugin adapter whose class a worker cannot import (a local plugin module, here a
    class of a module that does not exist): the scan falls back to this process."""
    import multiprocessing

    stranded = type("Stranded", (PidAdapter,), {"__module__": "eksguard_local_gone"})
    monkeypatch.setattr(parallel, "_context", lambda: multiprocessing.get_context("forkserver"))
    result = scan(["."], _plugins(stranded()), cwd=pid_files, options={"jobs": 2, "cache": False})
    assert _pids(result) == [os.getpid()] * 12


def test_a_small_scan_stays_in_one_process_by_default(pid_files, monkeypatch):
    monkeypatch.setattr(parallel, "_pool", lambda *a, **k: pytest.fail("a pool for 12 tiny files"))
    monkeypatch.setattr(parallel, "usable_cores", lambda: 8)
    result = scan(["."], _plugins(PidAdapter()), cwd=pid_files, options={"cache": False})
    assert _pids(result) == [os.getpid()] * 12


def test_a_big_scan_uses_the_pool_by_default(pid_files, monkeypatch):
    used = []
    real = parallel._pool
    monkeypatch.setattr(parallel, "_pool", lambda *a, **k: used.append(1) or real(*a, **k))
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    monkeypatch.setattr(parallel, "POOL_MIN_BYTES", 8)
    result = scan(["."], _plugins(SlowPidAdapter()), cwd=pid_files, options={"cache": False})
    assert used and set(_pids(result)) - {os.getpid()}


def test_a_terraform_folder_is_one_unit_of_work(tmp_path):
    from eksguard.adapters.kubernetes import KubernetesAdapter
    from eksguard.adapters.terraform import TerraformAdapter

    adapters = [TerraformAdapter(), KubernetesAdapter()]
    names = ["a/main.tf", "a/sub/x.yaml", "a/variables.tf", "b/main.tf", "c.yaml", "d.yaml"]
    todo = []
    for i, name in enumerate(names):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x" * 5000)
        todo.append((i, Source(name, path), 0 if name.endswith(".tf") else 1, None))
    chunks = parallel._chunks(todo, adapters, 6)
    where = {names[i]: n for n, chunk in enumerate(chunks) for i in chunk}
    assert where["a/main.tf"] == where["a/variables.tf"]
    assert sorted(i for chunk in chunks for i in chunk) == list(range(6))
    assert len(chunks) > 1


def test_chunks_stay_small_enough_to_balance_the_processes(tmp_path):
    """Bytes are a rough measure of work (a Terraform folder takes longer than manifests
    of its size), so a big scan is cut into many chunks, never a few big ones."""
    from eksguard.adapters.kubernetes import KubernetesAdapter

    todo = []
    for i in range(200):
        path = tmp_path / f"m{i:03d}.yaml"
        path.write_text("x" * 5000)
        todo.append((i, Source(path.name, path), 0, None))
    chunks = parallel._chunks(todo, [KubernetesAdapter()], 8)
    assert len(chunks) >= 200 * 6024 // parallel.CHUNK_BYTES
    assert max(len(chunk) for chunk in chunks) * 6024 <= parallel.CHUNK_BYTES + 6024
    assert [i for chunk in chunks for i in chunk] == list(range(200))


def test_chunks_weigh_bytes_by_what_the_adapter_spends_on_them(tmp_path):
    """Terraform costs ~2.5 times as much CPU per byte as manifests (``lift_cost``), so
    its chunks hold proportionally fewer bytes and end about as soon as the others; a
    ``lift_cost`` that is no positive number counts as 1."""
    from eksguard.adapters.kubernetes import KubernetesAdapter
    from eksguard.adapters.terraform import TerraformAdapter

    todo = []
    for i in range(200):
        folder = tmp_path / f"stack{i:03d}"
        folder.mkdir()
        path = folder / "main.tf"
        path.write_text("x" * 5000)
        todo.append((i, Source(f"stack{i:03d}/main.tf", path), 0, None))
    for i in range(200, 400):
        path = tmp_path / f"m{i:03d}.yaml"
        path.write_text("x" * 5000)
        todo.append((i, Source(path.name, path), 1, None))
    chunks = parallel._chunks(todo, [TerraformAdapter(), KubernetesAdapter()], 8)
    per_chunk = {adapter: [len(chunk) for chunk in chunks if all(todo[i][2] == adapter for i in chunk)]
                 for adapter in (0, 1)}
    assert max(per_chunk[0]) * 2.5 <= max(per_chunk[1]) + 3, per_chunk
    assert [i for chunk in chunks for i in chunk] == list(range(400))

    class Odd(KubernetesAdapter):
        lift_cost = "cheap"

    assert parallel._cost(Odd()) == 1 and parallel._cost(KubernetesAdapter()) == 1
    assert parallel._cost(TerraformAdapter()) == 2.5


def test_workers_get_the_costliest_formats_whatever_the_layout(tmp_path):
    """Workers take chunks from the head of the queue, and what they lift is pickled back:
    the formats that cost most CPU per byte come first (Terraform before manifests, even
    when its folders sort last), each in discovery order."""
    from eksguard.adapters.kubernetes import KubernetesAdapter
    from eksguard.adapters.terraform import TerraformAdapter

    todo = []
    for i in range(40):
        path = tmp_path / f"a-manifests/m{i:03d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text("x" * 5000)
        todo.append((i, Source(f"a-manifests/{path.name}", path), 1, None))
    for i in range(40, 60):
        path = tmp_path / f"z-stack{i:03d}/main.tf"
        path.parent.mkdir()
        path.write_text("x" * 5000)
        todo.append((i, Source(f"z-stack{i:03d}/main.tf", path), 0, None))
    chunks = parallel._chunks(todo, [TerraformAdapter(), KubernetesAdapter()], 8)
    order = [i for chunk in chunks for i in chunk]
    assert order == list(range(40, 60)) + list(range(40))
    assert all(len({todo[i][2] for i in chunk}) == 1 for chunk in chunks[:2] + chunks[-2:])


class BrokenAdapter(PidAdapter):
    def lift(self, source: Source, sink) -> None:
        raise ValueError(f"adapter bug on {source.display}")


def test_an_adapter_error_in_a_worker_is_raised_here(pid_files):
    """With EKSGUARD_DEBUG=1 (the tests' setting) adapter bugs re-raise; from a worker too."""
    with pytest.raises(ValueError, match="adapter bug on f"):
        scan(["."], _plugins(BrokenAdapter()), cwd=pid_files, options={"jobs": 2, "cache": False})


class UnpicklableAdapter(PidAdapter):
    """Lifts objects that cannot be pickled (a function in the body): neither a worker's
    result nor a cache entry; the parent lifts them itself."""

    def cache_inputs(self, source: Source) -> list:
        return [source.path]

    def lift(self, source: Source, sink) -> None:
        from eksguard.model import Origin, make_object

        super().lift(source, sink)
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": source.display}, "f": lambda: 0}
        sink.add(make_object(body, Origin(source.display, "yaml")))


def test_objects_that_cannot_be_pickled_are_lifted_here(pid_files):
    result = scan(["."], _plugins(UnpicklableAdapter()), cwd=pid_files, options={"jobs": 2, "retain": False})
    assert _pids(result) == [os.getpid()] * 12
    assert len(result.platform.objects) == 12
