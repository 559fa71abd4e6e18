"""Wav2Vec2WCCNConfig: defaults, validation with the offending value shown, JSON round trip."""

import pytest
from transformers import AutoConfig, Wav2Vec2Config

from hf_xser import Wav2Vec2WCCNConfig


def test_defaults_and_model_type():
    config = Wav2Vec2WCCNConfig()
    assert isinstance(config, Wav2Vec2Config)
    assert config.model_type == "wav2vec2-wccn"
    assert (config.head_hidden_size, config.head_dropout, config.pooling_source) == (192, 0.1, "latent")
    assert (config.use_wccn, config.wccn_beta, config.aux_loss_weight) == (True, 0.2, 8e-4)


def test_every_field_is_documented():
    for name in ("head_hidden_size", "head_dropout", "pooling_source", "use_wccn", "wccn_beta", "aux_loss_weight"):
        assert f"{name} (`" in Wav2Vec2WCCNConfig.__doc__, name


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"head_hidden_size": 0}, "0"),
        ({"head_dropout": 1.0}, "1.0"),
        ({"head_dropout": -0.1}, "-0.1"),
        ({"pooling_source": "mean"}, "'mean'"),
        ({"wccn_beta": 1.2}, "1.2"),
        ({"aux_loss_weight": -1.0}, "-1.0"),
        ({"aux_loss_weight": 1e-3, "mask_time_prob": 0.0}, "mask_time_prob=0.0"),
        ({"add_adapter": True}, "True"),
    ],
)
def test_invalid_values_raise_with_the_value(kwargs, shown):
    with pytest.raises(ValueError, match=f"got {shown}|{shown}"):
        Wav2Vec2WCCNConfig(**kwargs)


def test_aux_loss_off_needs_no_masking():
    config = Wav2Vec2WCCNConfig(aux_loss_weight=0.0, mask_time_prob=0.0)
    assert config.aux_loss_weight == 0


def test_round_trip_through_json(tmp_path):
    config = Wav2Vec2WCCNConfig(
        num_labels=4, pooling_source="weighted", wccn_beta=0.5, aux_loss_weight=1.2e-3, head_dropout=0.45
    )
    config.save_pretrained(tmp_path)
    loaded = AutoConfig.from_pretrained(tmp_path)
    assert type(loaded) is Wav2Vec2WCCNConfig
    loaded_fields, fields = loaded.to_dict(), config.to_dict()
    assert loaded_fields.pop("_name_or_path") == str(tmp_path)
    fields.pop("_name_or_path")
    assert loaded_fields == fields
    assert loaded.num_labels == 4
