"""The benchmark scripts run (their numbers are for people; README "Speed" quotes them).

Smoke tests on small repositories, so a change to the engine that breaks a script is
seen here rather than the next time someone measures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench(*args: str) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_memory_weighs_the_model_and_times_it_spilled():
    out = _bench("bench/memory.py", "--files", "150,300", "--what-if-spilled")
    assert re.search(r"^\s+150 files: peak\s+\d+\.\d MiB", out, re.M), out
    assert re.search(r"^growth: -?\d+\.\d MiB per 1,000 files \(150 to 300\)$", out, re.M), out
    weighed = re.search(r"^model of 300 files: (\d+\.\d) MiB in ([\d,]+) objects", out, re.M)
    assert weighed and float(weighed[1]) > 0, out
    assert re.search(r"^\s+\d+\.\d\d MiB\s+\d+%\s+[\d,]+ x\s+[\d,]+ B  Deployment$", out, re.M), out
    assert re.search(r"with bodies as bytes .*: \d+\.\d\d s \(\d+\.\dx\), [\d,]+ bodies unpickled per run", out), out


def test_run_prints_the_table():
    out = _bench("bench/run.py", "--files", "150", "--runs", "1", "--jobs", "2")
    assert "| files | parse floor (1 process) | jobs | eksguard cold | eksguard warm (cache) | peak memory |" in out
    assert re.search(r"^\| \d+ \| \d+\.\d\d s \| 2 \|", out, re.M), out
    assert "GitHub Action's scan" in out and "pre-commit hook" in out
    assert re.search(r"^pull request's scan \(--diff-base HEAD, .+ changed\), warm, --jobs 2: \d+\.\d\d s", out, re.M)
