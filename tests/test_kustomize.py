"""Kustomize folders rendered by the real ``kubectl kustomize``, positions mapped back.

Fixtures live in ``testdata/kustomize/`` and use only what every kubectl since 1.20
understands (``bases``, ``patchesStrategicMerge``): Debian's kubectl is 1.20. Tests that
render skip without kubectl, and fail instead under CI (``CI=true``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from eksguard.adapters.kustomize import kustomize_roots
from eksguard.discover import discover
from renderers import hits, require, run, write

ROOT = Path(__file__).resolve().parent.parent
SHOP = "testdata/kustomize/shop"


@pytest.fixture
def kubectl():
    require(shutil.which("kubectl") is not None, "kubectl")




def fake_tool(tmp_path: Path, name: str, body: str) -> Path:
    tool = tmp_path / "bin" / name
    tool.parent.mkdir(exist_ok=True)
    tool.write_text("#!/bin/sh\n" + body)
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tool


# -- what is rendered -------------------------------------------------------------------

def test_overlays_are_rendered_and_their_base_is_not_scanned_alone():
    found = discover([SHOP], cwd=ROOT)
    assert [(s.display, s.is_dir) for s in found.sources] == [
        (f"{SHOP}/overlays/dev", True), (f"{SHOP}/overlays/prod", True)]
    assert found.skipped == [(f"{SHOP}/base", f"kustomize base, rendered through {SHOP}/overlays/dev, {SHOP}/overlays/prod")]


def test_plain_manifests_beside_kustomizations_are_still_scanned(tmp_path):
    write(tmp_path, {
        "app/kustomization.yaml": "resources: [deployment.yaml]\n",
        "app/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n",
        "app/nested/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
        "other/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    })
    found = discover(["."], cwd=tmp_path)
    assert [(s.display, s.is_dir) for s in found.sources] == [("app", True), ("other/cm.yaml", False)]


def test_kustomizations_that_use_each_other_still_render_one(tmp_path):
    for name, base in {"a": "../b", "b": "../a", "c": "../a"}.items():
        write(tmp_path, {f"{name}/kustomization.yaml": f"bases: [{base}]\n"})
    assert kustomize_roots(tmp_path, ["a", "b", "c"]) == (["c"], {"a": ["c"], "b": ["c"]})
    write(tmp_path, {"c/kustomization.yaml": "resources: []\n"})  # a and b only use each other
    assert kustomize_roots(tmp_path, ["a", "b", "c"]) == (["a", "c"], {"b": ["a"]})


# -- rendering and positions ------------------------------------------------------------

def test_overlay_findings_point_at_the_files_that_declared_them(kubectl, plugins, rules):
    result = run(plugins, rules, SHOP, retain=False)  # every object lifted (the generated ConfigMap too)
    base, prod = f"{SHOP}/base/", f"{SHOP}/overlays/prod/"
    # dev keeps the base's single replica; prod patches it to 4.
    assert hits(result, "EKS406") == [(base + "deployment.yaml", 2, 1, "EKS406")]
    [finding] = [f for f in result.findings if f.code == "EKS406"]
    assert "shop-prod/prod-storefront runs 4 replicas" in finding.message
    assert hits(result, "EKS602") == [(prod + "ingress.yaml", 8, 5, "EKS602")]
    deployments = {d.namespace: d for d in result.platform.kinds("Deployment")}
    assert sorted(deployments) == ["shop-dev", "shop-prod"]
    deployment = deployments["shop-prod"]
    assert deployment.origin.format == "kustomize"

    def at(location):
        return location.path, location.line, location.column

    containers = ("spec", "template", "spec", "containers")
    assert at(deployment.location("spec", "replicas")) == (prod + "replicas.yaml", 6, 3)  # the patch set it
    assert at(deployments["shop-dev"].location("spec", "replicas")) == (base + "deployment.yaml", 6, 3)
    assert at(deployment.location(*containers, 0, "image")) == (base + "deployment.yaml", 17, 11)
    assert at(deployment.value_location(*containers, 0, "image")) == (base + "deployment.yaml", 17, 18)
    assert at(deployment.location(*containers, 0, "ports", 0, "containerPort")) == (base + "deployment.yaml", 19, 15)
    # Keys a transformer added (namespace, commonLabels) point at their nearest written ancestor.
    assert at(deployment.location("metadata", "namespace")) == (base + "deployment.yaml", 3, 1)
    [config] = result.platform.kinds("ConfigMap")  # from configMapGenerator: no file declares it
    assert at(config.kind_location()) == (prod + "kustomization.yaml", 1, 1)


def test_a_base_scanned_alone_renders_alone(kubectl, plugins, rules):
    result = run(plugins, rules, f"{SHOP}/base")
    assert [s.display for s in result.sources] == [f"{SHOP}/base"]
    assert hits(result, "EKS406") == []
    [deployment] = result.platform.kinds("Deployment")
    assert deployment.kind_location().path == f"{SHOP}/base/deployment.yaml"
    assert deployment.labels == {"app.kubernetes.io/part-of": "shop"}


def test_scanned_from_inside_an_overlay(kubectl, plugins, rules):
    cwd = ROOT / SHOP / "overlays" / "prod"
    result = run(plugins, rules, ".", cwd=cwd)
    assert hits(result, "EKS406") == [("../../base/deployment.yaml", 2, 1, "EKS406")]


def test_a_kustomization_that_fails_is_eks002_at_the_entry(kubectl, plugins, rules):
    result = run(plugins, rules, "testdata/kustomize/missing-resource")
    [finding] = result.findings
    assert (finding.code, finding.location.path, finding.location.line) == (
        "EKS002", "testdata/kustomize/missing-resource/kustomization.yaml", 5)
    assert "service.yaml" in finding.message and str(ROOT) not in finding.message


def test_a_failure_under_a_long_checkout_path_never_shows_the_absolute_path(kubectl, plugins, rules, tmp_path):
    """The message is cut to length after the paths are replaced, not before (a deep
    checkout once left half an absolute path in the finding)."""
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)
    shutil.copytree(ROOT / "testdata/kustomize/missing-resource", deep / "k")
    result = run(plugins, rules, "k", cwd=deep)
    [finding] = result.findings
    assert finding.code == "EKS002" and "service.yaml" in finding.message
    assert not re.search(r"(^|[\s'\"=])/\w", finding.message), finding.message  # no absolute path, whole or cut


def test_the_cli_reports_every_kustomization_and_goes_on(kubectl):
    proc = subprocess.run([sys.executable, "-m", "eksguard", "scan", "testdata/kustomize", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "EKSGUARD_DEBUG": "1"})
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    found = {(f["location"]["path"], f["code"]) for f in json.loads(proc.stdout)["findings"]}
    assert {("testdata/kustomize/broken-resource/deployment.yaml", "EKS001"),
            ("testdata/kustomize/missing-resource/kustomization.yaml", "EKS002"),
            ("testdata/kustomize/remote-base/kustomization.yaml", "EKS002"),
            (f"{SHOP}/base/deployment.yaml", "EKS406")} <= found


# -- refused before rendering (no kubectl needed) ----------------------------------------

def test_remote_bases_are_eks002_and_nothing_runs(plugins, rules, tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    fake_tool(tmp_path, "kubectl", f"touch {marker}\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    write(tmp_path, {
        "app/kustomization.yaml": "bases: [../base]\n",
        "base/kustomization.yaml": """\
            resources:
              - service.yaml
              - https://github.com/example/platform//deploy/base?ref=v1.2.0
            """,
        "base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
    })
    result = run(plugins, rules, "app", cwd=tmp_path)
    assert hits(result) == [("base/kustomization.yaml", 3, 1, "EKS002")]
    assert "does not fetch over the network" in result.findings[0].message
    assert not marker.exists()
    remote = run(plugins, rules, "testdata/kustomize/remote-base")
    assert hits(remote) == [("testdata/kustomize/remote-base/kustomization.yaml", 4, 1, "EKS002")]


def test_an_unparsable_resource_is_eks001_at_its_position(plugins, rules):
    result = run(plugins, rules, "testdata/kustomize/broken-resource")
    assert hits(result) == [("testdata/kustomize/broken-resource/deployment.yaml", 7, 1, "EKS001")]


def test_without_a_renderer_the_kustomization_is_one_eks002_with_the_command(plugins, rules):
    result = run(plugins, rules, SHOP + "/overlays/prod", kustomize_renderer="none")
    [finding] = result.findings
    assert (finding.code, finding.location.path, finding.location.line) == (
        "EKS002", f"{SHOP}/overlays/prod/kustomization.yaml", 1)
    assert f"`kubectl kustomize {SHOP}/overlays/prod | eksguard scan -`" in finding.message


def test_an_unused_component_is_eks002(plugins, rules, tmp_path):
    write(tmp_path, {"comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"})
    [finding] = run(plugins, rules, "comp", cwd=tmp_path).findings
    assert finding.code == "EKS002" and "Component" in finding.message


def test_rendering_is_bounded_and_sandboxed(plugins, rules, tmp_path, monkeypatch):
    env_file = tmp_path / "env"
    fake_tool(tmp_path, "kubectl", f"env > {env_file}\nexec sleep 30\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    write(tmp_path, {"app/kustomization.yaml": "resources: []\n"})
    result = run(plugins, rules, "app", cwd=tmp_path, render_timeout=1, kustomize_renderer="kubectl")
    assert hits(result) == [("app/kustomization.yaml", 1, 1, "EKS002")]
    assert "longer than 1 s" in result.findings[0].message
    env = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    assert env["HTTPS_PROXY"] == "http://127.0.0.1:9" and env["GIT_ALLOW_PROTOCOL"] == "none"
    assert env["HOME"] != os.environ.get("HOME")


# -- the parse cache ------------------------------------------------------------------

def test_a_kustomization_is_rendered_again_only_when_a_file_it_can_read_changes(kubectl, plugins, rules, renders,
                                                                                tmp_path):
    """kustomize reads only below each kustomization root it builds: the overlay's folder
    and those of the bases it reaches. A render is kept in the parse cache under those
    files and the renderer; a change below one root renders the overlays that reach it.
    (One process: renders in a worker would not be counted here.)"""
    shop = tmp_path / "shop"
    shutil.copytree(ROOT / SHOP, shop)
    first = run(plugins, rules, ".", cwd=shop, jobs=1)
    assert len(renders) == 2  # dev and prod
    again = run(plugins, rules, ".", cwd=shop, jobs=1)
    assert len(renders) == 2
    assert [(f.code, str(f.location), f.message) for f in again.findings] == \
        [(f.code, str(f.location), f.message) for f in first.findings]

    base = shop / "base" / "deployment.yaml"
    base.write_text(base.read_text().replace("replicas: 1", "replicas: 2"))
    changed = run(plugins, rules, ".", cwd=shop, jobs=1)
    assert len(renders) == 4  # both overlays use the base
    assert len(hits(changed, "EKS406")) == 2
    patch = shop / "overlays" / "prod" / "replicas.yaml"
    patch.write_text(patch.read_text().replace("replicas: 4", "replicas: 5"))
    run(plugins, rules, ".", cwd=shop, jobs=1)
    assert len(renders) == 5  # prod only
    (shop / "overlays" / "dev" / "notes.txt").write_text("a file kustomize could read\n")
    run(plugins, rules, ".", cwd=shop, jobs=1)
    assert len(renders) == 6  # dev only


def test_the_renderer_is_part_of_what_a_render_is_kept_under(kubectl, plugins, rules, renders, tmp_path,
                                                             monkeypatch):
    """Another kubectl (one earlier on PATH, or a new build of it) renders again; a
    render that timed out is not kept."""
    write(tmp_path, {"app/kustomization.yaml": "resources: [cm.yaml]\n",
                     "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"})
    run(plugins, rules, "app", cwd=tmp_path, kustomize_renderer="kubectl")
    run(plugins, rules, "app", cwd=tmp_path, kustomize_renderer="kubectl")
    assert len(renders) == 1
    slow = fake_tool(tmp_path, "kubectl", "exec sleep 30\n")
    monkeypatch.setenv("PATH", f"{slow.parent}{os.pathsep}{os.environ['PATH']}")
    for _ in range(2):
        result = run(plugins, rules, "app", cwd=tmp_path, kustomize_renderer="kubectl", render_timeout=0.5)
        assert "longer than 0.5 s" in result.findings[0].message
    assert len(renders) == 3
    real = shutil.which("kubectl", path=os.environ["PATH"].split(os.pathsep, 1)[1])
    slow.write_text(f'#!/bin/sh\nexec {real} "$@"\n')  # the same path, another build
    run(plugins, rules, "app", cwd=tmp_path, kustomize_renderer="kubectl")
    run(plugins, rules, "app", cwd=tmp_path, kustomize_renderer="kubectl")
    assert len(renders) == 4


def test_the_files_a_render_is_keyed_by(tmp_path):
    """files_below (charts and kustomizations alike): every regular file below the roots,
    once, .git aside; None past the limit or when a link is among them."""
    from eksguard.adapters.folders import files_below

    write(tmp_path, {"app/kustomization.yaml": "resources: [a.yaml]\n", "app/a.yaml": "a: 1\n",
                     "app/sub/b.yaml": "b: 1\n", "app/.git/HEAD": "ref\n"})
    app = tmp_path / "app"
    assert files_below([app, app / "sub"], 10) == [app / "a.yaml", app / "kustomization.yaml", app / "sub" / "b.yaml"]
    assert files_below([app], 2) is None
    (app / "sub" / "link.yaml").symlink_to(app / "a.yaml")
    assert files_below([app], 10) is None
