"""The offline demo's pieces: a tiny wav2vec 2.0 backbone config trained from scratch on synthetic corpora."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from transformers import Wav2Vec2Config

from ..data.synthetic import generate_demo_corpora

DEMO_CORPORA = ("emodb", "ravdess", "esd")

REAL_RUN_HINT = (
    "To run the real thing: download facebook/wav2vec2-large-xlsr-53 and the corpora, then "
    "`accelerate launch run_classification.py configs/dech.yaml` (set corpora_root and model_name_or_path there)."
)


def tiny_backbone_config() -> Wav2Vec2Config:
    """A wav2vec 2.0 of XLSR-53's shape (7 conv layers, 20 ms frames, layer-norm feature encoder, stable layer
    norm, Gumbel quantizer) but a few hundred thousand parameters, so that it trains on a CPU in minutes."""
    return Wav2Vec2Config(
        hidden_size=48,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=96,
        conv_dim=(32, 32, 32, 32, 32, 32, 32),
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
        num_codevector_groups=2,
        num_codevectors_per_group=32,
        codevector_dim=32,
        proj_codevector_dim=32,
        num_negatives=20,
        mask_time_prob=0.2,
        mask_time_length=5,
        hidden_dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        feat_proj_dropout=0.0,
        layerdrop=0.0,
    )


def ensure_demo_corpora(root: str | os.PathLike, seed: int, utterances_per_class: int) -> dict[str, Path]:
    """The synthetic German / English / Mandarin demo corpora under `root`, generated once per seed.

    A marker written after the last file makes a later run reuse them (and so the decoded-corpus cache, whose
    fingerprint includes the files' modification times); a run killed while generating starts over.
    """
    root = Path(root)
    marker = root / ".hf_xser_demo.json"
    expected = {"seed": seed, "corpora": list(DEMO_CORPORA), "utterances_per_class": utterances_per_class}
    if marker.is_file() and json.loads(marker.read_text()) == expected:
        return {name: root / name for name in DEMO_CORPORA}
    if root.exists():  # another seed or size: never mix two demo corpora
        for name in DEMO_CORPORA:
            shutil.rmtree(root / name, ignore_errors=True)
    folders = generate_demo_corpora(root, seed=seed, corpora=DEMO_CORPORA, utterances_per_class=utterances_per_class)
    marker.write_text(json.dumps(expected))
    return folders
