#!/usr/bin/python3
"""Writes tests/fixtures/attention.safetensors: PyTorch reference values for
every attention module of include/recur/attention.h.

Run with Debian's python3-torch (torch 1.13): /usr/bin/python3 scripts/gen_attention_fixtures.py

For each case NAME the file holds
  NAME.q, NAME.k, NAME.v           inputs (NAME.x for self-attention)
  NAME.params.<param>              parameters under recur's state_dict names
  NAME.src_lengths, NAME.attn_mask masks when used (I64; attn_mask 1 = hidden)
  NAME.d_output, NAME.d_weights    upstream gradients
  NAME.output, NAME.weights        expected results
  NAME.grad.<input>, NAME.grad.params.<param>
                                   expected gradients of
                                   sum(output * d_output) + sum(weights * d_weights)
and the metadata holds "cases" (comma-separated names) and NAME as
"kind=... query_size=... ..." (the rc_attention_config fields, plus causal and
self). Every reference is computed in float64 from float32 inputs and stored
as F32. No case hides a whole row: PyTorch gives NaN there, recur zeros.
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "attention.safetensors")


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: u64 LE header length, JSON header padded with
    spaces to a multiple of 8, then the raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        if t.dtype == torch.int64:
            dtype, data = "I64", t.contiguous().numpy().astype("<i8").tobytes()
        else:
            dtype, data = "F32", t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def hidden_keys(B, Tq, S, lengths, causal, attn_mask):
    """(B, Tq, S) bool, True where key j is hidden from query i of sequence b."""
    hidden = torch.zeros(B, Tq, S, dtype=torch.bool)
    if lengths is not None:
        hidden |= (torch.arange(S)[None, :] >= lengths[:, None])[:, None, :]
    if causal:
        hidden |= torch.ones(Tq, S, dtype=torch.bool).triu(1)[None]
    if attn_mask is not None:
        hidden |= attn_mask.bool()
    return hidden


def masked_softmax(scores, hidden):
    return F.softmax(scores.masked_fill(hidden, float("-inf")), dim=-1)


# ---- reference modules: the formulas of attention.h in PyTorch ------------


class TutorialAttn(nn.Module):
    """The tutorial's Attn class (rule 1), verbatim: Q (1, 1, Dq), K (1, 1, Dk), V (1, S, Dv)."""

    def __init__(self, query_size, key_size, value_size1, value_size2, output_size):
        super(TutorialAttn, self).__init__()
        self.attn = nn.Linear(query_size + key_size, value_size1)
        self.attn_combine = nn.Linear(query_size + value_size2, output_size)

    def forward(self, Q, K, V):
        attn_weights = F.softmax(self.attn(torch.cat((Q[0], K[0]), 1)), dim=1)
        attn_applied = torch.bmm(attn_weights.unsqueeze(0), V)
        output = torch.cat((Q[0], attn_applied[0]), 1)
        output = self.attn_combine(output).unsqueeze(0)
        return output, attn_weights


class BatchedTutorialAttn(nn.Module):
    """Rule 1 with a batch of sequences, each with its own V, and masks."""

    def __init__(self, query_size, key_size, num_positions, value_size, output_size):
        super().__init__()
        self.attn = nn.Linear(query_size + key_size, num_positions)
        self.attn_combine = nn.Linear(query_size + value_size, output_size)

    def forward(self, q, k, v, hidden):
        w = masked_softmax(self.attn(torch.cat((q, k), -1)), hidden)
        c = torch.bmm(w, v)
        return self.attn_combine(torch.cat((q, c), -1)), w


class BahdanauAttention(nn.Module):
    """PyTorch's seq2seq tutorial class, with separate sizes and values."""

    def __init__(self, query_size, key_size, hidden_size):
        super().__init__()
        self.Wa = nn.Linear(query_size, hidden_size)
        self.Ua = nn.Linear(key_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, q, k, v, hidden):
        scores = self.Va(torch.tanh(self.Wa(q)[:, :, None, :] + self.Ua(k)[:, None, :, :])).squeeze(-1)
        w = masked_softmax(scores, hidden)
        return torch.bmm(w, v), w


