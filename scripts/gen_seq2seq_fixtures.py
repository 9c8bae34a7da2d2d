#!/usr/bin/python3
"""Writes tests/fixtures/seq2seq.safetensors: PyTorch reference values for
the seq2seq models of include/recur/seq2seq.h.

Run with Debian's python3-torch (torch 1.13):

    /usr/bin/python3 scripts/gen_seq2seq_fixtures.py

Each configuration PREFIX is a small encoder-decoder built from PyTorch
modules under recur's parameter names, trained one step's worth (forward and
backward) on a padded batch with teacher forcing 1.0:

  bahdanau_gru        2-layer bidirectional GRU encoder, GRUCell decoder,
                      Bahdanau attention (PyTorch's seq2seq tutorial rule)
  luong_general_lstm  bidirectional LSTM encoder, LSTMCell decoder, Luong
                      "general" attention with input feeding, bridge for h and c
  none_gru            bidirectional GRU encoder, GRUCell decoder fed the fixed
                      context vector at every step (no attention)

The file holds, per PREFIX:
  PREFIX.src, PREFIX.src_lengths, PREFIX.tgt   the batch (I64)
  PREFIX.params.NAME                           parameters, recur's names
  PREFIX.loss                                  mean cross-entropy over non-pad targets
  PREFIX.logits (T, B, V_t), PREFIX.attention (T, B, S) when the model attends
  PREFIX.grad.NAME                             d loss / d parameter
and the metadata "configs" (a JSON list of the prefixes) and, per prefix, a
JSON object with the rc_seq2seq_config fields and "params", the parameter
names in state_dict order. References are computed in float64 from the
float32 parameters and stored as F32.
"""
import json
import os
import struct
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "seq2seq.safetensors")

PAD, BOS, EOS = 0, 1, 2
VS, VT, ES, ET, HE, HD, A = 9, 10, 5, 4, 6, 7, 5
SRC = [[3, 5, 7, 4, 8, 6], [4, 4, 8, 0, 0, 0], [6, 3, 5, 8, 7, 0]]
LENGTHS = [6, 3, 5]  # unsorted on purpose: exercises enforce_sorted=False
# Row 1's target is longer than its source; row 2 stops at T without eos.
TGT = [[5, 3, 7, EOS, PAD], [9, 4, 6, 8, EOS], [3, 3, 8, 4, 6]]


