"""The hooks eksguard offers plugins (pluggy project ``eksguard``).

Hooks only register things or transform findings; rules themselves stay data
(``rules/**.yaml``) and plain functions (checks). A plugin is a module with
functions marked ``@eksguard.hookimpl``, found through the ``eksguard``
entry-point group; see ``docs/plugins.md``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from eksguard.adapters import Adapter
    from eksguard.checks import Check
    from eksguard.findings import Finding
    from eksguard.formatters import Formatter
    from eksguard.model import Platform

hookspec = pluggy.HookspecMarker("eksguard")
hookimpl = pluggy.HookimplMarker("eksguard")


@hookspec
def eksguard_add_options(parser: argparse.ArgumentParser) -> None:
    """Add command-line options to ``eksguard scan``.

    :param parser: the ``scan`` sub-command's parser.

    .. versionadded:: 0.1.0
    """


@hookspec
def eksguard_register_loaders() -> list["Adapter"]:
    """Return adapters (input formats) that lift files into the platform model.

    The first adapter, in plugin order, whose ``claims(source)`` is true reads a source.

    .. versionadded:: 0.1.0
    """


@hookspec
def eksguard_register_checks() -> list["Check"]:
    """Return Python checks that rule files name with ``check: <name>``.

    .. versionadded:: 0.1.0
    """


@hookspec
def eksguard_register_rule_dirs() -> list[Path]:
    """Return folders holding rule files (``<area>/<slug>.yaml``, the built-in format).

    .. versionadded:: 0.1.0
    """


@hookspec
def eksguard_register_formatters() -> dict[str, Callable[..., "Formatter"]]:
    """Return output formats by name (``--format NAME``): a Formatter class, or any
    callable ``(stream, report)`` returning one (to import it only when used).

    .. versionadded:: 0.1.0
    """


@hookspec(firstresult=True)
def eksguard_process_findings(findings: list["Finding"], platform: "Platform") -> list["Finding"]:
    """Transform the findings of a run before they are reported.

    Implement as a wrapper, ``@hookimpl(wrapper=True)``: ``yield`` returns the list
    produced further in (eksguard's own implementation returns ``findings`` as they
    are), and the wrapper returns the list to report.

    :param findings: every finding of the run, sorted.
    :param platform: the platform model the rules judged.

    .. versionadded:: 0.1.0
    """
