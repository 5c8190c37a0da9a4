"""The command-line side of the configuration: ``--config``, ``--no-config``,
``--select``, ``--extend-select``, ``--ignore`` and ``eksguard config``.

Kept apart from :mod:`eksguard.config` so that building the parser (``eksguard
--version``, ``max-pods``) imports nothing else; see docs/config.md.
"""

from __future__ import annotations

import argparse


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    """``--fail-on``: the command-line layer of the config's ``fail-on``."""
    parser.add_argument("--fail-on", choices=("error", "warning", "note"), default=None,
                        help="lowest severity that makes the exit code 1 (default: the config's fail-on, else warning)")


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--no-config``, ``--select``, ``--extend-select``, ``--ignore``."""
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--config", dest="config_file", metavar="FILE",
                       help="use this config file instead of the nearest .eksguard.yaml")
    which.add_argument("--no-config", action="store_true", help="ignore every config file")
    for flag, verb in (("--select", "run only these rules"), ("--extend-select", "also run these rules"),
                       ("--ignore", "do not run these rules")):
        parser.add_argument(flag, action="append", metavar="RULES",
                            help=f"{verb}: codes, code prefixes or names, comma-separated (repeatable; "
                                 f"overrides the config file)")


def add_config_command(sub) -> None:
    config = sub.add_parser("config", help="print the effective configuration and where each value came from")
    config.add_argument("--show", action="store_true", help="print the effective configuration (the default)")
    config.add_argument("paths", nargs="*", default=["."], help="where a scan would start (default: .)")
    add_fail_on(config)
    add_config_options(config)
