"""LoRA on the backbone's attention projections, with the paper's head kept fully trainable and saved (issue 4.7)."""

from collections.abc import Sequence

from peft import LoraConfig, PeftModel, get_peft_model

from .modeling_wav2vec2_wccn import Wav2Vec2ForWCCNClassification

# The head: trained in full and saved with the adapter (DeepWCCN's statistics and B are buffers of `wccn`).
HEAD_MODULES = ("pooling", "head_projection", "wccn", "head_layer_norm", "classifier")


def apply_lora(
    model: Wav2Vec2ForWCCNClassification,
    r: int = 8,
    alpha: int = 16,
    dropout: float = 0.0,
    target_modules: Sequence[str] = ("q_proj", "v_proj"),
) -> PeftModel:
    """Wrap `model` in a `PeftModel`: LoRA adapters on `target_modules`, the head in `modules_to_save`.

    Head modules without state (the pooling of `latent`/`context`, no DeepWCCN with `use_wccn=False`) are skipped.
    Reload with `PeftModel.from_pretrained(base_model, adapter_dir)` on a base built as the original one was.
    """
    modules_to_save = [
        name for name in HEAD_MODULES if getattr(model, name, None) is not None and getattr(model, name).state_dict()
    ]
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(target_modules),
        modules_to_save=modules_to_save,
    )
    return get_peft_model(model, config)