class LuongAttn(nn.Module):
    """Luong's scores with the names of PyTorch's chatbot tutorial (attn, v)."""

    def __init__(self, method, query_size, key_size, hidden_size):
        super().__init__()
        self.method = method
        if method == "general":
            self.attn = nn.Linear(key_size, query_size)
        elif method == "concat":
            self.v = nn.Parameter(torch.empty(hidden_size).uniform_(-1 / math.sqrt(hidden_size), 1 / math.sqrt(hidden_size)))
            self.attn = nn.Linear(query_size + key_size, hidden_size)

    def forward(self, q, k, v, hidden):
        if self.method == "dot":
            scores = q @ k.transpose(1, 2)
        elif self.method == "general":
            scores = q @ self.attn(k).transpose(1, 2)
        elif self.method == "scaled_dot":
            scores = q @ k.transpose(1, 2) / math.sqrt(k.shape[-1])
        else:
            Tq, S = q.shape[1], k.shape[1]
            cat = torch.cat((q[:, :, None, :].expand(-1, -1, S, -1), k[:, None, :, :].expand(-1, Tq, -1, -1)), -1)
            scores = (torch.tanh(self.attn(cat)) * self.v).sum(-1)
        w = masked_softmax(scores, hidden)
        return torch.bmm(w, v), w


class MultiheadRef(nn.Module):
    """nn.MultiheadAttention itself, with recur's masks as its key_padding_mask and attn_mask."""

    def __init__(self, E, heads, per_head):
        super().__init__()
        self.mha = nn.MultiheadAttention(E, heads, batch_first=True)
        self.heads, self.per_head = heads, per_head

    def forward(self, q, k, v, lengths, causal, attn_mask):
        B, Tq, S = q.shape[0], q.shape[1], k.shape[1]
        kpm = None if lengths is None else torch.arange(S)[None, :] >= lengths[:, None]
        am = None
        if causal:
            am = torch.ones(Tq, S, dtype=torch.bool).triu(1)
        if attn_mask is not None:
            am = attn_mask.bool().repeat_interleave(self.heads, dim=0)
        return self.mha(q, k, v, key_padding_mask=kpm, attn_mask=am, need_weights=True,
                        average_attn_weights=not self.per_head)


# ---- cases ----------------------------------------------------------------

B, TQ, S = 3, 3, 5
DQ, DK, DV, A, O = 4, 6, 5, 7, 3
E, HEADS = 8, 2
LENGTHS = torch.tensor([5, 2, 4], dtype=torch.int64)

tensors, cases, metadata = {}, [], {}


def rand(*shape):
    return torch.empty(*shape).uniform_(-1, 1).double()


def config_text(kind, query_size, key_size, value_size, hidden_size=0, num_positions=0, output_size=0, num_heads=1,
                per_head=False, causal=False, self_attn=False):
    return (f"kind={kind} query_size={query_size} key_size={key_size} value_size={value_size} "
            f"hidden_size={hidden_size} num_positions={num_positions} output_size={output_size} "
            f"num_heads={num_heads} per_head_weights={int(per_head)} causal={int(causal)} self={int(self_attn)}")


def record(name, config, inputs, module, run, lengths=None, attn_mask=None, step=False):
    """Runs run() (→ output, weights) on leaf copies of inputs, backpropagates
    random upstream gradients and stores everything under name."""
    with torch.no_grad():  # stored as F32: make the reference use exactly the stored values
        for p in module.parameters():
            p.copy_(p.float().double())
    leaves = {k: t.clone().requires_grad_(True) for k, t in inputs.items()}
    output, weights = run(leaves)
    if step:
        output, weights = output.squeeze(1), weights.squeeze(-2)
    d_output, d_weights = rand(*output.shape), rand(*weights.shape)
    ((output * d_output).sum() + (weights * d_weights).sum()).backward()
    for k, t in leaves.items():
        assert f"{name}.{k}" not in tensors
        tensors[f"{name}.{k}"] = t.detach()
        tensors[f"{name}.grad.{k}"] = t.grad
    for pname, p in module.named_parameters():
        pname = pname.replace("mha.", "")
        tensors[f"{name}.params.{pname}"] = p.detach()
        tensors[f"{name}.grad.params.{pname}"] = p.grad
    if lengths is not None:
        tensors[f"{name}.src_lengths"] = lengths
    if attn_mask is not None:
        tensors[f"{name}.attn_mask"] = attn_mask
    tensors[f"{name}.d_output"] = d_output
    tensors[f"{name}.d_weights"] = d_weights
    tensors[f"{name}.output"] = output.detach()
    tensors[f"{name}.weights"] = weights.detach()
    metadata[name] = config
    cases.append(name)


def qkv(tq, dq, dk, dv, s=S, step=False, key_per_query=False):
    q = rand(B, dq) if step else rand(B, tq, dq)
    if key_per_query:
        k = rand(B, dk) if step else rand(B, tq, dk)
    else:
        k = rand(B, s, dk)
    return {"q": q, "k": k, "v": rand(B, s, dv)}


def as_seq(x, step):
    return x[:, None, :] if step else x


def tutorial_verbatim():
    m = TutorialAttn(DQ, DK, S, DV, O).double()
    inputs = {"q": rand(1, DQ), "k": rand(1, DK), "v": rand(1, S, DV)}
    record("tutorial_verbatim", config_text("tutorial", DQ, DK, DV, num_positions=S, output_size=O), inputs, m,
           lambda t: (lambda o, w: (o[0], w))(*m(t["q"][None], t["k"][None], t["v"])))


