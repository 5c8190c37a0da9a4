"""How a full scan compares with the time it takes just to parse the same files.

Usage: python bench/run.py [FOLDER] [--files N] [--runs R] [--jobs N]

Without FOLDER a repository of ``--files`` files (default 5,000) is written by
``bench/generate.py`` into a temporary folder. Then ``--runs`` rounds (default 3), each
measuring everything below once (so load that comes and goes on a shared machine hits
all of them alike), and the best of the rounds for each:

- the parse floor: every file discovered by ``eksguard scan`` read and parsed with the
  parsers eksguard uses and nothing else, in one process (``eksguard.yaml_loader.
  load_documents`` for YAML and JSON, tree-sitter-hcl through
  ``eksguard.adapters.terraform.hcl.parse`` for ``.tf``, the shell lexer for scripts);
  timed inside the process, so without interpreter start-up;
- ``eksguard scan FOLDER -qq --no-config`` as a user runs it (the installed script in a
  fresh interpreter, so with start-up, discovery, rules and the exit code), ``--jobs 1``
  and ``--jobs N``
  (default: every usable core): cold (``--no-cache``) and warm (the cache filled by a
  previous run, in a cache folder of its own);
- peak memory: the largest resident set of the scan's processes (``ru_maxrss`` from
  ``os.wait4``, which includes the workers it waited for), and the CPU time of the
  scan, workers included (on a shared machine, wall time with ``--jobs N`` is only as
  good as the idle cores; CPU time tells what the pool costs);
- the pre-commit hook on this repository: ``eksguard scan --changed-files ONE_FILE
  --project-root FOLDER``, warm, on every core (what ``.pre-commit-hooks.yaml`` runs
  for one staged manifest: the whole project is read for the cross-file rules, and
  only what touches the file is reported).
- how this machine scales: a pure-Python loop timed alone, then as many copies at once as
  ``--jobs`` (each in its own interpreter). A shared VM's vCPUs need not add up: on the
  2-vCPU machine of 2026-12-04, two copies each took 1.2-1.3 times as long as one alone,
  so no pool could lift files faster than ~1.6 times one process there, whatever it does;
- a pull request's scan, as the Action runs it on one: ``eksguard scan . --diff-base
  HEAD`` from the root of a git copy of the repository in which the staged manifest
  above was changed after the commit, warm, on every core (REF's platform for EKS504,
  and which findings the change touched);
- the GitHub Action's scan: the same warm scan writing the reports ``action/run.py``
  asks for (``--format github`` on stdout, SARIF and JSON files), on every core; the
  fixes' text edits (SARIF ``fixes``, JSON ``fix.edits``) and the report files are
  what it costs beyond the warm scan above, and the report sizes are printed.

Prints a Markdown table with each time as a ratio to the parse floor. Numbers, not
asserts: machines differ; the README quotes one run. The start-up of a scan of one file
alone is measured by ``bench/startup.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

FLOOR = r"""
import sys, time
from pathlib import Path
from eksguard.discover import discover
from eksguard.yaml_loader import YamlProblem, load_documents
from eksguard.adapters.terraform import hcl
from eksguard.adapters.scripts import kind_of
from eksguard.adapters.scripts.lexer import commands

root = Path(sys.argv[1])
sources = [s for s in discover(["."], cwd=root).sources if not s.is_dir]
hcl.parse("")  # load tree-sitter before the clock starts, as imports are not parsing
best = None
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    for source in sources:
        text = source.path.read_bytes().decode("utf-8-sig")
        kind = kind_of(source)
        if source.suffix == ".tf":
            hcl.parse(text, source.display)
        elif kind in ("shell", "make"):
            for _ in commands(text):
                pass
        elif source.suffix in (".yaml", ".yml", ".json"):
            try:
                load_documents(text)
            except YamlProblem:
                pass
    elapsed = time.perf_counter() - started
    best = elapsed if best is None else min(best, elapsed)
print(len(sources), best)
"""


SPIN = "import time\nt = time.perf_counter()\nx = 0\nfor i in range(10_000_000):\n    x += i\nprint(time.perf_counter() - t)"


def scaling(jobs: int) -> tuple[float, float]:
    """Seconds of :data:`SPIN` alone, and the slowest of ``jobs`` copies run at once."""
    alone = float(subprocess.run([sys.executable, "-c", SPIN], capture_output=True, text=True, check=True).stdout)
    procs = [subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True) for _ in range(jobs)]
    return alone, max(float(proc.communicate()[0]) for proc in procs)


def run(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, int, int, float]:
    """Wall seconds, exit code, peak RSS (KiB) and CPU seconds (user + system, workers
    included) of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    return elapsed, proc.returncode, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def pull_request(folder: Path, into: Path, changed: Path) -> Path:
    """A git copy of ``folder`` at ``into``, committed, then ``changed`` (one of its
    files) edited: what a pull request's scan (``--diff-base HEAD``) reads."""
    shutil.copytree(folder, into, symlinks=True)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run([*git, *args], cwd=into, check=True, stdout=subprocess.DEVNULL)
    with open(into / changed.relative_to(folder), "a", encoding="utf-8") as handle:
        handle.write("# changed in the pull request\n")
    return into


