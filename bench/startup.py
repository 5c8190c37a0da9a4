"""How fast a pre-commit-sized scan is: ``eksguard scan ONE_FILE`` against bare Python.

Usage: python bench/startup.py [FILE] [--runs N]

Prints the median wall time of ``python -c pass``, of parsing FILE with the same YAML
loader in a fresh interpreter, and of ``eksguard scan FILE`` (the installed script, as
the pre-commit hook runs it; ``python -m eksguard`` without one), plus the slowest
imports of the scan (``-X importtime``). Numbers, not asserts: run it before and after
a change that touches start-up.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "testdata" / "examples" / "teams" / "search" / "ingress.yaml"


def interleaved_medians(commands: list[list[str]], runs: int) -> list[float]:
    """Median wall time of each command over ``runs`` rounds, each round running every
    command once: on a shared machine, load that comes and goes hits all of them alike,
    so the ratios stay meaningful. One unmeasured round first warms the caches
    (bytecode, rule and entry-point caches), as every run after a user's first is."""
    times: list[list[float]] = [[] for _ in commands]
    for round_ in range(runs + 1):
        for index, cmd in enumerate(commands):
            started = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            if round_:
                times[index].append(time.perf_counter() - started)
    return [statistics.median(t) for t in times]


def eksguard_command() -> list[str]:
    """The ``eksguard`` script installed beside this Python (what the pre-commit hook and
    the Action run), else ``python -m eksguard`` (which also pays for runpy)."""
    script = Path(sys.executable).with_name("eksguard")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "eksguard"]


def slowest_imports(path: Path, count: int = 8) -> list[tuple[int, str]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "eksguard", "scan", str(path)],
                          capture_output=True, text=True, cwd=ROOT)
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit() and not name.startswith("   "):
                rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    path = Path(args.file).resolve()
    bare, parse, full = interleaved_medians([
        [sys.executable, "-c", "pass"],
        [sys.executable, "-c", "import sys; from eksguard.yaml_loader import load_documents; "
                               "load_documents(open(sys.argv[1]).read())", str(path)],
        [*eksguard_command(), "scan", str(path)],
    ], args.runs)
    print(f"file: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"python -c pass           {bare * 1000:7.1f} ms")
    print(f"python + parse the file  {parse * 1000:7.1f} ms")
    shown = " ".join(Path(part).name for part in eksguard_command())
    print(f"eksguard scan FILE       {full * 1000:7.1f} ms   ({full / parse:.1f}x python + parse; run as {shown})")
    print("slowest top-level imports (cumulative, ms):")
    for micros, name in slowest_imports(path):
        print(f"  {micros / 1000:7.1f}  {name}")


if __name__ == "__main__":
    main()
