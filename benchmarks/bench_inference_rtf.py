"""CPU inference real-time factor (seconds of compute per second of audio) of a base-size model, fp32 vs bf16.

Run by hand: `OMP_NUM_THREADS=1 python benchmarks/bench_inference_rtf.py [--pairs 7]` (try OMP_NUM_THREADS=2 too).
One 2 s clip per forward pass (batch 1), the model in eval mode under `torch.inference_mode`; bf16 = autocast.
"""

from __future__ import annotations

import argparse

import torch
from _common import base_config, interleaved, threads_line

from hf_xser import Wav2Vec2ForWCCNClassification

SECONDS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()
    torch.manual_seed(0)
    model = Wav2Vec2ForWCCNClassification(base_config(aux_loss_weight=0.0)).eval()
    inputs = {"input_values": torch.randn(1, int(SECONDS * 16_000))}

    @torch.inference_mode()
    def fp32() -> None:
        model(**inputs)

    @torch.inference_mode()
    def bf16() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            model(**inputs)

    a, b, ratio = interleaved(fp32, bf16, args.pairs)
    print(f"{threads_line()}; base-size backbone (hidden 768, 12 layers, conv 512), 2 s clip, batch 1")
    print(f"RTF fp32 {a / SECONDS:.3f}, bf16 autocast {b / SECONDS:.3f} (bf16 / fp32 time = {ratio:.2f})")


if __name__ == "__main__":
    main()
