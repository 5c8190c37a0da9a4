"""The parse cache (eksguard/engine/cache.py): a second scan of unchanged files parses
nothing, a changed file (or a changed file beside a ``.tf``) is parsed again, broken
entries are ignored, ``--no-cache`` writes nothing, concurrent runs do not corrupt it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import eksguard

from eksguard.engine.cache import ParseCache, disk_usage
from eksguard.engine.parallel import Lifted
from eksguard.engine.runner import scan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "testdata" / "examples"


@pytest.fixture
def project(tmp_path):
    """Kubernetes YAML, JSON, Terraform, scripts: every cached adapter, no renderer."""
    root = tmp_path / "project"
    for part in ("teams", "infra", "scripts", "platform"):
        shutil.copytree(EXAMPLES / part, root / part)
    return root


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("EKSGUARD_NO_CACHE", raising=False)
    return home


@pytest.fixture
def parses(monkeypatch):
    """Counts of the YAML and HCL parser calls made while lifting (in this process)."""
    from eksguard.adapters import kubernetes
    from eksguard.adapters.terraform import hcl

    counts = {"yaml": [], "hcl": []}
    load, parse = kubernetes.load_documents, hcl.parse

    def counting_load(text, *args, **kwargs):
        counts["yaml"].append(text)
        return load(text, *args, **kwargs)

    def counting_parse(text, display, *args, **kwargs):
        counts["hcl"].append(display)
        return parse(text, display, *args, **kwargs)

    monkeypatch.setattr(kubernetes, "load_documents", counting_load)
    monkeypatch.setattr(hcl, "parse", counting_parse)
    return counts


def _scan(plugins, rules, root: Path, *paths: str, **options):
    result = scan(list(paths) or ["."], plugins, cwd=root, rules=rules, options={"jobs": 1, **options})
    return [(f.code, str(f.location), f.message) for f in result.findings]


def test_a_second_scan_parses_nothing(project, cache_home, parses, plugins, rules):
    first = _scan(plugins, rules, project)
    assert parses["yaml"] and parses["hcl"]
    for calls in parses.values():
        calls.clear()
    second = _scan(plugins, rules, project)
    assert parses == {"yaml": [], "hcl": []}
    assert second == first and first


def test_a_changed_file_is_parsed_again(project, cache_home, parses, plugins, rules):
    _scan(plugins, rules, project)
    for calls in parses.values():
        calls.clear()
    web = project / "teams" / "storefront" / "web.yaml"
    web.write_text(web.read_text() + "# a new last line\n")
    _scan(plugins, rules, project)
    assert len(parses["yaml"]) == 1 and parses["yaml"][0].endswith("# a new last line\n")
    assert parses["hcl"] == []


def test_a_changed_variable_reparses_the_whole_terraform_folder(project, cache_home, parses, plugins, rules):
    before = _scan(plugins, rules, project, "infra")
    for calls in parses.values():
        calls.clear()
    variables = project / "infra" / "variables.tf"
    variables.write_text(variables.read_text() + '\nvariable "unused_by_anyone" {\n  default = 1\n}\n')
    after = _scan(plugins, rules, project, "infra")
    tf_files = sorted(p.name for p in (project / "infra").glob("*.tf"))
    assert sorted(set(Path(d).name for d in parses["hcl"])) == tf_files
    assert after == before


def test_a_file_scanned_from_elsewhere_keeps_its_own_paths(project, cache_home, plugins, rules):
    from_root = _scan(plugins, rules, project, "teams/search/ingress.yaml")
    from_team = _scan(plugins, rules, project / "teams" / "search", "ingress.yaml")
    assert from_root and all("teams/search/ingress.yaml" in loc for _, loc, _ in from_root)
    assert from_team and all(loc.startswith("ingress.yaml:") for _, loc, _ in from_team)
    assert [(c, m) for c, _, m in from_root] == [(c, m) for c, _, m in from_team]


def test_corrupt_entries_are_ignored(project, cache_home, parses, plugins, rules):
    first = _scan(plugins, rules, project)
    entries = [p for p in (cache_home / "eksguard" / "parse").rglob("*") if p.is_file()]
    assert entries
    for i, entry in enumerate(entries):  # truncated, garbage, another magic, empty
        entry.write_bytes([entry.read_bytes()[:40], b"\x80\x04garbage", b"not ours", b""][i % 4])
    for calls in parses.values():
        calls.clear()
    assert _scan(plugins, rules, project) == first
    assert parses["yaml"] and parses["hcl"]  # all misses, parsed again
    for calls in parses.values():
        calls.clear()
    assert _scan(plugins, rules, project) == first
    assert parses == {"yaml": [], "hcl": []}  # and rewritten


def test_another_version_is_another_cache(project, cache_home, monkeypatch):
    from eksguard.adapters.kubernetes import KubernetesAdapter
    from eksguard.adapters import Source

    source = Source("teams/search/ingress.yaml", project / "teams" / "search" / "ingress.yaml")
    key = ParseCache.open({}).key(KubernetesAdapter(), source)
    monkeypatch.setattr("eksguard.__version__", "99.0.0")
    assert ParseCache.open({}).key(KubernetesAdapter(), source) not in (None, key)
    assert ParseCache.open({"helm_set": ["a=b"]}).key(KubernetesAdapter(), source) != key
    # entries hold what the scan's retention keeps: another retention, other entries
    from eksguard.engine.retention import Retention

    kept = ParseCache.open({}, Retention()).key(KubernetesAdapter(), source)
    assert kept not in (None, ParseCache.open({}).key(KubernetesAdapter(), source))
    assert ParseCache.open({}, Retention(frozenset({"Role"}))).key(KubernetesAdapter(), source) != kept
    assert ParseCache.open({}, Retention(frozenset({"Role", "Secret"}))).key(KubernetesAdapter(), source) == \
        ParseCache.open({}, Retention(frozenset({"Secret", "Role"}))).key(KubernetesAdapter(), source)


def test_cache_false_reads_and_writes_nothing(project, cache_home, plugins, rules):
    _scan(plugins, rules, project, cache=False)
    assert not (cache_home / "eksguard" / "parse").exists()


def test_no_cache_flag_writes_nothing_and_the_cli_hits_its_cache(project, tmp_path):
    home = tmp_path / "fresh-xdg"
    proc = eksguard("scan", ".", "--no-cache", "-q", cwd=project, env={"XDG_CACHE_HOME": str(home)})
    assert proc.returncode in (0, 1), proc.stderr
    assert not home.exists()
    proc = eksguard("scan", ".", "-q", cwd=project, env={"XDG_CACHE_HOME": str(home)})
    entries = {p: p.stat().st_ino for p in (home / "eksguard" / "parse").rglob("*") if p.is_file()}
    assert entries
    again = eksguard("scan", ".", "-q", cwd=project, env={"XDG_CACHE_HOME": str(home)})
    assert again.stdout == proc.stdout
    # every entry was a hit: none was written again (a rewrite is a new file, a new inode)
    assert {p: p.stat().st_ino for p in (home / "eksguard" / "parse").rglob("*") if p.is_file()} == entries


def test_pruned_to_its_limit_oldest_first(project, cache_home, plugins, rules):
    _scan(plugins, rules, project)
    store = ParseCache.open({})
    entries = sorted(p for p in store.folder.rglob("*") if p.is_file())
    assert len(entries) > 3
    keep = sum(disk_usage(p.stat()) for p in entries[-2:])
    for age, path in enumerate(entries):
        stamp = 1_000_000_000 + age
        os.utime(path, (stamp, stamp))
    store.prune(limit=keep)
    assert sorted(p for p in store.folder.rglob("*") if p.is_file()) == entries[-2:]


def test_the_limit_is_disk_not_contents(project, cache_home, plugins, rules):
    """Entries are small files: the limit bounds the blocks they take (what ``du`` shows,
    and what fills a disk), not their contents, which are a fraction of that."""
    _scan(plugins, rules, project)
    store = ParseCache.open({})
    entries = [p for p in store.folder.rglob("*") if p.is_file()]
    contents = sum(p.stat().st_size for p in entries)
    if not hasattr(os, "statvfs") or sum(p.stat().st_blocks * 512 for p in entries) <= contents:
        pytest.skip("this file system stores small files in less than their size")
    store.prune(limit=contents)
    left = [p for p in store.folder.rglob("*") if p.is_file()]
    assert len(left) < len(entries)
    assert sum(p.stat().st_blocks * 512 for p in left) <= contents


def test_a_hit_marks_a_stale_entry_used_and_leaves_a_fresh_one_alone(project, cache_home, plugins, rules):
    """LRU to the hour: an entry read is touched only when its mark is over an hour old,
    so a warm scan is not one write per file."""
    import os

    _scan(plugins, rules, project)
    store = ParseCache.open({})
    entries = sorted(p for p in store.folder.rglob("*") if p.is_file())
    stale, fresh = entries[0], entries[1]
    old, recent = 1_000_000_000, int(__import__("time").time()) - 60
    os.utime(stale, (old, old))
    os.utime(fresh, (recent, recent))
    _scan(plugins, rules, project)
    assert stale.stat().st_mtime > recent
    assert fresh.stat().st_mtime == recent


WRITER = """
import sys
from pathlib import Path
from eksguard.engine.runner import scan
from eksguard.plugins import get_plugins

