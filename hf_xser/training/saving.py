"""Saving the model a run ends with, so that the Auto classes and `pipeline` load it as it is."""

from __future__ import annotations

import os

from transformers import Trainer


def save_final_model(trainer: Trainer, output_dir: str | os.PathLike) -> None:
    """Save the (best) model with its feature extractor; LoRA adapters are merged into the backbone first.

    Only the process that saves for the Trainer (the main one) writes, so processes never race on a file.
    """
    if not trainer.args.should_save:
        return
    model = trainer.model
    if hasattr(model, "merge_and_unload"):  # a PEFT model: ship a plain model, as loadable as any other
        model = model.merge_and_unload()
    model.save_pretrained(output_dir, safe_serialization=True)
    trainer.processing_class.save_pretrained(output_dir)
