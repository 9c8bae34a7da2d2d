#!/usr/bin/python3
"""Loads a model saved by examples/char_lm into PyTorch and recomputes its
held-out bits per character, as an independent check of both.

    /usr/bin/python3 scripts/check_char_lm_torch.py MODEL [--expect BITS]

MODEL is the file given to char_lm's --save (scripts/demo.sh writes
build/char_lm.safetensors). The parameters go through
load_state_dict(strict=True) into nn.Embedding → nn.LSTM → nn.Linear; the
vocabulary, the text and how it was cut come from the file's metadata. The
held-out text is evaluated exactly as char_lm does (the same streams, each
from a zero state), so the result must equal the "held-out:" line char_lm
printed; with --expect the script exits non-zero unless it is within 0.001.
"""
import argparse
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_torch_interop import load_safetensors  # noqa: E402

IGNORE = -100


class CharLM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size)
        self.head = nn.Linear(hidden_size, vocab_size)


def held_out_ids(meta):
    """Ids of the held-out text: its last `holdout` fraction of code points."""
    ids = {c: i + 1 for i, c in enumerate(meta["vocab"])}
    unk = int(meta["unk_id"])
    with open(meta["data"], encoding="utf-8") as f:
        text = f.read()
    n_held = int(len(text) * float(meta["holdout"]))
    return [ids.get(c, unk) for c in text[len(text) - n_held:]]


def bits_per_char(model, ids, B, T):
    """Mean cross-entropy of ids[i + 1] given ids[..i], in bits, over B
    contiguous streams run T steps at a time with the state carried."""
    n_pred = len(ids) - 1
    L = (n_pred + B - 1) // B
    src = torch.tensor(ids)
    nats, count, state = 0.0, 0, None
    for pos in range(0, L, T):
        t = torch.arange(T).unsqueeze(1)
        i = torch.arange(B).unsqueeze(0) * L + pos + t  # (T, B) positions
        valid = (pos + t < L) & (i < n_pred)
        x = torch.where(valid, src[i.clamp(max=n_pred - 1)], torch.zeros_like(i))
        y = torch.where(valid, src[(i + 1).clamp(max=n_pred)], torch.full_like(i, IGNORE))
        out, state = model.lstm(model.embed(x), state)
        logits = model.head(out).reshape(T * B, -1)
        nats += F.cross_entropy(logits, y.reshape(-1), ignore_index=IGNORE, reduction="sum").item()
        count += int(valid.sum())
    return nats / count / math.log(2), count


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--expect", type=float, help="char_lm's held-out bits/char")
    args = ap.parse_args()

    tensors, meta = load_safetensors(args.model)
    model = CharLM(int(meta["vocab_size"]), int(meta["embed_dim"]), int(meta["hidden_size"]))
    model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)
    print(f"{args.model}: loaded {', '.join(tensors)} with load_state_dict(strict=True)")
    torch.set_num_threads(1)
    with torch.no_grad():
        bits, count = bits_per_char(model, held_out_ids(meta), int(meta["batch"]), int(meta["seq_len"]))
    print(f"PyTorch held-out: {bits:.4f} bits/char over {count} characters of {meta['data']}")
    if args.expect is not None:
        ok = abs(bits - args.expect) <= 1e-3
        print(f"char_lm reported {args.expect:.4f}: {'OK' if ok else 'MISMATCH'}")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
