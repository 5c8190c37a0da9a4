"""What formatters say about suppressions and baselines (``engine/suppress.py``,
``engine/baseline.py``): kept here so each format adds a line or two, not logic."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eksguard.engine.runner import ScanResult
    from eksguard.findings import Finding


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def text_notes(result: "ScanResult") -> str:
    """`` (2 suppressed; 3 known findings hidden by the baseline, 1 gone)`` or ``""``."""
    parts = []
    suppressed = len(getattr(result, "suppressed", ()))
    if suppressed:
        parts.append(f"{suppressed} suppressed")
    if getattr(result, "baseline", None) is not None:
        known = f"{_plural(len(result.baselined), 'known finding')} hidden by the baseline"
        if result.gone:
            known += f", {len(result.gone)} gone"
        parts.append(known)
    return f" ({'; '.join(parts)})" if parts else ""


def gone_lines(result: "ScanResult") -> list[str]:
    """One line per baseline entry that is no longer found."""
    return [f"{entry.path}: {entry.code} gone (fixed since the baseline): {entry.message}"
            for entry in getattr(result, "gone", ())]


def suppression_json(finding: "Finding") -> dict | None:
    from eksguard.formatters.json import location_json

    suppression = finding.suppression
    if suppression is None:
        return None
    return {"kind": suppression.kind, "directive": suppression.directive,
            "justification": suppression.justification, "location": location_json(suppression.location)}


def baseline_json(result: "ScanResult") -> dict | None:
    baseline = getattr(result, "baseline", None)
    if baseline is None:
        return None
    return {"path": str(baseline.path), "known": len(result.baselined),
            "gone": [entry.json() for entry in result.gone]}
