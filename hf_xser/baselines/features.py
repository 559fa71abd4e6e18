"""openSMILE functionals of whole utterances (paper §4.2): eGeMAPSv02 (88) and emobase (988), over worker processes.

The features describe the *full* utterance, as the classic functionals pipeline does: the neural runs' 2 s
crop/pad (§4.1.4) is a batching device for wav2vec 2.0, not part of what the baselines model.

Clips shorter than `MIN_SAMPLES` (0.1 s) are zero-padded at the end to that length, as the neural pipeline
zero-pads to 2 s, so that both pipelines score exactly the same test utterances; openSMILE returns NaN for clips
under about 0.06 s (eGeMAPSv02) otherwise. An empty clip, or a non-finite feature, raises a `ValueError`
naming the utterance.
"""

from __future__ import annotations

import multiprocessing
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial

import numpy as np
from tqdm.auto import tqdm

SAMPLING_RATE = 16_000
MIN_SAMPLES = 1_600
FEATURE_SETS = {"egemaps": "eGeMAPSv02", "emobase": "emobase"}
FEATURE_DIMS = {"egemaps": 88, "emobase": 988}
CHUNK_SIZE = 4  # small: the last chunks leave a worker idle for at most ~4 clips (~0.15 s)

# One openSMILE extractor per process and feature set, built once by `_init_worker` (or on first use in the parent).
_SMILES: dict = {}


def check_feature_set(feature_set: str) -> str:
    """Return `feature_set` if hf-xser knows it, else raise a `ValueError` listing the known ones."""
    if feature_set not in FEATURE_SETS:
        raise ValueError(f"unknown feature set {feature_set!r}; choose one of {', '.join(FEATURE_SETS)}")
    return feature_set


def _init_worker(feature_set: str) -> None:
    import opensmile

    _SMILES[feature_set] = opensmile.Smile(
        feature_set=getattr(opensmile.FeatureSet, FEATURE_SETS[feature_set]),
        feature_level=opensmile.FeatureLevel.Functionals,
    )


def prepare_waveform(array: np.ndarray, utterance_id: str) -> np.ndarray:
    """A mono float32 waveform ready for openSMILE: checked non-empty, clipped to [-1, 1), zero-padded to 0.1 s."""
    waveform = np.asarray(array, dtype=np.float32).reshape(-1)
    if waveform.size == 0:
        raise ValueError(f"utterance {utterance_id!r} has no samples: nothing to extract features from")
    # openSMILE scales by 32768 and casts to int16, which wraps around (a full-scale click) above 1.0;
    # resampled audio can overshoot slightly.
    waveform = np.clip(waveform, -1.0, 32767 / 32768)
    if waveform.size < MIN_SAMPLES:
        waveform = np.pad(waveform, (0, MIN_SAMPLES - waveform.size))
    return waveform


def _extract_chunk(feature_set: str, chunk: Sequence[tuple[str, np.ndarray]]) -> np.ndarray:
    if feature_set not in _SMILES:
        _init_worker(feature_set)
    smile = _SMILES[feature_set]
    rows = []
    for utterance_id, array in chunk:
        with warnings.catch_warnings():
            # "Segment too short, filling with NaN": reported below as a non-finite feature, naming the utterance.
            warnings.simplefilter("ignore", UserWarning)
            frame = smile.process_signal(prepare_waveform(array, utterance_id), SAMPLING_RATE)
        rows.append(frame.to_numpy(dtype=np.float32).reshape(-1))
    return np.stack(rows)


def _chunks(items: Iterable[tuple[str, np.ndarray]], size: int) -> Iterator[list[tuple[str, np.ndarray]]]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def extract_functionals(
    waveforms: Iterable[tuple[str, np.ndarray]],
    feature_set: str,
    *,
    total: int | None = None,
    num_workers: int = 1,
    progress: bool = True,
) -> np.ndarray:
    """openSMILE functionals of each `(utterance_id, 16 kHz waveform)`, in input order.

    Args:
        waveforms: pairs of utterance id and mono waveform (float, 16 kHz); consumed lazily.
        feature_set (`str`): `"egemaps"` (eGeMAPSv02, 88 features) or `"emobase"` (988 features).
        total (`int`, *optional*): the number of pairs, for the progress bar.
        num_workers (`int`, defaults to 1): worker processes; 1 extracts in this process.
        progress (`bool`, defaults to `True`): show a tqdm bar.

    Returns:
        `np.ndarray` of shape `(num_utterances, FEATURE_DIMS[feature_set])`, float32.

    Raises:
        `ValueError`: unknown feature set, an empty clip, or non-finite features (naming the utterances).
    """
    check_feature_set(feature_set)
    ids: list[str] = []

    def tracked() -> Iterator[tuple[str, np.ndarray]]:
        for utterance_id, array in waveforms:
            ids.append(utterance_id)
            yield utterance_id, array

    bar = tqdm(total=total, desc=f"openSMILE {feature_set}", unit="utt", disable=not progress)
    blocks = []
    if num_workers <= 1:
        for chunk in _chunks(tracked(), CHUNK_SIZE):
            blocks.append(_extract_chunk(feature_set, chunk))
            bar.update(len(chunk))
    else:
        blocks = _extract_in_pool(_chunks(tracked(), CHUNK_SIZE), feature_set, num_workers, bar)
    bar.close()
    features = np.concatenate(blocks) if blocks else np.zeros((0, FEATURE_DIMS[feature_set]), np.float32)
    bad = np.flatnonzero(~np.isfinite(features).all(axis=1))
    if bad.size:
        named = ", ".join(repr(ids[i]) for i in bad[:5]) + (f" and {bad.size - 5} more" if bad.size > 5 else "")
        raise ValueError(f"openSMILE {feature_set} gave non-finite features for utterance(s) {named}")
    return features


def _advance(bar: tqdm, count: int, _: Future) -> None:
    bar.update(count)


def _extract_in_pool(
    chunks: Iterator[list[tuple[str, np.ndarray]]], feature_set: str, num_workers: int, bar: tqdm
) -> list[np.ndarray]:
    """Run chunks on `num_workers` worker processes, keeping only a few chunks in flight (bounded memory)."""
    # Not "fork": the parent may hold torch / tqdm threads. The fork server is single-threaded and, with openSMILE
    # preloaded, starts workers in milliseconds where "spawn" re-imports everything per worker (~0.5 s each).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "opensmile"])
    results: list[Future] = []
    in_flight: deque[Future] = deque()
    pool = ProcessPoolExecutor(num_workers, mp_context=context, initializer=_init_worker, initargs=(feature_set,))
    with pool:
        for chunk in chunks:
            # Back-pressure: at most 4 chunks per worker queued, so a corpus is never held twice in memory.
            if len(in_flight) >= 4 * num_workers:
                in_flight.popleft().result()
            future = pool.submit(_extract_chunk, feature_set, chunk)
            future.add_done_callback(partial(_advance, bar, len(chunk)))
            results.append(future)
            in_flight.append(future)
        return [future.result() for future in results]
