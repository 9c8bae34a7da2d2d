#!/usr/bin/python3
"""Writes the PyTorch parity fixtures under tests/fixtures/ as safetensors.

Run with the interpreter that has torch (Debian's python3-torch):

    /usr/bin/python3 scripts/gen_fixtures.py [OUT_DIR]

Every file holds inputs, parameters under their state_dict names, random
upstream gradients, and what PyTorch computes from them in float32: outputs
and the gradients of inputs and parameters. Tensor names are
"PREFIX.NAME", one prefix per configuration; "__metadata__" holds
"configs" (a JSON list of the prefixes) and, per prefix, a JSON object
describing the configuration.

Gradients come from one backward pass of
    loss = Σ output ⊙ d_output + Σ h_n ⊙ d_h_n (+ Σ c_n ⊙ d_c_n)
so each expected "grad.NAME" is the vector-Jacobian product for the stored
upstream gradients "d_output", "d_h_n", "d_c_n".

The output is byte-for-byte reproducible: fixed seeds per configuration, one
thread, no dropout (its random stream is not comparable), and a writer with a
fixed key order.
"""
import json
import os
import struct
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

T, B, I, H, P = 5, 3, 4, 5, 3
LENGTHS = [3, 5, 1]  # unsorted on purpose: exercises enforce_sorted=False


# ---- a minimal safetensors writer ------------------------------------------

class Fixture:
    """Collects named tensors and metadata, then writes one safetensors file."""

    def __init__(self):
        self.tensors = []  # (name, dtype, shape, bytes), in insertion order
        self.names = set()
        self.meta = {}
        self.configs = []

    def add(self, name, t):
        assert name not in self.names, name
        self.names.add(name)
        t = t.detach().contiguous().cpu()
        if t.dtype in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8):
            dtype, t = "I64", t.to(torch.int64)
        else:
            dtype, t = "F32", t.to(torch.float32)
        self.tensors.append((name, dtype, list(t.shape), t.numpy().tobytes()))

    def config(self, prefix, cfg):
        assert prefix not in self.meta, prefix
        self.configs.append(prefix)
        self.meta[prefix] = json.dumps(cfg, separators=(",", ":"))

    def write(self, path):
        header, offset = {}, 0
        for name, dtype, shape, data in self.tensors:
            header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
            offset += len(data)
        meta = {"generator": "scripts/gen_fixtures.py", "torch": torch.__version__,
                "configs": json.dumps(self.configs, separators=(",", ":"))}
        meta.update(self.meta)
        header["__metadata__"] = meta
        text = json.dumps(header, separators=(",", ":")).encode("utf-8")
        text += b" " * (-len(text) % 8)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for _, _, _, data in self.tensors:
                f.write(data)
        os.replace(tmp, path)
        size = os.path.getsize(path)
        print(f"wrote {path}: {len(self.configs)} configs, {len(self.tensors)} tensors, {size} bytes")
        return size


def seed_for(name):
    """A seed that depends only on the configuration's name, so adding a
    configuration leaves every other one unchanged."""
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


# ---- recurrent layers --------------------------------------------------------

def rnn_module(mode, num_layers, bidirectional, batch_first, bias):
    kw = dict(num_layers=num_layers, bias=bias, batch_first=batch_first, dropout=0.0, bidirectional=bidirectional)
    if mode in ("rnn_tanh", "rnn_relu"):
        return nn.RNN(I, H, nonlinearity=mode[4:], **kw)
    if mode == "lstm":
        return nn.LSTM(I, H, **kw)
    if mode == "lstm_proj":
        return nn.LSTM(I, H, proj_size=P, **kw)
    return nn.GRU(I, H, **kw)


def add_grads(fx, prefix, named):
    for name, t in named:
        fx.add(f"{prefix}.grad.{name}", t.grad)


