"""Render one chart with helm-python-sdk (Helm's Go engine), as ``helm template`` would.

Run as a script in a child process (``python -I this-file``) by
:mod:`eksguard.adapters.helm`, so that a slow or crashing chart can be stopped and
the scanning process never loads the engine. Self-contained: imports nothing from
eksguard. Reads a JSON request on stdin::

    {"chart": "/abs/chart", "values_files": ["/abs/v.yaml"], "set": ["a.b=1"],
     "name": "release-name", "namespace": "default"}

and writes one JSON object on stdout: ``{"manifests": {template: text}}`` or
``{"error": {"kind": ..., "message": ...}}``. Offline only: no dependency
download, no cluster, no plugins, DNS lookups disabled (Helm's default).
"""

from __future__ import annotations

import json
import sys


def _merge(base: dict, override: dict) -> dict:
    """Helm's ``mergeMaps`` (pkg/cli/values): nested maps merge, anything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _error(kind: str, message: str) -> dict:
    return {"error": {"kind": kind, "message": message}}


def render(request: dict) -> dict:
    try:
        import helm_python as helm
    except Exception as exc:  # noqa: BLE001 - a broken install is reported, not raised
        return _error("unavailable", f"helm-python-sdk cannot be loaded: {exc}")
    values: dict = {}
    try:
        for path in request.get("values_files", []):
            with open(path, encoding="utf-8") as handle:
                values = _merge(values, helm.values_from_yaml(handle.read()) or {})
        for expression in request.get("set", []):
            values = _merge(values, helm.parse_set_string(expression))
    except OSError as exc:
        return _error("values", f"cannot read values file: {exc}")
    except helm.HelmError as exc:
        return _error("values", str(exc))
    try:
        with helm.Chart.load(request["chart"]) as chart:
            declared = chart.metadata.get("dependencies") or []
            loaded = {dep.get("name") for dep in chart.dependencies}
            missing = [d.get("name") for d in declared if isinstance(d, dict) and d.get("name") not in loaded]
            if missing:
                return _error("dependencies", "found in Chart.yaml, but missing in charts/ directory: "
                              + ", ".join(str(m) for m in missing))
            if chart.metadata.get("type") == "library":
                return {"manifests": {}}
            chart.validate_schema(chart.merge_values(values))
            manifests = chart.render(values, name=request.get("name", "release-name"),
                                     namespace=request.get("namespace", "default"),
                                     is_install=True)
    except helm.HelmError as exc:
        return _error(type(exc).__name__, str(exc))
    return {"manifests": manifests}


def main() -> int:
    request = json.loads(sys.stdin.read())
    json.dump(render(request), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