def write_safetensors(path, tensors, metadata):
    """u64 LE header length, JSON header padded with spaces to a multiple of
    8, then the little-endian data (F32 or I64) in insertion order."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.int64:
            dtype, data = "I64", t.numpy().astype("<i8").tobytes()
        else:
            dtype, data = "F32", t.to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    print(f"wrote {path}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


class Bahdanau(nn.Module):
    """score_j = Va(tanh(Wa(q) + Ua(k_j))), PyTorch's seq2seq tutorial class."""

    def __init__(self, query_size, key_size, hidden_size):
        super().__init__()
        self.Wa = nn.Linear(query_size, hidden_size)
        self.Ua = nn.Linear(key_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def scores(self, q, keys):
        return self.Va(torch.tanh(self.Wa(q)[:, None, :] + self.Ua(keys))).squeeze(-1)


class LuongGeneral(nn.Module):
    """score_j = qᵀ attn(k_j), Luong's "general" with the chatbot tutorial's name."""

    def __init__(self, query_size, key_size):
        super().__init__()
        self.attn = nn.Linear(key_size, query_size)

    def scores(self, q, keys):
        return torch.bmm(self.attn(keys), q[:, :, None]).squeeze(-1)


class Bridge(nn.Module):
    """s_0 = tanh(h(k)); c_0 = tanh(c([c_fwd; c_rev])) between two LSTMs."""

    def __init__(self, lstm):
        super().__init__()
        self.h = nn.Linear(2 * HE, HD)
        if lstm:
            self.c = nn.Linear(2 * HE, HD)


class Encoder(nn.Module):
    def __init__(self, mode, layers):
        super().__init__()
        self.embedding = nn.Embedding(VS, ES, padding_idx=PAD)
        self.rnn = getattr(nn, mode.upper())(ES, HE, num_layers=layers, bidirectional=True, batch_first=True)

    def forward(self, src, lengths):
        packed = pack_padded_sequence(self.embedding(src), lengths, batch_first=True, enforce_sorted=False)
        out, state = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return out, state


class Decoder(nn.Module):
    def __init__(self, mode, attention):
        super().__init__()
        self.kind = attention
        self.embedding = nn.Embedding(VT, ET, padding_idx=PAD)
        feed = HD if attention == "luong_general" else 2 * HE
        self.cell = (nn.LSTMCell if mode == "lstm" else nn.GRUCell)(ET + feed, HD)
        if attention == "bahdanau":
            self.attention = Bahdanau(HD, 2 * HE, A)
        elif attention == "luong_general":
            self.attention = LuongGeneral(HD, 2 * HE)
            self.concat = nn.Linear(2 * HE + HD, HD)
        self.out = nn.Linear(HD, VT)


class Seq2seq(nn.Module):
    def __init__(self, enc_mode, layers, dec_mode, attention):
        super().__init__()
        self.encoder = Encoder(enc_mode, layers)
        self.bridge = Bridge(enc_mode == "lstm" and dec_mode == "lstm")
        self.decoder = Decoder(dec_mode, attention)
        self.dec_lstm = dec_mode == "lstm"

    def attend(self, q, keys, hidden):
        alpha = F.softmax(self.decoder.attention.scores(q, keys).masked_fill(hidden, float("-inf")), dim=-1)
        return torch.bmm(alpha[:, None, :], keys).squeeze(1), alpha

    def forward(self, src, lengths, tgt):
        keys, state = self.encoder(src, lengths)
        h_n = state[0] if isinstance(state, tuple) else state
        last = lambda x: torch.cat((x[-2], x[-1]), dim=-1)  # [fwd; rev] of the last layer
        context = last(h_n)
        s = torch.tanh(self.bridge.h(context))
        c = None
        if self.dec_lstm:
            c = torch.tanh(self.bridge.c(last(state[1]))) if hasattr(self.bridge, "c") else torch.zeros_like(s)
        hidden = torch.arange(src.shape[1])[None, :] >= torch.tensor(lengths)[:, None]
        dec, B, T = self.decoder, src.shape[0], tgt.shape[1]
        feed = torch.zeros(B, HD, dtype=s.dtype)
        y = torch.full((B,), BOS, dtype=torch.int64)
        logits, weights = [], []
        for t in range(T):
            e = dec.embedding(y)
            alpha = None
            if dec.kind == "luong_general":
                s, c = dec.cell(torch.cat((e, feed), -1), (s, c))
                ctx, alpha = self.attend(s, keys, hidden)
                feed = torch.tanh(dec.concat(torch.cat((ctx, s), -1)))
                top = feed
            else:
                ctx = context
                if dec.kind == "bahdanau":
                    ctx, alpha = self.attend(s, keys, hidden)
                x = torch.cat((e, ctx), -1)
                s, c = dec.cell(x, (s, c)) if self.dec_lstm else (dec.cell(x, s), None)
                top = s
            logits.append(dec.out(top))
            if alpha is not None:
                weights.append(alpha)
            y = tgt[:, t]
        logits = torch.stack(logits)
        loss = F.cross_entropy(logits.reshape(-1, VT), tgt.t().reshape(-1), ignore_index=PAD)
        return loss, logits, torch.stack(weights) if weights else None


CONFIGS = [
    ("bahdanau_gru", "gru", 2, "gru", "bahdanau"),
    ("luong_general_lstm", "lstm", 1, "lstm", "luong_general"),
    ("none_gru", "gru", 1, "gru", "none"),
]


def main():
    torch.set_num_threads(1)
    tensors, configs, metadata = {}, [], {"generator": "scripts/gen_seq2seq_fixtures.py", "torch": torch.__version__}
    src = torch.tensor(SRC, dtype=torch.int64)
    tgt = torch.tensor(TGT, dtype=torch.int64)
    for prefix, enc_mode, layers, dec_mode, attention in CONFIGS:
        torch.manual_seed(zlib.crc32(prefix.encode("utf-8")))
        model = Seq2seq(enc_mode, layers, dec_mode, attention)
        with torch.no_grad():  # stored as F32: the reference uses exactly the stored values
            for p in model.parameters():
                p.copy_(p.float())
        model.double()
        loss, logits, weights = model(src, LENGTHS, tgt)
        loss.backward()
        names = [n for n, _ in model.named_parameters()]
        tensors[f"{prefix}.src"] = src
        tensors[f"{prefix}.src_lengths"] = torch.tensor(LENGTHS, dtype=torch.int64)
        tensors[f"{prefix}.tgt"] = tgt
        for n, p in model.named_parameters():
            tensors[f"{prefix}.params.{n}"] = p
        tensors[f"{prefix}.loss"] = loss
        tensors[f"{prefix}.logits"] = logits
        if weights is not None:
            tensors[f"{prefix}.attention"] = weights
        for n, p in model.named_parameters():
            tensors[f"{prefix}.grad.{n}"] = p.grad
        configs.append(prefix)
        metadata[prefix] = json.dumps({
            "attention": attention, "encoder_mode": enc_mode, "num_layers": layers, "decoder_mode": dec_mode,
            "src_vocab": VS, "tgt_vocab": VT, "src_embed": ES, "tgt_embed": ET, "encoder_hidden": HE,
            "decoder_hidden": HD, "attention_hidden": A, "pad": PAD, "bos": BOS, "eos": EOS,
            "batch": len(SRC), "src_len": len(SRC[0]), "tgt_len": len(TGT[0]), "params": names,
        }, separators=(",", ":"))
    metadata["configs"] = json.dumps(configs, separators=(",", ":"))
    write_safetensors(OUT, tensors, metadata)


if __name__ == "__main__":
    main()