def tutorial_batched(name, step, lengths, causal):
    m = BatchedTutorialAttn(DQ, DK, S, DV, O).double()
    tq = 1 if step else TQ
    hidden = hidden_keys(B, tq, S, lengths, causal, None)
    record(name, config_text("tutorial", DQ, DK, DV, num_positions=S, output_size=O, causal=causal),
           qkv(TQ, DQ, DK, DV, step=step, key_per_query=True), m,
           lambda t: m(as_seq(t["q"], step), as_seq(t["k"], step), t["v"], hidden), lengths=lengths, step=step)


def scored(name, kind, module, dq, dk, step, lengths, causal, hidden_size=0, attn_mask=None):
    tq = 1 if step else TQ
    hidden = hidden_keys(B, tq, S, lengths, causal, attn_mask)
    record(name, config_text(kind, dq, dk, DV, hidden_size=hidden_size, causal=causal), qkv(TQ, dq, dk, DV, step=step),
           module, lambda t: module(as_seq(t["q"], step), t["k"], t["v"], hidden), lengths=lengths,
           attn_mask=attn_mask, step=step)


def multihead(name, step, lengths, causal, per_head=False, attn_mask=None, tq=TQ, s=S):
    m = MultiheadRef(E, HEADS, per_head).double()
    with torch.no_grad():  # nonzero biases, so that their gradients are exercised
        m.mha.in_proj_bias.uniform_(-0.5, 0.5)
        m.mha.out_proj.bias.uniform_(-0.5, 0.5)
    record(name, config_text("multihead", E, E, E, num_heads=HEADS, per_head=per_head, causal=causal),
           qkv(tq, E, E, E, s=s, step=step), m,
           lambda t: m(as_seq(t["q"], step), t["k"], t["v"], lengths, causal, attn_mask), lengths=lengths,
           attn_mask=attn_mask, step=step)


def multihead_self(name):
    m = MultiheadRef(E, HEADS, False).double()
    record(name, config_text("multihead", E, E, E, num_heads=HEADS, causal=True, self_attn=True), {"x": rand(B, S, E)},
           m, lambda t: m(t["x"], t["x"], t["x"], None, True, None))


def main():
    torch.manual_seed(0)
    tutorial_verbatim()
    tutorial_batched("tutorial_step_masked", True, LENGTHS, False)
    tutorial_batched("tutorial_seq_causal", False, None, True)
    scored("additive_step_masked", "additive", BahdanauAttention(DQ, DK, A).double(), DQ, DK, True, LENGTHS, False, A)
    scored("additive_seq", "additive", BahdanauAttention(DQ, DK, A).double(), DQ, DK, False, None, False, A)
    scored("dot_seq_masked", "dot", LuongAttn("dot", DK, DK, 0).double(), DK, DK, False, LENGTHS, False)
    scored("general_step_masked", "general", LuongAttn("general", DQ, DK, 0).double(), DQ, DK, True, LENGTHS, False)
    scored("general_seq", "general", LuongAttn("general", DQ, DK, 0).double(), DQ, DK, False, None, False)
    scored("concat_seq_masked", "concat", LuongAttn("concat", DQ, DK, A).double(), DQ, DK, False, LENGTHS, False, A)
    scored("scaled_dot_step_masked", "scaled_dot", LuongAttn("scaled_dot", DK, DK, 0).double(), DK, DK, True, LENGTHS,
           False)
    scored("scaled_dot_seq_causal", "scaled_dot", LuongAttn("scaled_dot", DK, DK, 0).double(), DK, DK, False, LENGTHS,
           True)
    explicit = (torch.rand(B, TQ, S) < 0.4).to(torch.int64)
    explicit[:, :, 0] = 0  # no row fully hidden
    scored("scaled_dot_seq_attn_mask", "scaled_dot", LuongAttn("scaled_dot", DK, DK, 0).double(), DK, DK, False, None,
           False, attn_mask=explicit)
    multihead("multihead_seq_masked_causal", False, LENGTHS, True, tq=S)
    multihead("multihead_step_masked", True, LENGTHS, False)
    multihead("multihead_seq_per_head", False, LENGTHS, False, per_head=True)
    multihead("multihead_seq_attn_mask", False, None, False, attn_mask=explicit)
    multihead_self("multihead_self_causal")
    metadata["cases"] = ",".join(cases)
    metadata["generator"] = "scripts/gen_attention_fixtures.py, torch " + torch.__version__
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_safetensors(OUT, tensors, metadata)
    print(f"wrote {len(tensors)} tensors for {len(cases)} cases to {os.path.normpath(OUT)} "
          f"({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
