"""Scoring recordings of any length with a saved classifier: sliding windows, each normalised as in evaluation.

A recording is cut into windows of the training crop (2 s by default) every `hop` seconds; each window goes through
the model's feature extractor on its own (zero mean, unit variance over its samples, attention mask), which is what
the evaluation collator does to a centre crop and what `pipeline("audio-classification")` does to an array, so a
window's probabilities equal the pipeline's on that window. A recording's probabilities are the mean of its windows'
probabilities and its label their argmax. Windows of different recordings share batches.
"""

from __future__ import annotations

import csv
import logging
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile
import torch
from transformers import AutoFeatureExtractor, AutoModelForAudioClassification, PreTrainedModel

from ..data import SAMPLING_RATE, InvalidFileError, decode_audio
from ..models import Wav2Vec2WCCNConfig  # noqa: F401  (registers hf-xser models with the Auto classes)

logger = logging.getLogger(__name__)

# Every container libsndfile reads (wav, flac, ogg, mp3, aiff, ...), for folder inputs.
AUDIO_SUFFIXES = frozenset(f".{name.lower()}" for name in soundfile.available_formats()) | {".oga", ".opus"}
MANIFEST_DELIMITERS = {".csv": ",", ".tsv": "\t"}


def window_bounds(num_samples: int, window: int, hop: int) -> list[tuple[int, int]]:
    """`(start, end)` sample bounds of the windows scoring a recording of `num_samples` samples.

    Windows of `window` samples start every `hop` samples; if the last one stops short of the end, one more window
    ends exactly at the end, so every sample is scored. A recording no longer than a window is one window of the
    whole recording (the feature extractor pads it in a batch, with the attention mask).
    """
    if window < 1 or hop < 1:
        raise ValueError(f"window and hop must be at least one sample, got window={window}, hop={hop}")
    if num_samples <= window:
        return [(0, num_samples)]
    bounds = [(start, start + window) for start in range(0, num_samples - window + 1, hop)]
    if bounds[-1][1] < num_samples:
        bounds.append((num_samples - window, num_samples))
    return bounds


def collect_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """The audio files named by `inputs`: files as given, folders searched recursively for audio suffixes (sorted),
    and CSV/TSV manifests' `path` column (relative paths are relative to the manifest's folder)."""
    paths: list[Path] = []
    for item in map(Path, inputs):
        if item.is_dir():
            paths += sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
        elif item.suffix.lower() in MANIFEST_DELIMITERS and item.is_file():
            with open(item, newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle, delimiter=MANIFEST_DELIMITERS[item.suffix.lower()])
                if "path" not in (reader.fieldnames or []):
                    raise ValueError(f"{item}: a manifest needs a `path` column, found {reader.fieldnames}")
                paths += [item.parent / row["path"] for row in reader]
        else:
            paths.append(item)  # a missing or unreadable file is reported by name when it is decoded
    return paths


@dataclass
class _Pending:
    """A recording whose windows are (partly) waiting in the batch."""

    record: dict
    num_windows: int = 0
    probabilities: list[np.ndarray] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return len(self.probabilities) == self.num_windows


