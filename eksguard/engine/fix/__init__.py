"""``scan --fix`` / ``--unsafe-fixes`` / ``--diff``: apply fixes without ever damaging a file.

Each round: resolve the fixes of the current findings into text edits
(:mod:`resolve`), keep the ones that do not overlap an edit already taken, and scan
again with the changed texts *in memory* (``adapters.source.OVERLAY``). A file whose
new text no longer parses (a new EKS001) or where a fix did not make its finding go
away is dropped from the overlay and left as it is on disk, and reported. Rounds
repeat (a fix can make room for another) until nothing changes, at most
:data:`MAX_ROUNDS`. Only then is anything written: each file atomically, keeping
mode, line endings and BOM. Running it again finds nothing left to do.

Findings that come with edits also carry them into SARIF ``fixes`` and JSON output
(:func:`attach_edits`), so code scanning and editors can offer the same change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from eksguard.engine.fix.edits import CannotEdit, FileEdits, FileText, apply_edits, unified_diff
from eksguard.engine.fix.resolve import Files, resolve

MAX_ROUNDS = 4


@dataclass
class Rejected:
    """A fix that was not applied, and why (shown with its finding)."""

    finding: object
    path: str
    reason: str


@dataclass
class FixReport:
    """What ``--fix`` did: the fixed findings, the files changed (display path -> (old,
    new) text), the fixes refused and the scan of the fixed files."""

    fixed: list = field(default_factory=list)
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    result: object = None

    def reject(self, finding, path: str, reason: str) -> None:
        """Record a fix not applied, once per finding (rounds see it again)."""
        key = (finding.code, finding.location, reason)
        if all((r.finding.code, r.finding.location, r.reason) != key for r in self.rejected):
            self.rejected.append(Rejected(finding, path, reason))

    def diff(self) -> str:
        return "".join(unified_diff(path, old, new) for path, (old, new) in sorted(self.changed.items()))

    def write(self, cwd: Path) -> list[str]:
        """Write every changed file; returns the ones skipped because they changed on
        disk since the scan read them (their fixes are not written over someone's edit)."""
        skipped = []
        where = Files(cwd)
        for path, (old, new) in sorted(self.changed.items()):
            file = FileText.read(where.path(path))
            if file.text != old:
                skipped.append(path)
                continue
            file.write(new)
        return skipped


def wanted(finding, unsafe: bool) -> bool:
    fix = finding.fix
    return fix is not None and (fix.applicability == "safe" or (unsafe and fix.applicability == "unsafe"))


#: Fixes per task when :func:`attach_edits` shares them out: a structural fix costs
#: ~10 ms (ruamel.yaml parses and dumps its document), so a block is ~0.2 s of work
#: against a lock and a pickle per block.
EDIT_BLOCK = 16
#: Fewer fixes than this are resolved here: forking costs more than they take.
FORK_MIN_FIXES = 2 * EDIT_BLOCK


def attach_edits(findings: list, cwd: Path, jobs: int | None = None) -> None:
    """Resolve every finding's fix into ``finding.edits`` (for SARIF and JSON), without
    writing anything. A fix that cannot be made in place keeps its refusal reason."""
    from eksguard.engine.fix import memo

    todo = [finding for finding in findings if finding.fix is not None and finding.edits is None]
    for finding, edits in zip(todo, edits_of(todo, Files(cwd), jobs)):
        finding.edits = edits
    if todo:
        memo.prune()


def edits_of(findings: list, files: Files, jobs: int | None) -> list[list[FileEdits]]:
    """Each finding's fix as edits (or refused), in order.

    ruamel.yaml's round trip is slow (a 5,000-file repository has ~1,200 fixes and
    they took longer than the scan), so many fixes are shared out, block by block, with
    forked children (:func:`eksguard.engine.forked.run_shared`): ``jobs`` processes, by
    default one per usable core. ``files`` reads each file once per process."""
    from eksguard.engine.forked import run_shared
    from eksguard.engine.parallel import usable_cores

    blocks = [findings[start:start + EDIT_BLOCK] for start in range(0, len(findings), EDIT_BLOCK)]
    processes = (usable_cores() if jobs is None else jobs) if len(findings) >= FORK_MIN_FIXES else 1
    done = run_shared(len(blocks), processes, lambda index: [_edits(finding, files) for finding in blocks[index]])
    return [edits for block in done for edits in block]


def _edits(finding, files: Files) -> list[FileEdits]:
    try:
        return resolve(finding.fix, files)
    except CannotEdit as exc:
        return [FileEdits(finding.location.path, [], str(exc))]


def fix(rescan, cwd: Path, unsafe: bool, jobs: int | None = None) -> FixReport:
    """Fix what can be fixed. ``rescan(overlay)`` scans the same inputs with the texts in
    ``overlay`` (resolved path -> text) and returns a ``ScanResult``; ``jobs`` as
    ``--jobs``, for resolving the fixes (:func:`edits_of`)."""
    report = FixReport()
    overlay: dict[str, str] = {}  # display path -> new text
    originals: dict[str, str] = {}
    blocked: set[str] = set()
    result = rescan({})
    for _ in range(MAX_ROUNDS):
        proposed = _propose(result.findings, cwd, overlay, originals, blocked, unsafe, report, jobs)
        if not proposed:
            break
        trial = {**overlay, **{path: text for path, (text, _) in proposed.items()}}
        after = rescan(_resolved(trial, cwd))
        bad = _failed(proposed, result, after)
        for path, reason in bad.items():
            blocked.add(path)
            for finding in proposed[path][1]:
                report.reject(finding, path, reason)
            del trial[path]
        if bad:
            after = rescan(_resolved(trial, cwd))
        for path in proposed:
            if path not in bad:
                report.fixed.extend(proposed[path][1])
        overlay, result = trial, after
    report.result = result
    report.changed = {p: (originals[p], t) for p, t in overlay.items() if t != originals[p]}
    from eksguard.engine.fix import memo

    memo.prune()
    return report


def _resolved(overlay: dict[str, str], cwd: Path) -> dict[str, str]:
    """Display paths to the real paths ``adapters.source.OVERLAY`` is keyed by."""
    where = Files(cwd)
    return {os.path.realpath(where.path(p)): text for p, text in overlay.items()}


def _propose(findings, cwd, overlay, originals, blocked, unsafe, report, jobs) -> dict[str, tuple[str, list]]:
    """New text per file from the fixes of ``findings`` that do not overlap."""
    files = Files(cwd, overlay)
    taken: dict[str, list] = {}  # path -> accepted edits
    fixed: dict[str, list] = {}
    chosen = [finding for finding in findings if wanted(finding, unsafe)]
    for finding, per_file in zip(chosen, edits_of(chosen, files, jobs)):
        refusal = next((fe for fe in per_file if fe.refused), None)
        if refusal is not None or any(fe.path in blocked for fe in per_file):
            if refusal is not None:
                report.reject(finding, refusal.path, refusal.refused)
            continue
        if not per_file or any(_clash(fe.edits, taken.get(fe.path, [])) for fe in per_file):
            continue  # overlaps an edit already taken: the next round sees it again
        for fe in per_file:
            taken.setdefault(fe.path, []).extend(fe.edits)
            fixed.setdefault(fe.path, []).append(finding)
    out = {}
    for path, edits in taken.items():
        file = files.get(path)
        originals.setdefault(path, files.disk[path])
        try:
            new = apply_edits(file.text, edits)
        except ValueError as exc:
            blocked.add(path)
            for finding in fixed[path]:
                report.reject(finding, path, f"edits do not apply ({exc})")
            continue
        if new != file.text:
            out[path] = (new, fixed[path])
    return out


def _clash(edits: list, taken: list) -> bool:
    return any(a.overlaps(b) for a in edits for b in taken)


def _failed(proposed: dict, before, after) -> dict[str, str]:
    """Files whose new text broke parsing or did not remove a finding it fixes."""
    def parse_errors(result, path):
        return {f.message for f in result.findings if f.code == "EKS001" and f.location.path == path}

    remaining = {f.fingerprint for f in after.findings} | {f.fingerprint for f in after.suppressed}
    bad = {}
    for path, (_, fixed) in proposed.items():
        if parse_errors(after, path) - parse_errors(before, path):
            bad[path] = "the fixed file no longer parses: " + sorted(parse_errors(after, path))[0]
            continue
        stuck = next((f for f in fixed if f.fingerprint in remaining), None)
        if stuck is not None:
            bad[path] = f"the fix did not remove {stuck.code} ({stuck.message[:80]})"
    return bad
