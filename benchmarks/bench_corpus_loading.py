"""Cold vs warm (cached) loading of the three real corpora. Run by hand, never by CI:

    OMP_NUM_THREADS=1 python benchmarks/bench_corpus_loading.py [CORPORA_DIR]

Cold: a fresh cache, so every file is decoded, resampled and written as Arrow. Warm: the same calls again, which
read the Arrow cache (memory-mapped) and select the fold's speakers. Each load is `load_corpus(name, dir, fold=1)`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import datasets

from hf_xser.data import load_corpus

CORPORA = ("emodb", "ravdess", "casia")


def _load_all(root: Path, cache: str) -> float:
    start = time.perf_counter()
    for name in CORPORA:
        splits = load_corpus(name, root / name, fold=1, cache_dir=cache)
        assert sum(len(split) for split in splits.values()) > 0
    return time.perf_counter() - start


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HF_XSER_CORPORA", "../shared/corpora"))
    datasets.disable_progress_bars()
    with tempfile.TemporaryDirectory() as cache:
        cold = _load_all(root, cache)
        warm = min(_load_all(root, cache) for _ in range(3))
    print(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, corpora: {', '.join(CORPORA)} in {root}")
    print(f"cold (decode + cache): {cold:.2f} s")
    print(f"warm (cached, best of 3): {warm:.3f} s")
    print(f"warm is {cold / warm:.0f}x faster (required: >= 10x)")


if __name__ == "__main__":
    main()
