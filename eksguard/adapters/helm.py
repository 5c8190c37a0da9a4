"""Helm charts: a folder with ``Chart.yaml`` is a template, not a manifest.

Rendering comes with the formats work (``helm template`` or the ``helm`` extra).
Until a renderer is available the chart is reported once as EKS002 with the
command that renders it, instead of one parse error per template file.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from eksguard.adapters import Sink, Source
from eksguard.findings import Location

CHART_FILES = ("Chart.yaml", "Chart.yml")


def is_chart_dir(names: set[str] | list[str]) -> bool:
    return any(name in names for name in CHART_FILES)


class HelmChartAdapter:
    name = "helm-chart"

    def claims(self, source: Source) -> bool:
        return source.is_dir and source.path is not None and any(
            (source.path / name).is_file() for name in CHART_FILES
        )

    def lift(self, source: Source, sink: Sink) -> None:
        assert source.path is not None
        chart_file = next(name for name in CHART_FILES if (source.path / name).is_file())
        display = (PurePosixPath(source.display) / chart_file).as_posix()
        sink.problem(
            "EKS002",
            Location(display, 1, 1),
            f"Helm chart {source.display} was not rendered (no renderer available): "
            f"run `helm template {source.display} | eksguard scan -`",
        )
