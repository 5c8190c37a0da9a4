"""Folders that are one input: Helm charts and kustomizations.

Only names and cheap checks live here, so that discovery and adapter registration do
not load the renderers: :mod:`eksguard.adapters.helm` and
:mod:`eksguard.adapters.kustomize` are imported when a chart or a kustomization is
actually lifted (a YAML-only scan never loads them, nor helm-python-sdk).
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from eksguard.adapters import Sink, Source
from eksguard.findings import Location

CHART_FILES = ("Chart.yaml", "Chart.yml")
#: A chart with more files than this is rendered every scan rather than hashed.
MAX_CHART_FILES = 5000
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def files_below(folders: list, limit: int) -> list[Path] | None:
    """Every regular file below ``folders`` (``.git`` aside), sorted: what a renderer
    can read, for the parse cache to key its output by. None, so the source is rendered
    every scan, when a link is among them (the renderer follows it, eksguard reads nothing
    a link leads to), a folder cannot be listed, or there are over ``limit`` files."""
    out: set[Path] = set()
    seen: set[str] = set()
    todo = [os.fspath(folder) for folder in folders]
    while todo:
        current = todo.pop()
        real = os.path.realpath(current)
        if real in seen:  # two roots, one below the other
            continue
        seen.add(real)
        try:
            entries = list(os.scandir(current))
        except OSError:
            return None
        for entry in entries:
            if entry.name == ".git":
                continue
            if entry.is_symlink():
                return None
            if entry.is_dir(follow_symlinks=False):
                todo.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                out.add(Path(entry.path))
        if len(out) > limit:
            return None
    return sorted(out)


def is_chart_dir(names: set[str] | list[str]) -> bool:
    return any(name in names for name in CHART_FILES)


class ChartAdapter:
    """Claims a folder with ``Chart.yaml``; see :class:`eksguard.adapters.helm.HelmChartAdapter`."""

    name = "helm-chart"

    def claims(self, source: Source) -> bool:
        return source.is_dir and source.path is not None and any(
            (source.path / name).is_file() for name in CHART_FILES
        )

    def lift(self, source: Source, sink: Sink) -> None:
        from eksguard.adapters.helm import HelmChartAdapter

        _guarded(HelmChartAdapter(), source, sink, "Helm chart", CHART_FILES)

    def cache_inputs(self, source: Source) -> list | None:
        """Every file Helm can read rendering the chart: all below it (templates, values,
        ``Chart.yaml``/``Chart.lock``, ``charts/`` and its archives, what ``.Files``
        reads; Helm reads nothing outside a chart, and the scan never downloads a
        dependency). With :meth:`cache_salt`, what the parse cache keeps a render under."""
        return files_below([source.path], MAX_CHART_FILES) if source.is_dir and source.path is not None else None

    def cache_salt(self, source: Source, options: dict) -> str | None:
        """The engine and the values files a render depends on besides the chart."""
        from eksguard.adapters.helm import render_salt

        return render_salt(options)


class KustomizationAdapter:
    """Claims a folder with a kustomization; see :class:`eksguard.adapters.kustomize.KustomizeAdapter`."""

    name = "kustomize"

    def claims(self, source: Source) -> bool:
        return source.is_dir and source.path is not None and any(
            (source.path / name).is_file() for name in KUSTOMIZATION_FILES
        )

    def lift(self, source: Source, sink: Sink) -> None:
        from eksguard.adapters.kustomize import KustomizeAdapter

        _guarded(KustomizeAdapter(), source, sink, "kustomization", KUSTOMIZATION_FILES)

    def cache_inputs(self, source: Source) -> list | None:
        """The files a render can read (:func:`eksguard.adapters.kustomize.kustomization_inputs`)."""
        from eksguard.adapters.kustomize import kustomization_inputs

        return kustomization_inputs(source.path) if source.is_dir and source.path is not None else None

    def cache_salt(self, source: Source, options: dict) -> str | None:
        """The renderer binary a render depends on besides the files."""
        from eksguard.adapters.kustomize import render_salt

        return render_salt(source.path, options) if source.path is not None else None


def _guarded(adapter, source: Source, sink: Sink, what: str, names: tuple[str, ...]) -> None:
    """Adapters never raise: an unexpected error (a bug, an unreadable folder) is one
    EKS002 on the folder and the scan goes on (``EKSGUARD_DEBUG=1`` re-raises)."""
    try:
        adapter.lift(source, sink)
    except Exception as exc:  # noqa: BLE001 - isolation boundary, see docstring
        if os.environ.get("EKSGUARD_DEBUG") == "1":
            raise
        sink.transient = True  # an unreadable folder may be readable next time
        assert source.path is not None
        name = next((n for n in names if (source.path / n).is_file()), names[0])
        display = name if source.display in ("", ".") else posixpath.join(source.display, name)
        sink.problem("EKS002", Location(display, 1, 1),
                     f"{what} {source.display} was not rendered: internal error "
                     f"({type(exc).__name__}: {exc}); please report it")
