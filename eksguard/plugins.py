"""The plugin manager and the typed facade core code uses instead of ``pm.hook``.

Load order (tox's): local plugin modules named by the config's ``plugins:``, then
entry points of group ``eksguard`` (minus those named in
``EKSGUARD_DISABLE_PLUGINS``, comma-separated), then eksguard's built-in plugin
modules (:data:`DEFAULT_PLUGINS`), then ``check_pending``. Built-ins register last,
so pluggy calls them first among equals; plugins add to what they register.
``EKSGUARD_TRACE_PLUGINS=1`` prints every hook call to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from eksguard import hookspecs

if TYPE_CHECKING:
    from eksguard.adapters import Adapter
    from eksguard.checks import Check
    from eksguard.findings import Finding
    from eksguard.formatters import Formatter
    from eksguard.model import Platform

DEFAULT_PLUGINS = (
    "eksguard.builtin",
)


class Plugins:
    """One method per hook: the only way core code reaches plugins."""

    def __init__(self, pm: pluggy.PluginManager):
        self.pm = pm

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        self.pm.hook.eksguard_add_options(parser=parser)

    def loaders(self) -> list["Adapter"]:
        return [adapter for group in self.pm.hook.eksguard_register_loaders() for adapter in group or ()]

    def checks(self) -> dict[str, "Check"]:
        out: dict[str, "Check"] = {}
        for group in reversed(self.pm.hook.eksguard_register_checks()):
            for check in group or ():
                out[check.name] = check
        return out

    def rule_dirs(self) -> list[Path]:
        return [Path(d) for group in reversed(self.pm.hook.eksguard_register_rule_dirs()) for d in group or ()]

    def formatters(self) -> dict[str, Callable[..., "Formatter"]]:
        out: dict[str, Callable[..., "Formatter"]] = {}
        for group in reversed(self.pm.hook.eksguard_register_formatters()):
            out.update(group or {})
        return out

    def post_processors(self) -> list[str]:
        """Names of the plugins, built-ins aside, that implement ``eksguard_process_findings``
        (they see the whole platform, so a scan keeps all of it for them)."""
        return [impl.plugin_name for impl in self.pm.hook.eksguard_process_findings.get_hookimpls()
                if impl.plugin_name not in DEFAULT_PLUGINS]

    def process_findings(self, findings: list["Finding"], platform: "Platform") -> list["Finding"]:
        result = self.pm.hook.eksguard_process_findings(findings=findings, platform=platform)
        return findings if result is None else list(result)


def load_local_plugin(path: Path):
    """Import a local plugin: a ``.py`` file or a package folder (``__init__.py``)."""
    import importlib.util
    import re

    name = "eksguard_local_" + re.sub(r"\W", "_", path.stem)
    if path.is_dir():
        spec = importlib.util.spec_from_file_location(name, path / "__init__.py",
                                                      submodule_search_locations=[str(path)])
    else:
        spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def get_plugins(load_entrypoints: bool = True, local: "list[Path] | tuple" = ()) -> Plugins:
    """``local``: paths of plugin modules from the config's ``plugins:``, registered
    before entry points and built-ins (STYLE section 4)."""
    pm = pluggy.PluginManager("eksguard")
    pm.add_hookspecs(hookspecs)
    for path in local:
        pm.register(load_local_plugin(Path(path)), name=f"local:{path}")
    if load_entrypoints:
        for name in filter(None, (n.strip() for n in os.environ.get("EKSGUARD_DISABLE_PLUGINS", "").split(","))):
            pm.set_blocked(name)
        from eksguard.entry_points import entry_points, load

        for name, value in entry_points("eksguard"):  # what pm.load_setuptools_entrypoints does, cached
            if pm.get_plugin(name) is None and not pm.is_blocked(name):
                pm.register(load(value), name=name)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    pm.check_pending()
    if os.environ.get("EKSGUARD_TRACE_PLUGINS") == "1":
        pm.add_hookcall_monitoring(
            lambda name, impls, kwargs: print(f"eksguard: hook {name} -> {[i.plugin_name for i in impls]}", file=sys.stderr),
            lambda outcome, name, impls, kwargs: None,
        )
    return Plugins(pm)
