"""Shell scripts and CI steps: ``aws eks …`` and ``kubectl set env`` lifted into the model.

Claims ``*.sh``, ``*.bash``, ``Makefile``/``GNUmakefile``/``*.mk``, GitHub workflows
(``.github/workflows/*.yml|yaml``: the ``run:`` of each step) and GitLab CI files
(``.gitlab-ci.yml``, ``*.gitlab-ci.yml``: ``script``/``before_script``/``after_script``).
Workflow YAML is claimed here rather than by the Kubernetes adapter: it holds no
Kubernetes objects.

What is lifted, and how variables resolve, is described in
:mod:`eksguard.adapters.scripts.lift` and :mod:`eksguard.adapters.scripts.units`.
Every value keeps the line and column of its token (for ``--flag=value``, of the value
part). Shell is read leniently: a script is not a format we own, so odd bytes,
unknown syntax and unterminated quotes are skipped silently, except an unterminated
quote inside a command we would lift, which is EKS001 at the quote. A workflow or
GitLab file that is not valid YAML is EKS001, as any YAML file.

This module stays light: the tokenizer and the lifters are imported on first use, so
a scan without scripts does not pay for them.
"""

from __future__ import annotations

import codecs
import os

from eksguard.adapters import Sink, Source

_SHELL_SUFFIXES = (".sh", ".bash")
_MAKEFILES = frozenset({"makefile", "gnumakefile"})


def kind_of(source: Source) -> str | None:
    """``shell``, ``make``, ``github`` or ``gitlab`` for a source this adapter reads."""
    if source.path is None or source.is_dir:
        return None
    name = source.path.name
    lower = name.lower()
    if lower.endswith(_SHELL_SUFFIXES):
        return "shell"
    if lower in _MAKEFILES or lower.endswith(".mk"):
        return "make"
    if lower.endswith((".yml", ".yaml")):
        parent = source.path.parent
        if parent.name == "workflows" and parent.parent.name == ".github":
            return "github"
        if lower == ".gitlab-ci.yml" or lower.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
            return "gitlab"
    return None


class ScriptsAdapter:
    name = "scripts"
    #: CPU per byte against plain manifests (engine/parallel.py balances chunks by it).
    lift_cost = 2.5

    def claims(self, source: Source) -> bool:
        return kind_of(source) is not None

    def cache_inputs(self, source: Source) -> list | None:
        """What :meth:`lift` reads: the file alone (the parse cache, ``engine/cache.py``)."""
        return [source.path] if source.path is not None else None

    def lift(self, source: Source, sink: Sink) -> None:
        kind = kind_of(source)
        text = _read(source, yaml=kind in ("github", "gitlab"), sink=sink)
        if text is None or kind is None:
            return
        from eksguard.adapters.scripts import units
        from eksguard.adapters.scripts.interpret import Context
        from eksguard.model import Origin

        ctx = Context(sink, Origin(source.display, "shell"))
        reader = {"shell": units.shell_script, "make": units.makefile, "github": units.github_workflow,
                  "gitlab": units.gitlab_ci}[kind]
        try:
            reader(text, ctx)
        except Exception:  # noqa: BLE001 - a file we misread never stops the scan (EKSGUARD_DEBUG=1 re-raises)
            if os.environ.get("EKSGUARD_DEBUG") == "1":
                raise


def _read(source: Source, yaml: bool, sink: Sink) -> str | None:
    """The text of a script: undecodable bytes are replaced (shell does not care about
    encodings); binary files, files over ``limits.max-file-size`` and files with a line over
    ``limits.max-line-length`` are data, not scripts, and are skipped quietly. CI YAML is
    read as YAML is (a limit crossed there is EKS001)."""
    from eksguard.adapters.source import Unreadable, long_line, read_text
    from eksguard.limits import limits_of

    limits = limits_of(sink.options)
    if yaml:
        from eksguard.findings import Location

        try:
            return read_text(source, limits=limits)
        except Unreadable as exc:
            sink.problem("EKS001", Location(source.display, exc.line, exc.column), exc.message)
            return None
    assert source.path is not None
    from eksguard.adapters.source import observed, overlay_text

    if (text := overlay_text(source.path)) is not None:
        return observed(source, text)
    try:
        if source.path.stat().st_size > limits.max_file_size:
            return None
        data = source.path.read_bytes()
    except OSError:
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return observed(source, data.decode("utf-16", errors="replace"))
    if b"\x00" in data or long_line(data, limits.max_line_length) is not None:
        return None  # binary, or data (a base64 payload) rather than commands
    return observed(source, data.decode("utf-8-sig", errors="replace"))