def rnn_config(fx, mode, num_layers, bidirectional, batch_first, with_h0, variable, bias=True, batched=True):
    prefix = "l{}_{}_{}_{}_{}".format(num_layers, "bi" if bidirectional else "uni", "bf" if batch_first else "tf",
                                      "h0" if with_h0 else "noh0", "var" if variable else "eq")
    if not bias:
        prefix += "_nobias"
    if not batched:
        prefix += "_unbatched"
    seed_for(mode + "/" + prefix)
    m = rnn_module(mode, num_layers, bidirectional, batch_first, bias)
    is_lstm = mode.startswith("lstm")
    proj = P if mode == "lstm_proj" else 0
    hout = proj or H
    D = 2 if bidirectional else 1
    xshape = ([B, T, I] if batch_first else [T, B, I]) if batched else [T, I]
    bdims = [B] if batched else []
    x = torch.randn(*xshape, requires_grad=True)
    h0 = (0.5 * torch.randn(D * num_layers, *bdims, hout)).requires_grad_() if with_h0 else None
    c0 = (0.5 * torch.randn(D * num_layers, *bdims, H)).requires_grad_() if with_h0 and is_lstm else None
    state = ((h0, c0) if is_lstm else h0) if with_h0 else None

    if variable:
        lengths = torch.tensor(LENGTHS, dtype=torch.int64)
        packed = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
        out, hn = m(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    else:
        out, hn = m(x, state)
    hn, cn = hn if is_lstm else (hn, None)

    dout, dh = torch.randn_like(out), torch.randn_like(hn)
    loss = (out * dout).sum() + (hn * dh).sum()
    if is_lstm:
        dc = torch.randn_like(cn)
        loss = loss + (cn * dc).sum()
    loss.backward()

    params = list(m.state_dict().keys())
    fx.config(prefix, {
        "mode": "lstm" if is_lstm else mode, "input_size": I, "hidden_size": H, "num_layers": num_layers,
        "bias": bias, "batch_first": batch_first, "bidirectional": bidirectional, "proj_size": proj,
        "dropout": 0.0, "batched": batched, "T": T, "B": B if batched else 0,
        "has_h0": with_h0, "has_lengths": variable, "params": params,
    })
    fx.add(f"{prefix}.x", x)
    if with_h0:
        fx.add(f"{prefix}.h0", h0)
        if is_lstm:
            fx.add(f"{prefix}.c0", c0)
    if variable:
        fx.add(f"{prefix}.lengths", lengths)
    for name, p in m.named_parameters():
        fx.add(f"{prefix}.{name}", p)
    fx.add(f"{prefix}.d_output", dout)
    fx.add(f"{prefix}.d_h_n", dh)
    if is_lstm:
        fx.add(f"{prefix}.d_c_n", dc)
    fx.add(f"{prefix}.output", out)
    fx.add(f"{prefix}.h_n", hn)
    if is_lstm:
        fx.add(f"{prefix}.c_n", cn)
    fx.add(f"{prefix}.grad.x", x.grad)
    if with_h0:
        fx.add(f"{prefix}.grad.h0", h0.grad)
        if is_lstm:
            fx.add(f"{prefix}.grad.c0", c0.grad)
    add_grads(fx, prefix, m.named_parameters())


def rnn_file(out_dir, mode):
    fx = Fixture()
    for num_layers in (1, 2):
        for bidirectional in (False, True):
            for batch_first in (False, True):
                for with_h0 in (True, False):
                    for variable in (False, True):
                        rnn_config(fx, mode, num_layers, bidirectional, batch_first, with_h0, variable)
    rnn_config(fx, mode, 2, True, False, True, False, bias=False)
    rnn_config(fx, mode, 2, True, False, True, False, batched=False)
    rnn_config(fx, mode, 1, False, True, False, False, batched=False)
    return fx.write(os.path.join(out_dir, f"{mode}.safetensors"))


# ---- cells ---------------------------------------------------------------------

def cell_config(fx, mode, with_state):
    prefix = mode + ("" if with_state else "_nostate")
    seed_for("cell/" + prefix)
    is_lstm = mode == "lstm"
    if mode in ("rnn_tanh", "rnn_relu"):
        m = nn.RNNCell(I, H, nonlinearity=mode[4:])
    else:
        m = nn.LSTMCell(I, H) if is_lstm else nn.GRUCell(I, H)
    x = torch.randn(B, I, requires_grad=True)
    h = (0.5 * torch.randn(B, H)).requires_grad_() if with_state else None
    c = (0.5 * torch.randn(B, H)).requires_grad_() if with_state and is_lstm else None
    if is_lstm:
        h1, c1 = m(x, (h, c) if with_state else None)
    else:
        h1, c1 = m(x, h), None
    dh = torch.randn_like(h1)
    loss = (h1 * dh).sum()
    if is_lstm:
        dc = torch.randn_like(c1)
        loss = loss + (c1 * dc).sum()
    loss.backward()

    fx.config(prefix, {"mode": mode, "input_size": I, "hidden_size": H, "B": B, "has_state": with_state,
                       "params": list(m.state_dict().keys())})
    fx.add(f"{prefix}.x", x)
    if with_state:
        fx.add(f"{prefix}.h", h)
        if is_lstm:
            fx.add(f"{prefix}.c", c)
    for name, p in m.named_parameters():
        fx.add(f"{prefix}.{name}", p)
    fx.add(f"{prefix}.d_h_out", dh)
    fx.add(f"{prefix}.h_out", h1)
    if is_lstm:
        fx.add(f"{prefix}.d_c_out", dc)
        fx.add(f"{prefix}.c_out", c1)
    fx.add(f"{prefix}.grad.x", x.grad)
    if with_state:
        fx.add(f"{prefix}.grad.h", h.grad)
        if is_lstm:
            fx.add(f"{prefix}.grad.c", c.grad)
    add_grads(fx, prefix, m.named_parameters())


def cells_file(out_dir):
    fx = Fixture()
    for mode in ("rnn_tanh", "rnn_relu", "lstm", "gru"):
        for with_state in (True, False):
            cell_config(fx, mode, with_state)
    return fx.write(os.path.join(out_dir, "cells.safetensors"))


# ---- ops and losses ------------------------------------------------------------

def ops_file(out_dir):
    fx = Fixture()

    # Embedding: the padding row is looked up as usual (it is non-zero here on
    # purpose) but receives no gradient.
    seed_for("ops/embedding")
    V, E, pad = 7, 4, 2
    W = torch.randn(V, E, requires_grad=True)
    ids = torch.tensor([[1, 2, 6, 2], [0, 5, 2, 1], [2, 3, 4, 6]], dtype=torch.int64)
    y = F.embedding(ids, W, padding_idx=pad)
    dy = torch.randn_like(y)
    (y * dy).sum().backward()
    fx.config("embedding", {"num_embeddings": V, "embedding_dim": E, "padding_idx": pad})
    for k, v in (("weight", W), ("ids", ids), ("d_out", dy), ("out", y), ("grad.weight", W.grad)):
        fx.add(f"embedding.{k}", v)

    # Cross-entropy with ignored targets, both reductions.
    target = torch.tensor([1, -100, 4, 0, -100, 2], dtype=torch.int64)
    for red in ("mean", "sum"):
        prefix = f"cross_entropy_{red}"
        seed_for("ops/" + prefix)
        logits = (2 * torch.randn(6, 5)).requires_grad_()
        loss = F.cross_entropy(logits, target, ignore_index=-100, reduction=red)
        loss.backward()
        fx.config(prefix, {"reduction": red, "ignore_index": -100})
        for k, v in (("logits", logits), ("target", target), ("loss", loss), ("grad.logits", logits.grad)):
            fx.add(f"{prefix}.{k}", v)

    seed_for("ops/nll")
    logp = torch.log_softmax(torch.randn(6, 5), dim=1).requires_grad_()
    loss = F.nll_loss(logp, target, ignore_index=-100, reduction="mean")
    loss.backward()
    fx.config("nll_mean", {"reduction": "mean", "ignore_index": -100})
    for k, v in (("logp", logp), ("target", target), ("loss", loss), ("grad.logp", logp.grad)):
        fx.add(f"nll_mean.{k}", v)

    for red in ("mean", "sum"):
        prefix = f"mse_{red}"
        seed_for("ops/" + prefix)
        a = torch.randn(3, 4, requires_grad=True)
        b = torch.randn(3, 4, requires_grad=True)
        loss = F.mse_loss(a, b, reduction=red)
        loss.backward()
        fx.config(prefix, {"reduction": red})
        for k, v in (("x", a), ("y", b), ("loss", loss), ("grad.x", a.grad), ("grad.y", b.grad)):
            fx.add(f"{prefix}.{k}", v)

    # Logits include ±30, where a naive log(σ(x)) overflows or loses all digits.
    for red in ("mean", "sum"):
        prefix = f"bce_with_logits_{red}"
        seed_for("ops/" + prefix)
        x = 3 * torch.randn(3, 4)
        x[0, 0], x[1, 2] = 30.0, -30.0
        x.requires_grad_()
        y = torch.rand(3, 4)
        y[2, :2] = torch.tensor([0.0, 1.0])
        loss = F.binary_cross_entropy_with_logits(x, y, reduction=red)
        loss.backward()
        fx.config(prefix, {"reduction": red})
        for k, v in (("x", x), ("y", y), ("loss", loss), ("grad.x", x.grad)):
            fx.add(f"{prefix}.{k}", v)

    for bias in (True, False):
        prefix = "linear" if bias else "linear_nobias"
        seed_for("ops/" + prefix)
        lin = nn.Linear(4, 5, bias=bias)
        x = torch.randn(2, 3, 4, requires_grad=True)
        y = lin(x)
        dy = torch.randn_like(y)
        (y * dy).sum().backward()
        fx.config(prefix, {"in_features": 4, "out_features": 5, "bias": bias})
        fx.add(f"{prefix}.x", x)
        for name, p in lin.named_parameters():
            fx.add(f"{prefix}.{name}", p)
        fx.add(f"{prefix}.d_out", dy)
        fx.add(f"{prefix}.out", y)
        fx.add(f"{prefix}.grad.x", x.grad)
        add_grads(fx, prefix, lin.named_parameters())

    # A row of large values checks the max subtraction.
    for fn in ("softmax", "log_softmax"):
        seed_for("ops/" + fn)
        x = 2 * torch.randn(3, 6)
        x[1] += 80.0
        x.requires_grad_()
        y = getattr(torch, fn)(x, dim=-1)
        dy = torch.randn_like(y)
        (y * dy).sum().backward()
        fx.config(fn, {"dim": -1})
        for k, v in (("x", x), ("d_out", dy), ("out", y), ("grad.x", x.grad)):
            fx.add(f"{fn}.{k}", v)

    return fx.write(os.path.join(out_dir, "ops.safetensors"))


# ---- training trajectories -----------------------------------------------------

class LanguageModel(nn.Module):
    def __init__(self, V, E, Hd):
        super().__init__()
        self.embed = nn.Embedding(V, E)
        self.lstm = nn.LSTM(E, Hd, 1)
        self.head = nn.Linear(Hd, V)

    def forward(self, ids):
        out, _ = self.lstm(self.embed(ids))
        return self.head(out)


# Gradient norms of this model stay within about 0.1..0.3, so each max_norm
# sits inside its trajectory's range: clipping triggers on some steps only.
TRAJECTORIES = {
    "adam": dict(kind="adam", lr=1e-2, weight_decay=0.0, momentum=0.0, max_norm=0.17),
    "adamw": dict(kind="adamw", lr=1e-2, weight_decay=0.1, momentum=0.0, max_norm=0.2),
    "sgd_momentum": dict(kind="sgd", lr=0.5, weight_decay=0.0, momentum=0.9, max_norm=0.13),
}


def trajectory(fx, prefix, opt_cfg, steps=20, V=13, E=8, Hd=16, Tt=10, Bt=4):
    seed_for("train/" + prefix)
    model = LanguageModel(V, E, Hd)
    tokens = torch.randint(0, V, (Tt + 1, Bt), dtype=torch.int64)
    inputs, targets = tokens[:-1], tokens[1:].reshape(-1)
    fx.add(f"{prefix}.tokens", tokens)
    for name, p in model.state_dict().items():
        fx.add(f"{prefix}.init.{name}", p)

    lr, wd, max_norm = opt_cfg["lr"], opt_cfg["weight_decay"], opt_cfg["max_norm"]
    if opt_cfg["kind"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=wd)
    elif opt_cfg["kind"] == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=opt_cfg["momentum"], weight_decay=wd)
    crit = nn.CrossEntropyLoss()

    losses, norms = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = crit(model(inputs).reshape(-1, V), targets)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        losses.append(loss.item())
        norms.append(norm.item())
        opt.step()
    clipped = sum(n > max_norm for n in norms)
    print(f"  {prefix}: loss {losses[0]:.4f} -> {losses[-1]:.4f}; grad norm clipped on {clipped}/{steps} steps "
          f"(norms {min(norms):.3f}..{max(norms):.3f}, max_norm {max_norm})")
    assert 0 < clipped < steps, "clipping must trigger on some steps but not all"

    fx.add(f"{prefix}.losses", torch.tensor(losses, dtype=torch.float32))
    fx.add(f"{prefix}.grad_norms", torch.tensor(norms, dtype=torch.float32))
    for name, p in model.state_dict().items():
        fx.add(f"{prefix}.final.{name}", p)
    cfg = dict(opt_cfg, vocab=V, embed=E, hidden=Hd, T=Tt, B=Bt, steps=steps,
               beta1=0.9, beta2=0.999, eps=1e-8, params=list(model.state_dict().keys()))
    fx.config(prefix, cfg)


def train_file(out_dir):
    fx = Fixture()
    for prefix, cfg in TRAJECTORIES.items():
        trajectory(fx, prefix, cfg)
    return fx.write(os.path.join(out_dir, "train.safetensors"))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
    out_dir = os.path.normpath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    total = 0
    for mode in ("rnn_tanh", "rnn_relu", "lstm", "lstm_proj", "gru"):
        total += rnn_file(out_dir, mode)
    total += cells_file(out_dir)
    total += ops_file(out_dir)
    total += train_file(out_dir)
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
