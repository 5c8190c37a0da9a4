"""Kubernetes manifests: YAML and JSON, multi-document, ``List`` kinds, Helm output, stdin.

Documents are loaded with :mod:`eksguard.yaml_loader` (positions on every
key and value). A document is ours when it has string ``apiVersion`` and ``kind``;
``*List`` kinds contribute their ``items``. Rendered Helm output keeps the template
each document came from (the ``# Source:`` comment above it).
"""

from __future__ import annotations

import bisect
import re
from typing import Protocol

from eksguard.adapters import Sink, Source
from eksguard.adapters.eksctl import lift_cluster_config
from eksguard.adapters.source import Unreadable, read_text, text_position
from eksguard.limits import limits_of
from eksguard.yaml_loader import Document, YamlLimits, YamlProblem, load_documents
from eksguard.findings import Location
from eksguard.model import Origin, make_object

SUFFIXES = (".yaml", ".yml", ".json")
_SOURCE_COMMENT = re.compile(r"^# Source: (.+?)\s*$", re.MULTILINE)
# A template action where YAML structure goes: alone on a line, or as an unquoted value.
# Possessive indents: a line of many blanks must not make the search quadratic (a broken
# file with a 1 MiB line of spaces would take hours).
_TEMPLATE_LINE = re.compile(r"^[ \t]*+(?:-[ \t]++)?(?:[^#\n]*?:[ \t]+)?\{\{", re.MULTILINE)
# Helm-only template references. Other Go templates that live in rendered manifests as
# data (Alertmanager ``{{ define }}``/``{{ range .Alerts }}``, Prometheus
# ``{{ $labels.x }}``, Argo ``{{inputs.parameters.x}}``) must not hide a file.
_HELM_DIRECTIVE = re.compile(r"\{\{-?[^}\n]*?(?:\.Values\b|\.Release\b|\.Chart\b|\.Capabilities\b|\binclude\s+\")")


def _opens_template(lines: list[str], mark: tuple[int, int]) -> bool:
    """The collection at ``mark`` (1-based) is part of a ``{{`` template action: the key of
    ``{{ x }}`` is the inner ``{``, so the text at or just before it reads ``{{``."""
    line, column = mark
    if not 0 < line <= len(lines):
        return False
    text = lines[line - 1]
    return text[column - 1:column + 1] == "{{" or (column > 1 and text[column - 2:column] == "{{")


class Placement(Protocol):
    """Where the documents of rendered text came from, for adapters that render their
    input (a Helm chart, a kustomization) and map positions back to the files that
    produced it. Rendered text is output: template-looking strings in it are data."""

    def origin(self, doc: Document, fmt: str) -> Origin:
        """The origin of one rendered document (its path, template and line map)."""

    def location(self, line: int, column: int) -> Location:
        """Where a problem at ``(line, column)`` of the rendered text should be reported."""


