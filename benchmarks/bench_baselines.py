"""Benchmark the baselines on the real corpora (run by hand, not by CI).

Grid (default): `hf-xser baseline` over the three schemes (DECH, DEEN, ENCH), every fold the corpora share, with
and without WCCN, from an empty feature cache (extraction included), and the wall time of each step and of the
whole grid:

    python benchmarks/bench_baselines.py --corpora-root ../shared/corpora [--features egemaps,emobase]

Extraction (`--extraction`): openSMILE functionals of real clips read directly with soundfile, on 1 worker (in
process) and on 2 worker processes, A/B interleaved (AB, BA, AB, ...); prints every pair and the ratio of the
medians:

    python benchmarks/bench_baselines.py --corpora-root ../shared/corpora --extraction [--pairs 5]

Both need an otherwise idle machine: the load average is printed before and after, since two workers cannot beat
one when other processes hold the second core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import soundfile as sf  # noqa: E402
import torch  # noqa: E402

from hf_xser.baselines import extract_functionals  # noqa: E402
from hf_xser.cli import main as hf_xser  # noqa: E402

SCHEMES = "DECH,DEEN,ENCH"


def threads() -> str:
    omp = os.environ["OMP_NUM_THREADS"]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"OMP_NUM_THREADS={omp}, torch threads {torch.get_num_threads()}, {os.cpu_count()} cores, load {load}"


def bench_grid(args: argparse.Namespace) -> None:
    feature_cache = tempfile.mkdtemp(prefix="bench_features_")  # empty: the grid's time includes extraction
    print(f"grid: {SCHEMES} x folds 'all' x (no WCCN, WCCN); {threads()}; {args.num_workers} openSMILE workers")
    timings = []
    start = time.perf_counter()
    for features in args.features.split(","):
        for wccn in ([], ["--wccn"]):
            step = time.perf_counter()
            output = Path(args.output_dir) / ("+".join([features, *(["wccn"] if wccn else []), "rf"]))
            hf_xser(
                ["baseline", "--corpora-root", args.corpora_root, "--schemes", SCHEMES, "--fold", "all",
                 "--features", features, *wccn, "--num-workers", str(args.num_workers), "--output-dir", str(output),
                 "--feature-cache-dir", feature_cache, "--no-progress"]
            )  # fmt: skip
            timings.append((output.name, time.perf_counter() - step))
    for name, seconds in timings:
        print(f"{name:<20} {seconds:7.1f} s")
    print(f"{'whole grid':<20} {time.perf_counter() - start:7.1f} s")


def real_clips(root: Path, corpora: list[str]) -> list[tuple[str, object]]:
    clips = []
    for corpus in corpora:
        for path in sorted((root / corpus).rglob("*.wav")):
            audio, rate = sf.read(path, dtype="float32")
            if rate != 16_000 or audio.ndim != 1:
                sys.exit(f"{path}: expected 16 kHz mono (the shared corpora are); got {rate} Hz, shape {audio.shape}")
            clips.append((str(path), audio))
    return clips


def bench_extraction(args: argparse.Namespace) -> None:
    clips = real_clips(Path(args.corpora_root), args.corpora.split(","))[: args.max_clips]
    seconds = sum(audio.size for _, audio in clips) / 16_000
    print(
        f"extraction: {args.features}, {len(clips)} clips ({seconds:.0f} s of audio) from {args.corpora}; {threads()}"
    )

    def timed(workers: int) -> float:
        start = time.perf_counter()
        extract_functionals(iter(clips), args.features, num_workers=workers, progress=False)
        return time.perf_counter() - start

    # The fork server boots once per process (it imports hf_xser and openSMILE); shown apart, not hidden.
    print(f"first 2-worker run, fork server start included: {timed(2):.2f} s")
    times = {1: [], 2: []}
    for pair in range(args.pairs):
        order = (1, 2) if pair % 2 == 0 else (2, 1)
        for workers in order:
            times[workers].append(timed(workers))
        print(f"pair {pair + 1}: 1 worker {times[1][-1]:.2f} s, 2 workers {times[2][-1]:.2f} s")
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"median: 1 worker {one:.2f} s ({len(clips) / one:.1f} clips/s), 2 workers {two:.2f} s")
    print(f"speed-up (median 1 worker / median 2 workers): {one / two:.2f}x; after: {threads()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora-root", default=os.environ.get("HF_XSER_CORPORA", "../shared/corpora"))
    parser.add_argument("--extraction", action="store_true", help="benchmark extraction on 1 vs 2 workers")
    parser.add_argument("--features", default="egemaps", help="grid: comma separated; extraction: one set")
    parser.add_argument("--num-workers", type=int, default=2, help="grid: openSMILE workers")
    parser.add_argument("--output-dir", default="outputs/bench_baselines", help="grid: results folder")
    parser.add_argument("--corpora", default="emodb", help="extraction: corpus sub-folders to read, comma separated")
    parser.add_argument("--pairs", type=int, default=5, help="extraction: A/B pairs")
    parser.add_argument("--max-clips", type=int, help="extraction: the first N clips only")
    args = parser.parse_args()
    bench_extraction(args) if args.extraction else bench_grid(args)


if __name__ == "__main__":
    main()
