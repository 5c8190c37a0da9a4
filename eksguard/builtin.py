"""eksguard's own plugin: registers the built-in adapters, checks, rules and formatters.

It goes through the same hooks as third-party plugins, so nothing built in is
special-cased; imports stay inside the hooks so that a run only pays for what it uses.
"""

from __future__ import annotations

from pathlib import Path

from eksguard.hookspecs import hookimpl


@hookimpl
def eksguard_register_loaders():
    from eksguard.adapters.folders import ChartAdapter, KustomizationAdapter
    from eksguard.adapters.kubernetes import KubernetesAdapter
    from eksguard.adapters.scripts import ScriptsAdapter
    from eksguard.adapters.terraform import TerraformAdapter
    from eksguard.adapters.terraform.plan import TerraformPlanAdapter

    # The plan adapter claims .json files by content, so it goes before KubernetesAdapter.
    return [ChartAdapter(), KustomizationAdapter(), ScriptsAdapter(), TerraformAdapter(), TerraformPlanAdapter(),
            KubernetesAdapter()]


@hookimpl
def eksguard_register_checks():
    from eksguard.checks import builtin_checks

    return builtin_checks()


@hookimpl
def eksguard_register_rule_dirs():
    return [builtin_rule_dir()]


@hookimpl
def eksguard_register_formatters():
    from eksguard.formatters import builtin_formatters

    return builtin_formatters()


@hookimpl(trylast=True)
def eksguard_process_findings(findings, platform):
    return findings


def builtin_rule_dir() -> Path:
    """``rules/``: inside the wheel as ``eksguard/_rules``, at the repo top in a checkout."""
    packaged = Path(__file__).parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"
