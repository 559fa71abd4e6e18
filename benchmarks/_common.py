"""Shared pieces of the benchmarks: interleaved timing, the base-size config, the thread report."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import torch

from hf_xser import Wav2Vec2WCCNConfig


def base_config(**overrides) -> Wav2Vec2WCCNConfig:
    """wav2vec2-base's shape (hidden 768, 12 layers, 7 conv layers of 512, quantizer 2 x 320 entries, codevector
    dim 256) with XLSR-53's layer-norm feature encoder and stable layer norm; random weights; 4 classes.
    Dropouts and LayerDrop off so that A and B do the same work every step."""
    fields = {
        "num_labels": 4,
        "feat_extract_norm": "layer",
        "do_stable_layer_norm": True,
        "hidden_dropout": 0.0,
        "attention_dropout": 0.0,
        "activation_dropout": 0.0,
        "feat_proj_dropout": 0.0,
        "layerdrop": 0.0,
        "mask_time_prob": 0.05,
    }
    return Wav2Vec2WCCNConfig(**{**fields, **overrides})


def timed(function: Callable[[], object]) -> float:
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    function()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start


def interleaved(a: Callable[[], object], b: Callable[[], object], pairs: int = 5, warmup: int = 1) -> tuple:
    """Median seconds of `a` and of `b`, run alternately `pairs` times after `warmup` runs of each, and the median of
    the per-pair ratios b / a (pairs see the same machine load, so the ratio is steadier than the medians)."""
    for _ in range(warmup):
        a(), b()
    times_a, times_b = [], []
    for _ in range(pairs):
        times_a.append(timed(a))
        times_b.append(timed(b))
    ratio = statistics.median(tb / ta for ta, tb in zip(times_a, times_b))
    return statistics.median(times_a), statistics.median(times_b), ratio


def threads_line() -> str:
    return f"torch threads: {torch.get_num_threads()} (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})"
