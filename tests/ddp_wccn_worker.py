"""torchrun worker for tests/test_deep_wccn.py: each rank feeds its shard of every step's batch to one DeepWCCN.

Usage: torchrun --standalone --nproc_per_node 2 tests/ddp_wccn_worker.py OUT_DIR
Every rank writes OUT_DIR/rank{rank}.pt with its buffers; the data come from `make_steps` so the test can replay
the union of each step's batches in one process.
"""

import sys

import torch
import torch.distributed as dist

from hf_xser.models.modeling_wav2vec2_wccn import DeepWCCN

DIM, NUM_CLASSES, BETA = 5, 3, 0.1


def make_steps() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Four steps of (features, labels). Class 2 is absent from step 2; in step 1 each rank holds one example of it,
    so only the union (two examples) makes the step count for class 2."""
    generator = torch.Generator().manual_seed(1234)
    labels = [
        [0, 0, 1, 2, 1, 1, 2, 0],
        [0, 1, 1, 0, 0, 1, 1, 0],
        [2, 0, 1, 1, 2, 0, 0, 1],
        [1, 2, 2, 0, 0, 1, 2, 2, 0, 1],
    ]
    return [(torch.randn(len(y), DIM, generator=generator) * 2 + 1, torch.tensor(y)) for y in labels]


def main(out_dir: str) -> None:
    dist.init_process_group("gloo")
    rank, world_size = dist.get_rank(), dist.get_world_size()
    wccn = DeepWCCN(DIM, NUM_CLASSES, BETA).train()
    for features, labels in make_steps():
        shard = slice(rank, None, world_size)  # rank 0: even examples, rank 1: odd examples
        wccn(features[shard], labels[shard])
    torch.save({name: buffer.clone() for name, buffer in wccn.named_buffers()}, f"{out_dir}/rank{rank}.pt")
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