root = Path(sys.argv[1])
result = scan(["."], get_plugins(load_entrypoints=False), cwd=root, options={"jobs": 1})
print(len(result.findings))
"""


def test_concurrent_writers_do_not_corrupt_entries(project, cache_home, plugins, rules):
    """Two processes fill the same cache at once; every entry is then whole."""
    env = {**__import__("os").environ, "XDG_CACHE_HOME": str(cache_home)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(project)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert outputs[0][0] == outputs[1][0]
    store = ParseCache.open({})
    entries = [p for p in store.folder.rglob("*") if p.is_file()]
    assert entries and not [p for p in entries if p.name.startswith(".tmp-")]
    assert all(isinstance(store.load(p.name), Lifted) for p in entries)


class _Inputs:
    """An adapter whose output depends on a file beside the source and one elsewhere."""

    name = "inputs"

    def __init__(self, inputs):
        self._inputs = inputs  # private: public settings are part of the key

    def cache_inputs(self, source):
        return [source.path, *self._inputs]


def test_a_key_names_each_input_by_where_it_lies_from_the_source(tmp_path, cache_home):
    """Inputs are hashed with their names relative to the source's folder: the same
    contents under another name, or in another folder, are another entry; a path
    written another way (``a/../a``, a str or a Path) is the same input."""
    from eksguard.adapters import Source

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for path in ("a/main.tf", "a/vars.tf", "a/other.tf", "b/vars.tf"):
        (tmp_path / path).write_text("x = 1\n")
    source = Source("a/main.tf", tmp_path / "a" / "main.tf")
    store = ParseCache.open({})

    def key(*inputs):
        return store.key(_Inputs(list(inputs)), source)

    beside = key(tmp_path / "a" / "vars.tf")
    assert beside == key(str(tmp_path / "b" / ".." / "a" / "vars.tf")) == ParseCache.open({}).key(
        _Inputs([str(tmp_path / "a" / "vars.tf")]), source)
    assert key(tmp_path / "a" / "other.tf") != beside  # same bytes, another name
    assert key(tmp_path / "b" / "vars.tf") != beside  # same name and bytes, another folder
    (tmp_path / "b" / "vars.tf").write_text("x = 2\n")
    assert ParseCache.open({}).key(_Inputs([tmp_path / "b" / "vars.tf"]), source) != key(tmp_path / "b" / "vars.tf")


def test_under_fix_only_what_reads_a_fixed_text_is_lifted_again(project, cache_home, parses, plugins, rules):
    """``scan --fix`` verifies fixes by scanning with their texts in memory
    (``adapters.source.OVERLAY``). Sources that read none of those texts come from the
    cache (and may go to workers); those that do are lifted here from the new text and
    never cached; a Terraform file counts as reading its whole folder."""
    import os

    from eksguard.adapters.source import OVERLAY

    first = _scan(plugins, rules, project)
    for calls in parses.values():
        calls.clear()
    token = OVERLAY.set({})  # the round before anything is fixed: all from the cache
    try:
        assert _scan(plugins, rules, project) == first
    finally:
        OVERLAY.reset(token)
    assert parses == {"yaml": [], "hcl": []}
    web = project / "teams" / "storefront" / "web.yaml"
    variables = project / "infra" / "variables.tf"
    fixed_web = web.read_text() + "# fixed\n"
    fixed_variables = variables.read_text() + "\n# fixed\n"
    token = OVERLAY.set({os.path.realpath(web): fixed_web, os.path.realpath(variables): fixed_variables})
    try:
        _scan(plugins, rules, project)
    finally:
        OVERLAY.reset(token)
    assert parses["yaml"] == [fixed_web]
    tf_files = sorted(p.name for p in (project / "infra").glob("*.tf"))
    assert sorted(set(Path(d).name for d in parses["hcl"])) == tf_files
    for calls in parses.values():
        calls.clear()
    assert _scan(plugins, rules, project) == first  # the overlay's texts were never cached
    assert parses == {"yaml": [], "hcl": []}


@pytest.fixture
def hashed(monkeypatch):
    """Paths whose bytes the parse cache read to key them (eksguard/engine/digests.py)."""
    from eksguard.engine import cache

    reads: list[str] = []
    real = cache.read_bounded

    def counting(handle, limit):
        reads.append(handle.name)
        return real(handle, limit)

    monkeypatch.setattr(cache, "read_bounded", counting)
    return reads


def test_a_warm_scan_stats_unchanged_files_instead_of_reading_them(project, cache_home, hashed, parses, plugins,
                                                                   rules, monkeypatch):
    import os

    from eksguard.engine import digests

    monkeypatch.setattr(digests, "RACY_NS", 0)  # files written by this test are old enough at once
    first = _scan(plugins, rules, project)
    assert len(hashed) > 20 and len(list((cache_home / "eksguard" / "file-digests").iterdir())) == 1
    hashed.clear()
    assert _scan(plugins, rules, project) == first
    assert hashed == []
    # the same size and modification time, other bytes: the change time still tells
    web = project / "teams" / "storefront" / "web.yaml"
    before = web.stat()
    web.write_text(web.read_text().replace("name: storefront-web\n", "name: storefront-wex\n", 1))
    assert web.stat().st_size == before.st_size
    os.utime(web, ns=(before.st_atime_ns, before.st_mtime_ns))
    for calls in parses.values():
        calls.clear()
    _scan(plugins, rules, project)
    assert hashed == [str(web)]
    assert len(parses["yaml"]) == 1 and "storefront-wex" in parses["yaml"][0]


def test_a_file_written_just_before_a_scan_is_read_again_next_time(project, cache_home, hashed, plugins, rules):
    """Racy: a write within the timestamp granularity of the read that hashed a file
    would not move its times, so a digest is kept only for a file older than RACY_NS."""
    web = project / "teams" / "storefront" / "web.yaml"
    web.write_text(web.read_text() + "# just now\n")
    _scan(plugins, rules, project)
    hashed.clear()
    _scan(plugins, rules, project)
    assert str(web) in hashed
