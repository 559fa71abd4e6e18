"""The paper's model: Wav2Vec2 + statistics pooling + Deep-WCCN (+ the auxiliary wav2vec 2.0 loss).

Importing this package registers the config and model with the Auto classes, and marks them for
`register_for_auto_class`, so `save_pretrained` writes `auto_map` and copies the two model files: a saved or pushed
model then loads with `trust_remote_code=True` where hf_xser is not installed.
"""

from transformers import AutoConfig, AutoModel, AutoModelForAudioClassification

from .configuration_wav2vec2_wccn import Wav2Vec2WCCNConfig
from .modeling_wav2vec2_wccn import (
    DeepWCCN,
    Wav2Vec2ForWCCNClassification,
    Wav2Vec2WCCNClassifierOutput,
    wccn_projection,
    within_class_covariance,
)

# exist_ok: re-importing (e.g. after importlib.reload) must not fail on the existing registration.
AutoConfig.register(Wav2Vec2WCCNConfig.model_type, Wav2Vec2WCCNConfig, exist_ok=True)
AutoModel.register(Wav2Vec2WCCNConfig, Wav2Vec2ForWCCNClassification, exist_ok=True)
AutoModelForAudioClassification.register(Wav2Vec2WCCNConfig, Wav2Vec2ForWCCNClassification, exist_ok=True)
Wav2Vec2WCCNConfig.register_for_auto_class()
Wav2Vec2ForWCCNClassification.register_for_auto_class("AutoModelForAudioClassification")

__all__ = [
    "DeepWCCN",
    "Wav2Vec2ForWCCNClassification",
    "Wav2Vec2WCCNClassifierOutput",
    "Wav2Vec2WCCNConfig",
    "wccn_projection",
    "within_class_covariance",
]
