"""``scan --fix``, ``--unsafe-fixes`` and ``--diff``: the CLI side of :mod:`eksguard.engine.fix`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_fix_options(scan: argparse.ArgumentParser) -> None:
    scan.add_argument("--fix", action="store_true",
                      help="apply the safe fixes in place (files are verified before they are written)")
    scan.add_argument("--unsafe-fixes", action="store_true",
                      help="with --fix or --diff: also apply fixes that change behaviour (see each rule's "
                           "'Fix safety')")
    scan.add_argument("--diff", action="store_true",
                      help="print the fixes as a unified diff and change nothing (exit 1 if there is a diff)")


def check_fix_options(args: argparse.Namespace) -> None:
    from eksguard.discover import UsageError

    if args.unsafe_fixes and not (args.fix or args.diff):
        raise UsageError("--unsafe-fixes goes with --fix or --diff")
    if (args.fix or args.diff) and args.diff_base:
        raise UsageError("--fix and --diff do not combine with --diff-base")


def run_fixes(args: argparse.Namespace, scan_once, cwd: Path):
    """Fix (or, with ``--diff``, only show) what can be fixed. ``scan_once()`` is the
    scan the CLI would run; returns ``(result, exit status or None)``: a status when
    the run ends here (``--diff``)."""
    from eksguard.adapters.source import OVERLAY
    from eksguard.engine.fix import fix

    def rescan(overlay: dict[str, str]):
        token = OVERLAY.set(overlay)
        try:
            return scan_once()
        finally:
            OVERLAY.reset(token)

    report = fix(rescan, cwd, unsafe=args.unsafe_fixes, jobs=getattr(args, "jobs", None))
    for rejected in report.rejected:
        f = rejected.finding
        print(f"eksguard: {f.location}: {f.code} not fixed: {rejected.reason}", file=sys.stderr)
    files = len(report.changed)
    if args.diff:
        sys.stdout.write(report.diff())
        if not args.quiet:
            print(f"eksguard: would fix {len(report.fixed)} finding(s) in {files} file(s)", file=sys.stderr)
        return report.result, (1 if report.changed else 0)
    skipped = report.write(cwd)
    for path in skipped:
        print(f"eksguard: {path} changed while it was scanned: its fixes were not written", file=sys.stderr)
    if not args.quiet:
        print(f"eksguard: fixed {len(report.fixed)} finding(s) in {files - len(skipped)} file(s)", file=sys.stderr)
    if skipped:
        return scan_once(), None
    return report.result, None
