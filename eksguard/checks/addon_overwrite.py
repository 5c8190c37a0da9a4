"""EKS501: an add-on update that resolves conflicts with OVERWRITE.

Reads ``resolve_conflicts_on_update`` of every add-on in the model, whatever wrote it
(Terraform, the EKS module and its default, eksctl, a plan, a script).
``resolve_conflicts_on_create`` is a different decision and not this rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from eksguard.checks import Check
from eksguard.findings import Violation
from eksguard.fixes import Fix, InsertLine, ReplaceToken
from eksguard.model import Addon, Platform

#: The attribute or key that holds the update policy, per format: the token replaced
#: must follow it (Terraform's legacy ``resolve_conflicts`` also sets the create policy,
#: where PRESERVE is invalid, so it is not rewritten).
_KEY = {"terraform": "resolve_conflicts_on_update", "eksctl": "resolveConflicts"}


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    for addon in platform.of_kind(Addon):
        setting = addon.setting("resolve_conflicts_on_update")
        if setting is None or not isinstance(setting.value, str) or setting.value.upper() != "OVERWRITE":
            continue
        how = " (the module's default)" if setting.default else ""
        # a script's `--addon-name "$addon"` in a loop: no name to show
        what = f"add-on {addon.name}" if addon.name else "this add-on update (the add-on name is not known statically)"
        yield Violation(
            location=setting.location,
            message=(
                f"{what} resolves update conflicts with OVERWRITE{how}: every update "
                f"resets fields you customised (replicas, tolerations, env) to the add-on defaults"
            ),
            object=addon.ref,
            json_path="/resolve_conflicts_on_update",
            fix=_fix(addon.origin.format, setting),
        )


def _fix(fmt: str, setting) -> Fix:
    if setting.default:  # the module's default: write the setting into the add-on's map
        return Fix("add resolve_conflicts_on_update = \"PRESERVE\"",
                   (InsertLine(setting.location, 'resolve_conflicts_on_update = "PRESERVE"'),))
    return Fix("resolve update conflicts with PRESERVE",
               (ReplaceToken(setting.location, "OVERWRITE", "PRESERVE", follows=_KEY.get(fmt, "")),))


CHECK = Check("addon-overwrite-conflicts", check)
