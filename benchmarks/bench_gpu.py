"""GPU training throughput and MFU of the large (XLSR-53-shaped) model, eager vs `torch.compile`.

Run by hand on a CUDA machine: `python benchmarks/bench_gpu.py [--batch-size 14] [--peak-tflops 989]`; without CUDA
it says so and exits. One step = forward + backward + Adagrad under bf16 autocast on 2 s utterances, α = 8e-4 with
the contrastive masks and negatives drawn by the collator-side sampler (as `WaveformCollator(contrastive_config=...)`
does in the loader), so the step itself has no host-device synchronisation. MFU = utterances/s x 218 GFLOP (forward
+ backward of the large architecture per 2 s utterance) / the device's peak dense bf16 FLOP/s (`--peak-tflops`;
989 for an H100 SXM). Peak memory from `torch.cuda.max_memory_allocated`, with our quantizer and with HF's.
"""

from __future__ import annotations

import argparse

import torch
from _common import base_config, interleaved, threads_line
from transformers.models.wav2vec2.modeling_wav2vec2 import Wav2Vec2GumbelVectorQuantizer

from hf_xser import Wav2Vec2ForWCCNClassification
from hf_xser.models.modeling_wav2vec2_wccn import sample_contrastive_indices

TRAINING_FLOP_PER_UTTERANCE = 218e9

LARGE = {
    "hidden_size": 1024,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "intermediate_size": 4096,
    "codevector_dim": 768,
    "proj_codevector_dim": 768,
    "aux_loss_weight": 8e-4,
}


def make_step(model: Wav2Vec2ForWCCNClassification, batch: dict):
    optimizer = torch.optim.Adagrad(model.parameters(), lr=3e-4)

    def step() -> None:
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step


def peak_memory_gib(step) -> float:
    torch.cuda.reset_peak_memory_stats()
    step()
    return torch.cuda.max_memory_allocated() / 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch-size", type=int, default=14)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--peak-tflops", type=float, default=989.0, help="dense bf16 peak of the device")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("skipped: no CUDA device (this benchmark needs a GPU)")
        return
    torch.manual_seed(0)
    config = base_config(**LARGE)
    model = Wav2Vec2ForWCCNClassification(config).cuda().train()
    attention_mask = torch.ones(args.batch_size, 32_000, dtype=torch.long)
    mask_time_indices, negatives = sample_contrastive_indices(config, attention_mask)
    batch = {
        "input_values": torch.randn(args.batch_size, 32_000),
        "attention_mask": attention_mask,
        "labels": torch.arange(args.batch_size) % 4,
        "mask_time_indices": mask_time_indices,
        "sampled_negative_indices": negatives,
    }
    batch = {name: value.cuda() for name, value in batch.items()}
    eager = make_step(model, batch)
    compiled_model = torch.compile(model)
    compiled = make_step(compiled_model, batch)
    a, b, ratio = interleaved(eager, compiled, args.pairs, warmup=3)
    print(f"{torch.cuda.get_device_name()}; {threads_line()}; large architecture, batch {args.batch_size} x 2 s, bf16")
    for name, seconds in (("eager", a), ("compiled", b)):
        throughput = args.batch_size / seconds
        mfu = throughput * TRAINING_FLOP_PER_UTTERANCE / (args.peak_tflops * 1e12)
        print(f"{name}: {seconds * 1e3:.1f} ms/step, {throughput:.0f} utt/s, MFU {mfu:.1%}")
    print(f"compiled / eager time = {ratio:.2f}")
    ours = peak_memory_gib(eager)
    hf_quantizer = Wav2Vec2GumbelVectorQuantizer(config).cuda()
    hf_quantizer.load_state_dict(model.quantizer.state_dict())
    model.quantizer = hf_quantizer
    print(f"peak memory per step (eager): our quantizer {ours:.2f} GiB, HF's {peak_memory_gib(eager):.2f} GiB")


if __name__ == "__main__":
    main()
