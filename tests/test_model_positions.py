"""Every mapping and sequence the adapters put in the model keeps its positions in step
with its keys and items (``eksguard.yaml_loader.YMap``: one flat array per container).

A key set as a plain dict item (``m[k] = v`` instead of ``m.put(k, v, mark, mark)``)
leaves the map's positions out of step; the map then answers "unknown" for every key
and findings fall back to the enclosing object's line. This walks the model of all of
testdata (every format: YAML, Helm, kustomize, eksctl, Terraform, plans, scripts) and
fails on the first container out of step, naming the file it came from."""

from __future__ import annotations

from pathlib import Path

from eksguard.engine.runner import scan
from eksguard.plugins import get_plugins
from eksguard.yaml_loader import YMap, YSeq

ROOT = Path(__file__).resolve().parent.parent


def _containers(obj: object):
    """Every YMap/YSeq reachable from a model object's attributes, once each."""
    seen: set[int] = set()
    stack = [obj]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, (YMap, YSeq)):
            yield node
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)
        elif type(node).__module__.startswith("eksguard.model"):
            attrs = getattr(node, "__dict__", {})
            stack.extend(attrs.values())
            for cls in type(node).__mro__:
                for slot in getattr(cls, "__slots__", ()):
                    if slot != "origin" and hasattr(node, slot):
                        stack.append(getattr(node, slot))


def test_every_container_of_the_model_keeps_its_positions_in_step():
    plugins = get_plugins(load_entrypoints=False)
    result = scan([str(ROOT / "testdata")], plugins, cwd=ROOT, options={"jobs": 1, "cache": False, "retain": False})
    checked = 0
    for obj in result.platform.objects:
        for container in _containers(obj):
            checked += 1
            assert container.in_step(), f"{obj!r}: {dict(container) if isinstance(container, YMap) else container}"
    assert checked > 5_000
    formats = {getattr(obj.origin, "format", None) for obj in result.platform.objects if hasattr(obj, "origin")}
    assert {"yaml", "helm-output", "eksctl", "terraform", "kustomize"} <= formats, formats
