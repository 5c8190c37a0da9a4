"""A plugin package adds a rule and a formatter without touching eksguard's code.

The plugin (tests/plugins/eksguard_demo_plugin) is made installed the way pip would:
a ``*.dist-info`` folder with an ``entry_points.txt`` for group ``eksguard`` on
``sys.path``; eksguard finds it through ``importlib.metadata`` like any other.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clirun import eksguard

PLUGINS = Path(__file__).resolve().parent / "plugins"

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
"""


@pytest.fixture
def plugin_env(tmp_path):
    site = tmp_path / "site"
    dist = site / "eksguard_demo_plugin-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: eksguard-demo-plugin\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[eksguard]\ndemo = eksguard_demo_plugin\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(PLUGINS), env.get("PYTHONPATH", "")])
    (tmp_path / "deploy.yaml").write_text(MANIFEST)
    return tmp_path, env


def run(args, cwd, env):
    return eksguard(*args, cwd=cwd, env=env)


def test_plugin_rule_and_formatter(plugin_env):
    cwd, env = plugin_env
    listed = run(["rules"], cwd, env)
    assert listed.returncode == 0, listed.stderr
    assert "DEMO001  latest-image-tag" in listed.stdout
    text = run(["scan", "deploy.yaml"], cwd, env)
    assert "deploy.yaml:9:11: DEMO001 [warning] Deployment web runs image nginx:latest without a pinned tag" in text.stdout
    assert text.returncode == 1
    counted = run(["scan", "deploy.yaml", "--format", "count"], cwd, env)
    assert counted.stdout == "1 findings\n", counted.stderr
    assert counted.returncode == 1


def test_plugin_can_be_disabled(plugin_env):
    cwd, env = plugin_env
    env["EKSGUARD_DISABLE_PLUGINS"] = "demo"
    listed = run(["rules"], cwd, env)
    assert "DEMO001" not in listed.stdout
    unknown = run(["scan", "deploy.yaml", "--format", "count"], cwd, env)
    assert unknown.returncode == 2
    assert "unknown format 'count'" in unknown.stderr


def test_invalid_plugin_rule_file_is_a_one_line_error(plugin_env, tmp_path):
    cwd, env = plugin_env
    broken = tmp_path / "brokenplugin"
    (broken / "eksguard_broken_plugin" / "rules" / "demo").mkdir(parents=True)
    (broken / "eksguard_broken_plugin" / "__init__.py").write_text(
        "from pathlib import Path\nfrom eksguard.hookspecs import hookimpl\n"
        "@hookimpl\ndef eksguard_register_rule_dirs():\n    return [Path(__file__).parent / 'rules']\n"
    )
    (broken / "eksguard_broken_plugin" / "rules" / "demo" / "bad-rule.yaml").write_text(
        "code: DEMO002\nname: bad-rule\nseverity: fatal\n"
    )
    dist = tmp_path / "site" / "eksguard_broken_plugin-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: eksguard-broken-plugin\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[eksguard]\nbroken = eksguard_broken_plugin\n")
    env["PYTHONPATH"] = os.pathsep.join([str(broken), env["PYTHONPATH"]])
    result = run(["rules"], cwd, env)
    assert result.returncode == 2
    assert "bad-rule.yaml: invalid rule file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_entry_point_cache_follows_installs_and_removals(tmp_path):
    """Entry points are cached between runs (importlib.metadata costs ~30 ms of a
    one-file scan), and the cache notices a plugin installed, changed or removed."""
    import shutil

    site = tmp_path / "site"
    site.mkdir()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join([str(site), str(PLUGINS), os.environ.get("PYTHONPATH", "")])}
    env.pop("EKSGUARD_NO_CACHE", None)

    def demo_listed() -> bool:
        listed = run(["rules"], tmp_path, env)
        assert listed.returncode == 0, listed.stderr
        return "DEMO001" in listed.stdout

    assert not demo_listed()
    [cached] = (tmp_path / "cache" / "eksguard").glob("entry-points-*.json")  # cached, and used next
    written = cached.stat().st_ino
    assert not demo_listed()
    (site / "notes.txt").write_text("a file that is no distribution\n")  # the folder's mtime moves
    assert not demo_listed()
    assert cached.stat().st_ino == written  # still a hit: not read again, not rewritten
    dist = site / "eksguard_demo_plugin-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: eksguard-demo-plugin\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[eksguard]\ndemo = eksguard_demo_plugin\n")
    assert demo_listed()  # installed
    (dist / "entry_points.txt").write_text("[other]\ndemo = eksguard_demo_plugin\n")
    os.utime(dist / "entry_points.txt", ns=(1, 1))  # rewritten in place, even within the same tick
    assert not demo_listed()  # changed
    (dist / "entry_points.txt").write_text("[eksguard]\ndemo = eksguard_demo_plugin\n")
    assert demo_listed()
    shutil.rmtree(dist)
    assert not demo_listed()  # removed


def test_entry_point_values_load_like_importlib_metadata():
    from eksguard.entry_points import load

    assert load("os.path:join") is os.path.join
    assert load("os.path") is os.path
    assert load("os:path.join [extra]") is os.path.join
