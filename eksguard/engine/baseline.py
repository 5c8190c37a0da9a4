"""Baselines: adopt eksguard on a repo with findings, fail only on new ones.

``eksguard baseline`` records today's findings by fingerprint (code, file, object and
JSON path: no line numbers, so edits that move lines keep them known). ``eksguard scan
--baseline FILE`` then reports only findings the file does not hold, counts the known
ones it hid, and lists entries that are gone (fixed, or their file deleted).

Paths inside the baseline, and the fingerprints matched against it, are relative to
the baseline file's folder, so a scan from a subfolder (``--baseline ../x.json``) still
matches. A fingerprint recorded n times hides at most n findings.

File format (``baseline_version`` 1), sorted so that it diffs well::

    {"tool": "eksguard", "baseline_version": 1,
     "findings": [{"fingerprint": "...", "code": "EKS601", "path": "k8s/ing.yaml",
                   "object": "Ingress shop/web", "message": "..."}]}
"""

from __future__ import annotations

import json
import os
import posixpath
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from eksguard.discover import UsageError
from eksguard.findings import Finding

if TYPE_CHECKING:
    from eksguard.adapters import Source

BASELINE_VERSION = 1
DEFAULT_PATH = ".eksguard-baseline.json"
STDIN = "<stdin>"


class BaselineError(UsageError):
    """A baseline that cannot be read or written: one line, exit code 2."""


@dataclass(frozen=True)
class Entry:
    """One recorded finding (``path`` relative to the baseline's folder)."""

    fingerprint: str
    code: str
    path: str
    message: str
    object: str | None = None

    def json(self) -> dict:
        out = {"fingerprint": self.fingerprint, "code": self.code, "path": self.path}
        if self.object:
            out["object"] = self.object
        out["message"] = self.message
        return out


def _relative(display: str, folder: Path, cwd: Path) -> str:
    """A finding's path as seen from the baseline's folder (POSIX separators)."""
    if display == STDIN:
        return display
    absolute = os.path.normpath(os.path.join(cwd, display))
    try:
        return Path(os.path.relpath(absolute, folder)).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(absolute).as_posix()


def fingerprint(finding: Finding, folder: Path, cwd: Path) -> str:
    """``Finding.fingerprint`` with the path relative to ``folder`` (equal to the
    finding's own fingerprint when the scan runs in the baseline's folder)."""
    path = _relative(finding.location.path, folder, cwd)
    if path == finding.location.path:
        return finding.fingerprint
    return replace(finding, location=replace(finding.location, path=path)).fingerprint


def entry(finding: Finding, folder: Path, cwd: Path) -> Entry:
    return Entry(
        fingerprint=fingerprint(finding, folder, cwd),
        code=finding.code,
        path=_relative(finding.location.path, folder, cwd),
        message=finding.message,
        object=str(finding.object) if finding.object is not None else None,
    )


def write(findings: list[Finding], output: Path, cwd: Path) -> int:
    """Record ``findings`` in ``output``; returns how many."""
    folder = Path(os.path.normpath(os.path.join(cwd, output))).parent
    entries = sorted((entry(f, folder, cwd) for f in findings),
                     key=lambda e: (e.path, e.code, e.object or "", e.fingerprint, e.message))
    document = {"tool": "eksguard", "baseline_version": BASELINE_VERSION,
                "findings": [e.json() for e in entries]}
    try:
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {output}: {exc.strerror or exc}") from None
    return len(entries)


@dataclass
class Baseline:
    """A loaded baseline file."""

    path: Path  # absolute
    entries: list[Entry]

    @classmethod
    def load(cls, name: str, cwd: Path) -> "Baseline":
        path = Path(os.path.normpath(os.path.join(cwd, name)))
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BaselineError(f"baseline {name}: no such file (create it with 'eksguard baseline')") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BaselineError(f"baseline {name}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BaselineError(f"baseline {name}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
            raise BaselineError(f"baseline {name}: not an eksguard baseline (no \"findings\" list)")
        version = data.get("baseline_version")
        if version != BASELINE_VERSION:
            raise BaselineError(f"baseline {name}: baseline_version {version!r} is not supported "
                                f"(expected {BASELINE_VERSION}; recreate it with 'eksguard baseline')")
        entries = []
        for number, item in enumerate(data["findings"], start=1):
            if not (isinstance(item, dict) and isinstance(item.get("fingerprint"), str)
                    and all(isinstance(item.get(k, ""), str) for k in ("code", "path", "message"))):
                raise BaselineError(f"baseline {name}: finding {number} is not an object with a "
                                    f"\"fingerprint\" string")
            entries.append(Entry(item["fingerprint"], item.get("code", ""), item.get("path", ""),
                                 item.get("message", ""), item.get("object")))
        return cls(path, entries)

    def apply(
        self, findings: list[Finding], suppressed: list[Finding], sources: list["Source"], cwd: Path
    ) -> tuple[list[Finding], list[Finding], list[Entry]]:
        """(new findings, known findings hidden, entries gone). A suppressed finding is
        still present: its entry is not gone. An entry for a file outside the scanned
        inputs is neither hidden nor gone."""
        from eksguard.engine.suppress import Scope

        folder = self.path.parent
        left = Counter(e.fingerprint for e in self.entries)
        for finding in suppressed:
            key = fingerprint(finding, folder, cwd)
            if left[key] > 0:
                left[key] -= 1
        new: list[Finding] = []
        known: list[Finding] = []
        for finding in findings:
            key = fingerprint(finding, folder, cwd)
            if left[key] > 0:
                left[key] -= 1
                known.append(finding)
            else:
                new.append(finding)
        scope = Scope(sources, cwd)
        gone: list[Entry] = []
        for item in self.entries:
            if left[item.fingerprint] <= 0:
                continue
            key = item.path if item.path == STDIN else os.path.normpath(os.path.join(folder, item.path))
            if key in scope:
                left[item.fingerprint] -= 1
                gone.append(replace(item, path=_display(key, cwd)))
        return new, known, gone


def _display(key: str, cwd: Path) -> str:
    if key == STDIN:
        return key
    try:
        return Path(key).relative_to(cwd).as_posix()
    except ValueError:
        return posixpath.normpath(Path(key).as_posix())


def summary(result) -> str | None:
    """One line about the baseline for stderr and the text summary, or None without one."""
    if getattr(result, "baseline", None) is None:
        return None
    known, gone = len(result.baselined), len(result.gone)
    text = f"{known} known finding{'s' if known != 1 else ''} hidden by the baseline"
    if gone:
        text += f"; {gone} gone (fixed since it was recorded: 'eksguard baseline' updates it)"
    return text