class Predictor:
    """An audio classifier with its feature extractor, scoring files window by window (see the module docstring).

    Args:
        model (`PreTrainedModel`): an audio classifier (e.g. `Wav2Vec2ForWCCNClassification`) returning `logits`.
        feature_extractor: its `Wav2Vec2FeatureExtractor` (16 kHz).
        window_seconds (`float`): window length, the training crop (2 s in the paper).
        hop_seconds (`float`): distance between window starts.
        batch_size (`int`): windows per forward pass.
        bf16 (`bool`): run the forward pass under bfloat16 autocast.
    """

    def __init__(
        self,
        model: PreTrainedModel,
        feature_extractor,
        window_seconds: float = 2.0,
        hop_seconds: float = 1.0,
        batch_size: int = 16,
        bf16: bool = False,
    ) -> None:
        if feature_extractor.sampling_rate != SAMPLING_RATE:
            raise ValueError(
                f"the feature extractor expects {feature_extractor.sampling_rate} Hz, not {SAMPLING_RATE}"
            )
        self.model = model.eval()
        self.feature_extractor = feature_extractor
        self.window = round(window_seconds * SAMPLING_RATE)
        self.hop = round(hop_seconds * SAMPLING_RATE)
        self.batch_size = batch_size
        self.bf16 = bf16
        self.labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        self.min_samples = _receptive_field(model.config)

    @classmethod
    def from_pretrained(cls, name: str, device: str = "cpu", **kwargs) -> Predictor:
        """Load a saved model folder or Hub id and its feature extractor (XLSR-53's pre-processing if it has none)."""
        try:
            model = AutoModelForAudioClassification.from_pretrained(name)
        except OSError as error:
            raise OSError(f"could not load the model {name!r}: {error}") from error
        try:
            feature_extractor = AutoFeatureExtractor.from_pretrained(name)
        except OSError:
            from ..training.model_setup import default_feature_extractor

            logger.warning("%s has no feature extractor config: using XLSR-53's pre-processing", name)
            feature_extractor = default_feature_extractor()
        return cls(model.to(device), feature_extractor, **kwargs)

    @torch.inference_mode()
    def score(self, windows: Sequence[np.ndarray]) -> np.ndarray:
        """Class probabilities `(len(windows), num_labels)` of waveforms, each normalised on its own."""
        inputs = self.feature_extractor(
            list(windows),
            sampling_rate=SAMPLING_RATE,
            padding="longest",
            return_attention_mask=True,
            return_tensors="pt",
        ).to(self.model.device)
        device_type = self.model.device.type
        autocast = torch.autocast(device_type, dtype=torch.bfloat16) if self.bf16 else nullcontext()
        with autocast:
            logits = self.model(**inputs).logits
        return logits.float().softmax(-1).cpu().numpy()

    def predict(self, paths: Iterable[str | Path]) -> Iterator[dict]:
        """One record per path, in order: `path`, `duration` (s), `label`, `probabilities` (label -> mean over
        windows), `windows` (each `start`, `end` in s, `label`, `probabilities`) and `error` (None, or why the file
        could not be scored; then the other fields are empty)."""
        waiting: deque[_Pending] = deque()
        batch: list[tuple[_Pending, np.ndarray]] = []
        for path in paths:
            pending = _Pending({"path": str(path), "duration": None, "label": None, "probabilities": None})
            pending.record.update(windows=[], error=None)
            waiting.append(pending)
            try:
                waveform = decode_audio(path)
            except InvalidFileError as error:
                pending.record["error"] = error.reason
            else:
                pending.record["duration"] = len(waveform) / SAMPLING_RATE
                if len(waveform) < self.min_samples:
                    pending.record["error"] = (
                        f"too short ({len(waveform)} samples, the model needs {self.min_samples})"
                    )
                else:
                    self._queue(pending, waveform, batch)
            while waiting and waiting[0].done:
                yield self._finish(waiting.popleft())
        self._score_batch(batch)
        while waiting:
            yield self._finish(waiting.popleft())

    def _queue(self, pending: _Pending, waveform: np.ndarray, batch: list[tuple[_Pending, np.ndarray]]) -> None:
        bounds = window_bounds(len(waveform), self.window, self.hop)
        pending.num_windows = len(bounds)
        pending.record["windows"] = [{"start": s / SAMPLING_RATE, "end": e / SAMPLING_RATE} for s, e in bounds]
        for start, end in bounds:
            batch.append((pending, waveform[start:end]))
            if len(batch) == self.batch_size:
                self._score_batch(batch)

    def _score_batch(self, batch: list[tuple[_Pending, np.ndarray]]) -> None:
        if batch:
            for (pending, _), probabilities in zip(batch, self.score([window for _, window in batch])):
                pending.probabilities.append(probabilities)
            batch.clear()

    def _finish(self, pending: _Pending) -> dict:
        record = pending.record
        if record["error"] is None:
            for window, probabilities in zip(record["windows"], pending.probabilities):
                window.update(self._labelled(probabilities))
            # The recording's scores: the mean of its windows' probabilities.
            record.update(self._labelled(np.mean(pending.probabilities, axis=0)))
        return record

    def _labelled(self, probabilities: np.ndarray) -> dict:
        return {
            "label": self.labels[int(np.argmax(probabilities))],
            "probabilities": dict(zip(self.labels, probabilities.tolist())),
        }


def _receptive_field(config) -> int:
    """Fewest samples that give a wav2vec 2.0 CNN feature encoder one frame (1 for models without one)."""
    samples = 1
    for kernel, stride in reversed(list(zip(getattr(config, "conv_kernel", ()), getattr(config, "conv_stride", ())))):
        samples = (samples - 1) * stride + kernel
    return samples
