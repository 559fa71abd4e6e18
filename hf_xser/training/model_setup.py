"""Build the model and its feature extractor from `ModelArguments`: a pretrained checkpoint or a config."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor

from ..models import Wav2Vec2ForWCCNClassification, Wav2Vec2WCCNConfig
from .arguments import ModelArguments
from .demo import tiny_backbone_config

logger = logging.getLogger(__name__)


def head_overrides(args: ModelArguments, labels: Sequence[str]) -> dict:
    """The config fields that `run_classification.py` sets on top of the backbone's."""
    return {
        "num_labels": len(labels),
        "id2label": dict(enumerate(labels)),
        "label2id": {label: i for i, label in enumerate(labels)},
        "head_hidden_size": args.head_hidden_size,
        "head_dropout": args.head_dropout,
        "pooling_source": args.pooling_source,
        "use_wccn": args.use_wccn,
        "wccn_beta": args.wccn_beta,
        "aux_loss_weight": args.aux_loss_weight,
    }


def default_feature_extractor() -> Wav2Vec2FeatureExtractor:
    """XLSR-53's pre-processing: 16 kHz, zero mean and unit variance per waveform, padding with an attention mask."""
    return Wav2Vec2FeatureExtractor(
        feature_size=1, sampling_rate=16_000, padding_value=0.0, do_normalize=True, return_attention_mask=True
    )


def _offline_hint(name: str, error: OSError) -> OSError:
    return OSError(
        f"could not load {name!r} ({error}). If the Hub is unreachable here, download the checkpoint where it is "
        f"(`hf download {name} --local-dir DIR`) and pass --model_name_or_path DIR."
    )


def build_model(
    args: ModelArguments, labels: Sequence[str]
) -> tuple[Wav2Vec2ForWCCNClassification, Wav2Vec2FeatureExtractor]:
    """The classifier and feature extractor for `labels`.

    From `--model_name_or_path`: a `Wav2Vec2ForPreTraining` checkpoint such as XLSR-53 fills the backbone and the
    quantizer and only the head is new; a saved hf-xser model comes back whole. Otherwise the backbone config of
    `--config_name` (or the built-in tiny one) is trained from scratch.
    """
    overrides = head_overrides(args, labels)
    if args.model_name_or_path:
        name = args.model_name_or_path
        try:
            config = Wav2Vec2WCCNConfig.from_pretrained(name, cache_dir=args.cache_dir, **overrides)
            model = Wav2Vec2ForWCCNClassification.from_pretrained(name, config=config, cache_dir=args.cache_dir)
        except OSError as error:
            raise _offline_hint(name, error) from error
        try:
            feature_extractor = Wav2Vec2FeatureExtractor.from_pretrained(name, cache_dir=args.cache_dir)
            feature_extractor.return_attention_mask = True
        except OSError:
            logger.info("%s has no feature extractor config: using XLSR-53's pre-processing", name)
            feature_extractor = default_feature_extractor()
        return model, feature_extractor
    if not args.config_name:
        raise ValueError("give --model_name_or_path (a checkpoint) or --config_name (a config to train from scratch)")
    if args.config_name == "tiny":
        backbone = tiny_backbone_config()
    else:
        try:
            backbone = Wav2Vec2Config.from_pretrained(args.config_name, cache_dir=args.cache_dir)
        except OSError as error:
            raise _offline_hint(args.config_name, error) from error
    backbone_fields = {k: v for k, v in backbone.to_dict().items() if k not in ("model_type", "architectures")}
    config = Wav2Vec2WCCNConfig(**{**backbone_fields, **overrides})
    return Wav2Vec2ForWCCNClassification(config), default_feature_extractor()
