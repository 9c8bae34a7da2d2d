#!/usr/bin/python3
"""Trains in PyTorch the character-level language model that `recur lm train`
trains, with the same data, batches and optimiser, and prints its held-out
bits per character and its wall time: the reference for recur's figure.

    /usr/bin/python3 scripts/torch_lm_reference.py TEXT [--valid-fraction 0.1]
        [--cell lstm] [--layers 2] [--hidden 256] [--embed 64] [--seq-len 100]
        [--batch 32] [--lr 2e-3] [--clip 5] [--steps 3000] [--threads 1] [--seed 1]

As in recur (docs/cli.md): the last F of the text's characters are held out;
the vocabulary is <unk> followed by the distinct characters of the training
part in code point order; the training part is cut into B contiguous streams
of S = N // B characters; step k reads chunk k mod C (C = (S - 1) // T) of
every stream, carrying the detached state from chunk to chunk and resetting it
to zero when the streams wrap; Adam on the mean cross-entropy, the gradient
norm clipped at --clip. The held-out text is scored as `recur lm eval` scores
it (scripts/check_lm_torch.py). Only the random initialisation differs: the
initialisers are PyTorch's own, drawn from torch's generator.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_lm_torch import LM, bits_per_char  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("text")
    ap.add_argument("--valid-fraction", type=float, default=0.1)
    ap.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn", "rnn-relu"])
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--seq-len", type=int, default=100)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--clip", type=float, default=5.0)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print the result as one JSON object")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(args.text, encoding="utf-8") as f:
        text = f.read()
    held = int(len(text) * args.valid_fraction)
    train_text, valid_text = text[: len(text) - held], text[len(text) - held:]
    vocab = ["<unk>"] + sorted(set(train_text))
    index = {c: i for i, c in enumerate(vocab)}
    train = torch.tensor([index[c] for c in train_text])
    valid = [index.get(c, 0) for c in valid_text]

    cfg = {"cell": args.cell, "layers": args.layers, "hidden": args.hidden, "embed": args.embed}
    model = LM(len(vocab), cfg)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    T, B = args.seq_len, args.batch
    S = len(train) // B
    C = (S - 1) // T
    streams = torch.arange(B) * S
    print(f"{len(train)} training and {len(valid)} held-out characters, vocabulary {len(vocab)}; "
          f"{args.cell} {args.layers} x {args.hidden}, {sum(p.numel() for p in model.parameters())} "
          f"parameters; {C} steps per epoch", file=sys.stderr)

    start = time.time()
    state = None
    for k in range(args.steps):
        p = (k % C) * T
        if p == 0:
            state = None
        j = streams.unsqueeze(0) + p + torch.arange(T).unsqueeze(1)  # (T, B)
        out, state = model.rnn(model.embed(train[j]), state)
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        loss = F.cross_entropy(model.head(out).reshape(T * B, -1), train[j + 1].reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        if (k + 1) % 100 == 0:
            elapsed = time.time() - start
            print(f"step {k + 1}  loss {loss.item():.4f}  {(k + 1) * T * B / elapsed:.0f} tok/s  "
                  f"elapsed {elapsed:.1f}", file=sys.stderr)
    train_s = time.time() - start
    model.eval()
    with torch.no_grad():
        bits, count = bits_per_char(model, valid, B, T)
    result = {"valid_bpc": bits, "steps": args.steps, "train_seconds": train_s,
              "tokens_per_s": args.steps * T * B / train_s, "eval_seconds": time.time() - start - train_s}
    if args.json:
        print(json.dumps(result))
    else:
        print(" ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
