#!/usr/bin/python3
"""Checks that a model saved by recur loads into PyTorch as it is and
computes the same thing.

    /usr/bin/python3 scripts/check_torch_interop.py [FILE]

FILE is written by examples/export_lstm.c; without it the script runs
build/rel/examples/export_lstm (build it with `make examples`) into a
temporary directory. The parameters are loaded with
load_state_dict(strict=True): no renaming, no reshaping. The input ids and
recur's logits, h_n and c_n are under "io."; PyTorch runs the same ids and
the script prints the max abs difference of each, exiting non-zero if one
exceeds 1e-5 (both compute in float32 over 6 steps and 2 layers).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

TOL = 1e-5
DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def load_safetensors(path):
    """Tensors and metadata of a safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, meta


class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        D = 2 if cfg["bidirectional"] else 1
        self.embed = nn.Embedding(cfg["vocab"], cfg["embed"], padding_idx=cfg["padding_idx"])
        self.lstm = nn.LSTM(cfg["embed"], cfg["hidden"], cfg["num_layers"], batch_first=cfg["batch_first"],
                            bidirectional=cfg["bidirectional"])
        self.head = nn.Linear(D * cfg["hidden"], cfg["vocab"])

    def forward(self, ids):
        out, (h_n, c_n) = self.lstm(self.embed(ids))
        return self.head(out), h_n, c_n


def check(path):
    tensors, meta = load_safetensors(path)
    cfg = json.loads(meta["config"])
    io = {k[3:]: v for k, v in tensors.items() if k.startswith("io.")}
    state = {k: v.float() for k, v in tensors.items() if not k.startswith("io.")}
    model = Model(cfg)
    model.load_state_dict(state, strict=True)
    print(f"{path}: loaded {len(state)} tensors with load_state_dict(strict=True): {', '.join(state)}")
    pad_row = state["embed.weight"][cfg["padding_idx"]]
    ok = bool((pad_row == 0).all())
    print(f"  embed.weight row padding_idx={cfg['padding_idx']} is zero: {ok}")
    with torch.no_grad():
        logits, h_n, c_n = model(io["ids"].long())
    worst = 0.0
    for name, got in (("logits", logits), ("h_n", h_n), ("c_n", c_n)):
        want = io[name].float()
        assert got.shape == want.shape, f"{name}: PyTorch {tuple(got.shape)}, recur {tuple(want.shape)}"
        err = (got - want).abs().max().item()
        worst = max(worst, err)
        print(f"  {name:7s} {str(tuple(got.shape)):12s} max abs diff recur vs PyTorch = {err:.3e}")
    ok = ok and worst <= TOL
    print(f"{'OK' if ok else 'FAIL'}: max abs diff {worst:.3e} (tol {TOL:.0e})")
    return ok


def main():
    torch.set_num_threads(1)
    if len(sys.argv) > 1:
        return 0 if check(sys.argv[1]) else 1
    root = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
    exe = os.path.join(root, "build", "rel", "examples", "export_lstm")
    with tempfile.TemporaryDirectory() as tmp:
        ok = True
        for seed in ("1", "2"):
            path = os.path.join(tmp, f"lstm_{seed}.safetensors")
            subprocess.run([exe, path, seed], check=True)
            ok = check(path) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
