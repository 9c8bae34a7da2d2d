#!/usr/bin/python3
"""Loads a `recur lm` model into PyTorch and recomputes its bits per character
on a text, as an independent check of the model file and of `recur lm eval`.

    /usr/bin/python3 scripts/check_lm_torch.py MODEL TEXT [--batch B] [--seq-len T] [--expect BITS]

The parameters go through load_state_dict(strict=True) into nn.Embedding →
nn.LSTM/GRU/RNN → nn.Linear, built from the configuration in the file's
metadata; the vocabulary comes from the metadata too (id 0 is <unk>). The
text is cut as `recur lm eval` cuts it: B contiguous streams, each from a
zero state, read T characters at a time. With --expect the script exits
non-zero unless the result is within 0.001 bits/char of BITS.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_torch_interop import load_safetensors  # noqa: E402

IGNORE = -100
CELLS = {"lstm": (nn.LSTM, {}), "gru": (nn.GRU, {}), "rnn": (nn.RNN, {"nonlinearity": "tanh"}),
         "rnn-relu": (nn.RNN, {"nonlinearity": "relu"})}


class LM(nn.Module):
    def __init__(self, vocab_size, cfg):
        super().__init__()
        cls, kw = CELLS[cfg["cell"]]
        self.embed = nn.Embedding(vocab_size, cfg["embed"])
        self.rnn = cls(cfg["embed"], cfg["hidden"], cfg["layers"], **kw)
        self.head = nn.Linear(cfg["hidden"], vocab_size)


def bits_per_char(model, ids, B, T):
    """Mean cross-entropy of ids[j + 1] given ids[..j], in bits."""
    M = len(ids) - 1
    S = (M + B - 1) // B
    src = torch.tensor(ids)
    nats, state = 0.0, None
    for p in range(0, S, T):
        t = torch.arange(T).unsqueeze(1)
        j = torch.arange(B).unsqueeze(0) * S + p + t  # (T, B) positions
        valid = (p + t < S) & (j < M)
        x = torch.where(valid, src[j.clamp(max=M - 1)], torch.zeros_like(j))
        y = torch.where(valid, src[(j + 1).clamp(max=M)], torch.full_like(j, IGNORE))
        out, state = model.rnn(model.embed(x), state)
        logits = model.head(out).reshape(T * B, -1)
        nats += F.cross_entropy(logits, y.reshape(-1), ignore_index=IGNORE, reduction="sum").item()
    return nats / M / math.log(2), M


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("text")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=100)
    ap.add_argument("--expect", type=float, help="the bits/char `recur lm eval` printed")
    args = ap.parse_args()

    tensors, meta = load_safetensors(args.model)
    vocab = json.loads(meta["vocab"])
    model = LM(len(vocab), json.loads(meta["config"]))
    model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)
    print(f"{args.model}: loaded {len(tensors)} tensors with load_state_dict(strict=True)")
    index = {c: i for i, c in enumerate(vocab)}
    with open(args.text, encoding="utf-8") as f:
        ids = [index.get(c, 0) for c in f.read()]
    torch.set_num_threads(1)
    with torch.no_grad():
        bits, count = bits_per_char(model, ids, args.batch, args.seq_len)
    print(f"PyTorch: {bits:.4f} bits/char over {count} predicted characters of {args.text}")
    if args.expect is not None:
        ok = abs(bits - args.expect) <= 1e-3
        print(f"recur lm eval reported {args.expect:.4f}: {'OK' if ok else 'MISMATCH'}")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
