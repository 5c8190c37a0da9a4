"""EKS503: a cluster whose Kubernetes version is past end of standard support.

The version calendar ships as package data (``eksguard/data/eks-versions.yaml``, with
its sources); the rule's ``calendar`` param adds or overrides entries. The scan date is
the ``today`` param, else the ``EKSGUARD_TODAY`` environment variable (``YYYY-MM-DD``),
else today's UTC date, so results are reproducible when pinned. A cluster whose version
is not written (EKS then picks its newest) or not resolvable, or is newer than the
calendar, is left alone; one older than every entry is past both windows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache

from eksguard.checks import Check
from eksguard.engine.rules import RuleError
from eksguard.findings import Related, Violation
from eksguard.model import Cluster, Platform

ENV = "EKSGUARD_TODAY"
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "x-expected": "a date (YYYY-MM-DD)"}


@dataclass(frozen=True)
class Window:
    end_of_standard: date
    end_of_extended: date


def _date(value: object, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise RuleError(f"EKS503: {what} {value!r} is not a date (YYYY-MM-DD)") from None


def scan_date(params: dict) -> date:
    if params.get("today"):
        return _date(params["today"], "param today")
    if os.environ.get(ENV):
        return _date(os.environ[ENV], ENV)
    return datetime.now(timezone.utc).date()


@lru_cache(maxsize=1)
def shipped_calendar() -> dict:
    from importlib.resources import files

    import yaml

    data = yaml.safe_load(files("eksguard").joinpath("data", "eks-versions.yaml").read_text(encoding="utf-8"))
    return data["versions"]


def parse_version(value: object) -> tuple[int, int] | None:
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", str(value).strip()) if value is not None else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def calendar(params: dict) -> dict[tuple[int, int], Window]:
    merged = {**shipped_calendar(), **{str(k): v for k, v in (params.get("calendar") or {}).items()}}
    out = {}
    for version, entry in merged.items():
        key = parse_version(version)
        if key is None:
            raise RuleError(f"EKS503: calendar entry {version!r} is not a Kubernetes minor version like 1.31")
        out[key] = Window(_date(entry["end_of_standard_support"], f"{version} end_of_standard_support"),
                          _date(entry["end_of_extended_support"], f"{version} end_of_extended_support"))
    return out


def check(platform: Platform, params: dict) -> Iterator[Violation]:
    clusters = platform.of_kind(Cluster)
    if not clusters:
        return
    today = scan_date(params)
    windows = calendar(params)
    oldest = min(windows)
    for cluster in clusters:
        setting = cluster.setting("version")
        if setting is None or not setting.known:
            continue
        version = parse_version(setting.value)
        if version is None:
            continue
        shown = f"{version[0]}.{version[1]}"
        window = windows.get(version)
        note = ""
        if window is None:
            if version > oldest:
                continue
            window = windows[oldest]
            note = f" (older than every version in the calendar; {oldest[0]}.{oldest[1]} left standard support then)"
        if today < window.end_of_standard:
            continue
        std, ext = window.end_of_standard.isoformat(), window.end_of_extended.isoformat()
        standard_only = str(cluster.value("support_type", "")).upper() == "STANDARD"
        if today >= window.end_of_extended:
            what = (f"extended support ended on {ext} too (standard support on {std}){note}: EKS auto-upgrades "
                    f"the control plane on its own schedule")
        elif standard_only:
            what = (f"standard support ended on {std}{note} and support_type is STANDARD: EKS auto-upgrades the "
                    f"control plane on its own schedule")
        else:
            what = (f"standard support ended on {std}{note}: the cluster is billed extended support per cluster "
                    f"hour until {ext}, then auto-upgraded")
        related = []
        support = cluster.setting("support_type")
        if support is not None and not support.default:  # a tool default is written nowhere to point at
            related.append(Related(support.location, f"upgrade policy support type {support.value}"))
        yield Violation(
            location=setting.location,
            message=f"EKS cluster {cluster.display_name} runs Kubernetes {shown}; as of {today.isoformat()} {what}",
            object=cluster.ref,
            json_path="/version",
            related=related,
        )


CHECK = Check(
    "cluster-version-extended-support",
    check,
    params_schema={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "today": {"oneOf": [_DATE, {"type": "null"}]},
            "calendar": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["end_of_standard_support", "end_of_extended_support"],
                    "properties": {
                        "release": _DATE,
                        "end_of_standard_support": _DATE,
                        "end_of_extended_support": _DATE,
                        "source": {"type": "string"},
                    },
                },
            },
        },
    },
    defaults={"today": None, "calendar": {}},
)