class KubernetesAdapter:
    """Lifts Kubernetes-shaped YAML/JSON documents into the platform model."""

    name = "kubernetes"

    def __init__(self, limits: YamlLimits | None = None, max_bytes: int | None = None):
        self.limits = limits  # None: the scan's (``limits:`` of the config, eksguard/limits.py)
        self.max_bytes = max_bytes

    def _yaml_limits(self, sink: Sink) -> YamlLimits:
        return self.limits if self.limits is not None else limits_of(sink.options).yaml()

    def claims(self, source: Source) -> bool:
        return source.stdin_data is not None or (not source.is_dir and source.suffix in SUFFIXES)

    def cache_inputs(self, source: Source) -> list | None:
        """What :meth:`lift` reads: the file alone (the parse cache, ``engine/cache.py``)."""
        return [source.path] if source.path is not None and not source.is_dir else None

    def lift(self, source: Source, sink: Sink) -> None:
        try:
            text = read_text(source, self.max_bytes, limits=limits_of(sink.options))
        except Unreadable as exc:
            sink.problem("EKS001", Location(source.display, exc.line, exc.column), exc.message)
            return
        self.lift_text(source, text, sink)

    def lift_text(
        self, source: Source, text: str, sink: Sink, fmt: str | None = None, placement: Placement | None = None
    ) -> None:
        """Lift already-read text (a file, stdin, or a renderer's output) as ``source``.

        ``placement`` is for a renderer's output: it gives each document its origin and
        each problem its location (see :class:`Placement`)."""
        if placement is not None:
            self._lift_rendered(text, sink, fmt or "rendered", placement)
            return
        sources = helm_sources(text)
        template_at = None if sources else helm_directive(text)
        if template_at is not None:
            self._unrendered(source, sink, *template_at)
            return
        try:
            documents = load_documents(text, self._yaml_limits(sink))
        except YamlProblem as problem:
            documents = problem.documents
            self._report(source, text, sources, problem, sink)
        complex_keys = [mark for doc in documents for mark in doc.complex_keys]
        if complex_keys and not sources:
            # ``key: {{ f x }}`` is valid YAML (a flow mapping used as a key); in a
            # manifest it can only be an unrendered template.
            lines = text.splitlines()
            template_keys = [mark for mark in complex_keys if _opens_template(lines, mark)]
            if template_keys:
                self._unrendered(source, sink, *template_keys[0])
                return
        # Any other collection used as a key (``? [a, b]``) is YAML no Kubernetes tool
        # accepts: that document is an EKS001, the file's other documents are still read.
        broken = [doc for doc in documents if doc.complex_keys]
        for doc in broken:
            sink.problem("EKS001", Location(source.display, *doc.complex_keys[0]),
                         "a mapping or sequence used as a mapping key: Kubernetes and JSON allow only "
                         "scalar keys; this document is not checked")
        documents = [doc for doc in documents if not doc.complex_keys]
        for doc in documents:
            for key, first, line, column in doc.duplicates:
                sink.problem(
                    "EKS001",
                    Location(source.display, line, column),
                    f"duplicate key {key!r} (first at line {first}): YAML forbids duplicate keys "
                    f"and tools disagree on which value wins",
                )
        fmt = fmt or ("helm-output" if sources else ("json" if source.suffix == ".json" else "yaml"))
        previous_end = 0
        for doc in documents:
            self._lift_document(source, doc, fmt, sources, previous_end, sink)
            previous_end = doc.end_line

    def _lift_rendered(self, text: str, sink: Sink, fmt: str, placement: Placement) -> None:
        try:
            documents = load_documents(text, self._yaml_limits(sink))
        except YamlProblem as problem:
            documents = problem.documents
            sink.problem("EKS001", placement.location(problem.line, problem.column),
                         f"rendered output: {problem.message}")
        for doc in documents:
            for key, first, line, column in doc.duplicates:
                sink.problem("EKS001", placement.location(line, column),
                             f"rendered output has duplicate key {key!r}: YAML forbids duplicate keys "
                             f"and tools disagree on which value wins")
            body = doc.value
            if isinstance(body, dict) and isinstance(body.get("apiVersion"), str) and isinstance(body.get("kind"), str):
                self._lift_body(body, placement.origin(doc, fmt), sink)

    @staticmethod
    def _lift_body(body: dict, origin: Origin, sink: Sink) -> None:
        if body["kind"] == "ClusterConfig" and body["apiVersion"].startswith("eksctl.io/"):
            lift_cluster_config(body, Origin(origin.path, "eksctl", origin.document, origin.template, lines=origin.lines),
                                sink)
            return
        items = body.get("items")
        if body["kind"].endswith("List") and isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("kind"), str):
                    sink.add(make_object(item, origin, ("items", index)))
            return
        sink.add(make_object(body, origin))

    @staticmethod
    def _unrendered(source: Source, sink: Sink, line: int, column: int) -> None:
        sink.problem(
            "EKS002",
            Location(source.display, line, column),
            "unrendered Helm template: its objects were not checked; render it first, "
            "e.g. `helm template <chart> | eksguard scan -`",
        )

    @staticmethod
    def _report(source: Source, text: str, sources: list, problem: YamlProblem, sink: Sink) -> None:
        location = Location(source.display, problem.line, problem.column)
        if not sources and _TEMPLATE_LINE.search(text):
            sink.problem(
                "EKS002",
                location,
                f"unrendered template ({problem.message}): render it first, "
                f"e.g. `helm template <chart> | eksguard scan -`",
            )
        elif (
            not problem.limit
            and (source.suffix == ".json" or source.path is None)
            and text.lstrip()[:1] in ("{", "[")
            and '"apiVersion"' not in text
            and '"kind"' not in text
        ):
            return  # JSON that is not a manifest (package.json, tsconfig.json with comments...)
        else:
            sink.problem("EKS001", location, problem.message)

    @staticmethod
    def _lift_document(
        source: Source, doc: Document, fmt: str, sources: list[tuple[int, str]], previous_end: int, sink: Sink
    ) -> None:
        body = doc.value
        if not isinstance(body, dict):
            return
        if not isinstance(body.get("apiVersion"), str) or not isinstance(body.get("kind"), str):
            return
        template = None
        if sources:
            first_line = body.mark[0]
            i = bisect.bisect_left(sources, (first_line, "")) - 1
            if i >= 0 and sources[i][0] >= previous_end:
                template = sources[i][1]
        KubernetesAdapter._lift_body(body, Origin(source.display, fmt, doc.index, template), sink)


def helm_directive(text: str) -> tuple[int, int] | None:
    """``(line, column)`` of the first Helm-only template action outside a comment."""
    if "{{" not in text:
        return None
    for match in _HELM_DIRECTIVE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start:match.start()]
        if before.lstrip().startswith("#") or " #" in before:
            continue
        return text_position(text, match.start())
    return None


def helm_sources(text: str) -> list[tuple[int, str]]:
    """``(line, template)`` for every ``# Source:`` comment, in line order."""
    if "# Source: " not in text:
        return []
    out = []
    line, last = 1, 0
    for match in _SOURCE_COMMENT.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        out.append((line, match.group(1)))
    return out
