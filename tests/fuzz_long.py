"""Long fuzzing runs, for local exploration (not collected by pytest: no ``test_`` prefix).

    python tests/fuzz_long.py                 # 2,000 random examples per format
    python tests/fuzz_long.py 20000 -k yaml   # more, one format (extra args go to pytest)

Runs the properties of ``tests/test_fuzz.py`` with random (not derandomized) draws and
many more examples. A failure prints the smallest input hypothesis found and a
``@reproduce_failure`` blob; save the input under ``testdata/fuzz/<case>/<file name>``
(the file name decides the adapter), fix the adapter, and ``test_corpus`` replays it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

if __name__ == "__main__":
    args = sys.argv[1:]
    count = args.pop(0) if args and args[0].isdigit() else "2000"
    os.environ["EKSGUARD_FUZZ_EXAMPLES"] = count
    os.environ["EKSGUARD_FUZZ_RANDOM"] = "1"
    here = Path(__file__).resolve().parent
    sys.exit(pytest.main([str(here / "test_fuzz.py"), "-q", "-p", "no:cacheprovider", "-k", "not corpus", *args]))
