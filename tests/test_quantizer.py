"""The memory-light quantizer and the device-side mask / negative samplers, against HF's originals."""

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from transformers import Wav2Vec2Config
from transformers.models.wav2vec2.modeling_wav2vec2 import (
    Wav2Vec2GumbelVectorQuantizer,
    _compute_mask_indices,
)

from hf_xser.models.modeling_wav2vec2_wccn import (
    Wav2Vec2MemoryLightQuantizer,
    sample_mask_indices,
    sample_negative_indices,
)

CONFIG = Wav2Vec2Config(
    hidden_size=16,
    num_hidden_layers=1,
    num_attention_heads=2,
    intermediate_size=32,
    num_conv_pos_embeddings=8,
    num_conv_pos_embedding_groups=2,
    conv_dim=(24, 24),
    conv_kernel=(10, 3),
    conv_stride=(5, 2),
    num_codevector_groups=2,
    num_codevectors_per_group=40,
    codevector_dim=32,
)
BATCH, FRAMES = 3, 11


class LargestOutput(TorchDispatchMode):
    """Records the largest number of elements of any tensor an aten op returns (forward and backward)."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        output = func(*args, **(kwargs or {}))
        for tensor in output if isinstance(output, (tuple, list)) else (output,):
            if isinstance(tensor, torch.Tensor):
                self.largest = max(self.largest, tensor.numel())
        return output


def quantizer_pair() -> tuple[Wav2Vec2GumbelVectorQuantizer, Wav2Vec2MemoryLightQuantizer]:
    reference = Wav2Vec2GumbelVectorQuantizer(CONFIG)
    torch.nn.init.normal_(reference.codevectors)
    ours = Wav2Vec2MemoryLightQuantizer(CONFIG)
    ours.load_state_dict(reference.state_dict())  # same parameter names as HF's
    return reference, ours


def run(quantizer, features, mask, training, seed=0):
    quantizer.train(training)
    features = features.clone().requires_grad_()
    torch.manual_seed(seed)  # the same Gumbel noise for both
    codevectors, perplexity = quantizer(features, mask_time_indices=mask)
    (codevectors.square().sum() + perplexity).backward()
    return codevectors, perplexity, features.grad, quantizer.codevectors.grad, quantizer.weight_proj.weight.grad


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_same_numbers_and_gradients_as_hf(training, masked):
    reference, ours = quantizer_pair()
    features = torch.randn(BATCH, FRAMES, CONFIG.conv_dim[-1])
    mask = torch.rand(BATCH, FRAMES) < 0.5 if masked else None
    for expected, got in zip(run(reference, features, mask, training), run(ours, features, mask, training)):
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


def test_no_product_of_probabilities_and_codebook_is_materialised():
    reference, ours = quantizer_pair()
    features = torch.randn(BATCH, FRAMES, CONFIG.conv_dim[-1])
    groups, entries = CONFIG.num_codevector_groups, CONFIG.num_codevectors_per_group
    product = BATCH * FRAMES * groups * entries * (CONFIG.codevector_dim // groups)
    sizes = {}
    for name, quantizer in (("hf", reference), ("ours", ours)):
        with LargestOutput() as recorder:
            run(quantizer, features, None, training=True)
        sizes[name] = recorder.largest
    assert sizes["hf"] >= product  # the recorder does see HF's (B·T, G·V, D/G) tensor
    assert sizes["ours"] < product // 4


def test_model_uses_the_memory_light_quantizer():
    from hf_xser import Wav2Vec2ForWCCNClassification, Wav2Vec2WCCNConfig

    backbone = {key: value for key, value in CONFIG.to_dict().items() if key != "model_type"}
    model = Wav2Vec2ForWCCNClassification(Wav2Vec2WCCNConfig(**backbone))
    assert isinstance(model.quantizer, Wav2Vec2MemoryLightQuantizer)


def test_mask_sampler_matches_hf_distribution():
    lengths = torch.tensor([50, 37, 12])
    attention = torch.arange(50)[None] < lengths[:, None]
    ours = torch.stack([sample_mask_indices(lengths, 50, 0.3, 4, min_masks=2) for _ in range(400)]).float()
    np.random.seed(0)
    hf = np.stack([_compute_mask_indices((3, 50), 0.3, 4, attention, min_masks=2) for _ in range(400)])
    assert not (ours.bool() & ~attention).any()  # never beyond an utterance's frames
    assert ours.sum(-1).min() >= 2 * 1  # at least min_masks spans (possibly overlapping)
    # Masked fraction per utterance and per position agree with HF's sampler.
    torch.testing.assert_close(ours.mean((0, 2)), torch.from_numpy(hf).float().mean((0, 2)), atol=0.03, rtol=0)
    torch.testing.assert_close(ours.mean(0), torch.from_numpy(hf).float().mean(0), atol=0.12, rtol=0)


def test_negatives_come_from_other_valid_frames_of_the_same_utterance():
    lengths = torch.tensor([9, 4, 2])
    negatives = sample_negative_indices(lengths, 9, num_negatives=50)
    utterance, frame = negatives // 9, negatives % 9
    assert (utterance == torch.arange(3)[:, None, None]).all()
    valid = torch.arange(9)[None] < lengths[:, None]
    assert (frame < lengths[:, None, None]).all()
    assert (frame[valid] != torch.arange(9).expand(3, 9)[valid][:, None]).all()  # never the positive itself
    assert set(frame[0, 0].tolist()) == set(range(1, 9))  # uniform over the others: all of them show up
    assert (frame[~valid] == 0).all()  # padded frames point at frame 0, as in HF


def test_collator_draws_the_contrastive_indices():
    from hf_xser.data.collator import WaveformCollator
    from hf_xser.training.model_setup import default_feature_extractor

    config = Wav2Vec2Config(mask_time_prob=0.05, mask_time_length=10, num_negatives=100)
    items = [{"input_values": np.ones(n, dtype=np.float32), "labels": 0} for n in (32000, 20000)]
    batch = WaveformCollator(default_feature_extractor(), 2.0, contrastive_config=config)(items)
    mask, negatives = batch["mask_time_indices"], batch["sampled_negative_indices"]
    assert mask.shape == (2, 99) and negatives.shape == (2, 99, 100)
    assert mask[0].any() and mask[1].any() and not mask[1, 62:].any()  # 20000 samples = 62 frames
