"""Long fuzzing runs, for local exploration (not collected by pytest: no ``test_`` prefix).

    python tests/fuzz_long.py                 # 2,000 random examples per format
    python tests/fuzz_long.py 20000 -k yaml   # more, one format (extra args go to pytest)

Runs the properties of ``tests/test_fuzz.py`` with random (not derandomized) draws and
many more examples. A failure prints the smallest input hypothesis found and a
``@reproduce_failure`` blob; save the input under ``testdata/fuzz/<case>/<file name>``
(the file name decides the adapter), fix the adapter, and ``test_corpus`` replays it.

The examples run in batches of :data:`BATCH`, each in a fresh process: hypothesis keeps
state for every example it draws at random (one process grew by ~8 MB/s, 1.7 GB after
3,000 examples; 640 MB for 500 examples of each of the four properties), while scanning
800 new inputs one after another in one process left it at the size it started
(115 MiB: eksguard keeps nothing of a scan).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Examples per process.
BATCH = 250

if __name__ == "__main__":
    args = sys.argv[1:]
    total = int(args.pop(0)) if args and args[0].isdigit() else 2000
    here = Path(__file__).resolve().parent
    for start in range(0, total, BATCH):
        env = {**os.environ, "EKSGUARD_FUZZ_EXAMPLES": str(min(BATCH, total - start)), "EKSGUARD_FUZZ_RANDOM": "1"}
        print(f"examples {start + 1}-{min(start + BATCH, total)} of {total}", flush=True)
        code = subprocess.call([sys.executable, "-m", "pytest", str(here / "test_fuzz.py"), "-q", "-p", "no:cacheprovider",
                                "-k", "not corpus", *args], env=env)
        if code:
            sys.exit(code)
