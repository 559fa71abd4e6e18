"""Configuration of Wav2Vec2ForWCCNClassification: a wav2vec 2.0 backbone with the paper's classification head (§3)."""

from huggingface_hub.dataclasses import strict
from transformers import Wav2Vec2Config

POOLING_SOURCES = ("latent", "context", "weighted")


@strict
class Wav2Vec2WCCNConfig(Wav2Vec2Config):
    r"""
    Configuration of a [`Wav2Vec2ForWCCNClassification`]: every [`~transformers.Wav2Vec2Config`] argument configures
    the backbone and quantizer (so a `Wav2Vec2ForPreTraining` checkpoint such as `facebook/wav2vec2-large-xlsr-53`
    loads into it), plus the head of the paper (statistics pooling, eq. 8; FC, ReLU, dropout; Deep-WCCN, eq. 4-7;
    LayerNorm; linear) and the weight of the auxiliary wav2vec 2.0 loss (eq. 9). The labels use the standard
    `num_labels`, `id2label` and `label2id` of [`~transformers.PreTrainedConfig`]; `num_labels` is the K of eq. 4.

    Args:
        head_hidden_size (`int`, *optional*, defaults to 192):
            Output size of the head's fully-connected layer, i.e. the dimension of the features h that Deep-WCCN
            normalises (192 in the paper, §5.3).
        head_dropout (`float`, *optional*, defaults to 0.1):
            Dropout probability after the head's ReLU, in `[0, 1)` (the "dropout" row of the paper's Table 3).
        pooling_source (`str`, *optional*, defaults to `"latent"`):
            Which frames eq. 8 pools: `"latent"` = the CNN feature encoder's output Z (the paper's "latent speech
            representations"; the layer-normalised convolution output, `extract_features`, of size `conv_dim[-1]`),
            `"context"` = the last transformer layer's output C, `"weighted"` = a learned softmax-weighted sum of the
            transformer's input and every layer's output (as `use_weighted_layer_sum` in HF's sequence classifier).
        use_wccn (`bool`, *optional*, defaults to `True`):
            Whether the head applies Deep-WCCN (`False` gives the paper's "without Deep-WCCN" ablation).
        wccn_beta (`float`, *optional*, defaults to 0.2):
            Smoothing β of eq. 7, S = (1 - β) S_w + β I, in `[0, 1]` (the paper's Table 3 uses 0.2 to 0.5).
        aux_loss_weight (`float`, *optional*, defaults to 8e-4):
            Weight α of the auxiliary wav2vec 2.0 loss in eq. 9, L = CE + α (L_contrastive + diversity_loss_weight
            L_diversity), with HF's `Wav2Vec2ForPreTraining` scale (sums over masked frames). The default is the
            paper's DECH value (Table 3 uses 8e-4 to 1.7e-3). `0` turns the auxiliary loss off together with all its
            work: no quantizer forward, no contrastive masks or negatives are drawn. Needs `mask_time_prob > 0` and
            `apply_spec_augment=True` when positive, since the task predicts masked frames.

    Example:

    ```python
    >>> from hf_xser import Wav2Vec2WCCNConfig, Wav2Vec2ForWCCNClassification

    >>> config = Wav2Vec2WCCNConfig(num_labels=4, wccn_beta=0.5, aux_loss_weight=1.2e-3)
    >>> model = Wav2Vec2ForWCCNClassification(config)
    ```
    """

    model_type = "wav2vec2-wccn"

    head_hidden_size: int = 192
    head_dropout: float | int = 0.1
    pooling_source: str = "latent"
    use_wccn: bool = True
    wccn_beta: float | int = 0.2
    aux_loss_weight: float | int = 8e-4

    def __post_init__(self, **kwargs):
        super().__post_init__(**kwargs)
        if self.head_hidden_size < 1:
            raise ValueError(f"`head_hidden_size` must be a positive integer, got {self.head_hidden_size}.")
        if not 0 <= self.head_dropout < 1:
            raise ValueError(f"`head_dropout` must be in [0, 1), got {self.head_dropout}.")
        if self.pooling_source not in POOLING_SOURCES:
            raise ValueError(f"`pooling_source` must be one of {POOLING_SOURCES}, got {self.pooling_source!r}.")
        if not 0 <= self.wccn_beta <= 1:
            raise ValueError(f"`wccn_beta` (β of eq. 7) must be in [0, 1], got {self.wccn_beta}.")
        if self.aux_loss_weight < 0:
            raise ValueError(f"`aux_loss_weight` (α of eq. 9) must be >= 0, got {self.aux_loss_weight}.")
        if self.aux_loss_weight > 0 and not (self.mask_time_prob > 0 and self.apply_spec_augment):
            raise ValueError(
                f"`aux_loss_weight={self.aux_loss_weight}` needs masked frames to predict, but "
                f"`mask_time_prob={self.mask_time_prob}` and `apply_spec_augment={self.apply_spec_augment}`."
            )
        if self.add_adapter:
            raise ValueError(f"Wav2Vec2ForWCCNClassification does not support `add_adapter={self.add_adapter}`.")


__all__ = ["Wav2Vec2WCCNConfig"]