def main() -> None:
    from eksguard.engine.parallel import usable_cores
    from startup import eksguard_command

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=usable_cores())
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="eksguard-bench-")
    folder = args.folder
    if folder is None:
        from generate import generate

        folder = Path(tmp.name) / "repo"
        generate(folder, args.files)
    folder = folder.resolve()
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())

    cache = Path(tmp.name) / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "EKSGUARD_NO_CACHE": ""}
    env.pop("GITHUB_ACTIONS", None)
    scan = [*eksguard_command(), "scan", str(folder), "-qq", "--no-config"]
    run(scan, env)  # fills the cache for the warm runs (the same entries whatever --jobs)

    # Interleaved rounds: each round measures the floor and every scan once, so load
    # that comes and goes on a shared machine hits them alike and the ratios hold.
    floor = None
    files = 0
    jobs_list = sorted({1, args.jobs})
    best: dict[tuple[int, str], tuple[float, float]] = {}  # (jobs, cold|warm) -> (seconds, CPU)
    peak: dict[int, int] = {}
    staged = min(folder.rglob("*.yaml"))  # one manifest, the same every run
    hook = [*eksguard_command(), "scan", "--changed-files", str(staged), "--project-root", str(folder), "-qq",
            "--no-config", "--jobs", str(args.jobs)]
    precommit = None
    reports = Path(tmp.name) / "reports"
    reports.mkdir()
    action = [*eksguard_command(), "scan", str(folder), "--no-config", "--jobs", str(args.jobs),
              "--format", "github", "--format", "sarif", "--output", str(reports / "eksguard.sarif"),
              "--format", "json", "--output", str(reports / "eksguard.json")]
    action_best = None
    repository = pull_request(folder, Path(tmp.name) / "pull-request", staged)
    review = [*eksguard_command(), "scan", ".", "-qq", "--no-config", "--jobs", str(args.jobs), "--diff-base", "HEAD"]
    run(review, env, repository)  # its own cache entries (other paths): filled here
    review_best = None
    spin = None  # (alone, together) of the round where together / alone was best
    for _ in range(args.runs):
        alone, together = scaling(args.jobs)
        if spin is None or together / alone < spin[1] / spin[0]:
            spin = (alone, together)
        out = subprocess.run([sys.executable, "-c", FLOOR, str(folder), "1"], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout.split()
        files, seconds = int(out[0]), float(out[1])
        floor = seconds if floor is None else min(floor, seconds)
        for jobs in jobs_list:
            for kind, flags in (("cold", ["--no-cache"]), ("warm", [])):
                seconds, _, rss, cpu = run([*scan, "--jobs", str(jobs), *flags], env)
                if (jobs, kind) not in best or seconds < best[jobs, kind][0]:
                    best[jobs, kind] = (seconds, cpu)
                peak[jobs] = max(peak.get(jobs, 0), rss)
        seconds = run(hook, env)[0]
        precommit = seconds if precommit is None else min(precommit, seconds)
        seconds = run(action, env)[0]
        action_best = seconds if action_best is None else min(action_best, seconds)
        seconds = run(review, env, repository)[0]
        review_best = seconds if review_best is None else min(review_best, seconds)
    sizes = {name: (reports / f"eksguard.{name}").stat().st_size / 1048576 for name in ("sarif", "json")}
    tmp.cleanup()

    print(f"{files} files, {size / 1048576:.1f} MiB; {usable_cores()} usable cores; best of {args.runs} "
          f"interleaved rounds; python {sys.version.split()[0]}; {' '.join(Path(c).name for c in scan[:-4])}\n")
    print("| files | parse floor (1 process) | jobs | eksguard cold | eksguard warm (cache) | peak memory |")
    print("|---:|---:|---:|---:|---:|---:|")
    for jobs in jobs_list:
        (cold, cold_cpu), (warm, warm_cpu) = best[jobs, "cold"], best[jobs, "warm"]
        print(f"| {files:,} | {floor:.2f} s | {jobs} | {cold:.2f} s ({cold / floor:.1f}x; CPU {cold_cpu:.1f} s) | "
              f"{warm:.2f} s ({warm / floor:.1f}x; CPU {warm_cpu:.1f} s) | {peak[jobs] / 1024:.0f} MiB |")
    print(f"\npre-commit hook, one staged manifest ({staged.relative_to(folder)}), warm, --jobs {args.jobs}: "
          f"{precommit:.2f} s ({precommit / floor:.1f}x)")
    print(f"GitHub Action's scan (annotations, SARIF {sizes['sarif']:.1f} MiB, JSON {sizes['json']:.1f} MiB), "
          f"warm, --jobs {args.jobs}: {action_best:.2f} s ({action_best / floor:.1f}x)")
    print(f"pull request's scan (--diff-base HEAD, {staged.relative_to(folder)} changed), warm, --jobs {args.jobs}: "
          f"{review_best:.2f} s ({review_best / floor:.1f}x)")
    alone, together = spin
    print(f"this machine: {args.jobs} processes of pure-Python work at once each took {together / alone:.2f}x "
          f"as long as one alone ({alone:.2f} s), so {args.jobs * alone / together:.1f}x the work of one "
          f"process at best")


if __name__ == "__main__":
    main()
