#!/usr/bin/python3
"""Times one nn.RNN / nn.LSTM / nn.GRU stack in PyTorch on the shapes and with
the options of `recur bench` (bench/rnn_bench), and prints its record: one
line of key value pairs, or with --json one JSON object.

infer: forward under torch.no_grad(). train: forward, then backward from a
fixed upstream gradient on the output (the input requires grad; parameter
gradients accumulate, as in rnn_bench). GFLOP/s counts matrix-product flops
only: per layer and direction 2·T·B·G·H·(I_k + H), times 3 for train.
"""
import argparse
import json
import statistics
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn", "rnn-relu"])
    p.add_argument("--seq-len", type=int, default=100)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--input", type=int, default=256)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--mode", default="infer", choices=["infer", "train"])
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    T, B, I, H, L = a.seq_len, a.batch, a.input, a.hidden, a.layers
    D = 2 if a.bidirectional else 1
    kw = dict(num_layers=L, bidirectional=a.bidirectional)
    if a.cell == "lstm":
        m, G = torch.nn.LSTM(I, H, **kw), 4
    elif a.cell == "gru":
        m, G = torch.nn.GRU(I, H, **kw), 3
    else:
        m, G = torch.nn.RNN(I, H, nonlinearity="relu" if a.cell == "rnn-relu" else "tanh", **kw), 1
    train = a.mode == "train"
    x = torch.rand(T, B, I) * 2 - 1
    x.requires_grad_(train)
    dy = torch.rand(T, B, D * H) * 2 - 1

    def call():
        if train:
            y, _ = m(x)
            y.backward(dy)
        else:
            with torch.no_grad():
                m(x)

    for _ in range(a.warmup):
        call()
    ms = []
    for _ in range(a.iters):
        t0 = time.perf_counter()
        call()
        ms.append((time.perf_counter() - t0) * 1e3)
    flops = sum(D * 2.0 * T * B * G * H * ((I if k == 0 else D * H) + H) for k in range(L))
    if train:
        flops *= 3
    med = statistics.median(ms)
    r = dict(impl="torch", cell=a.cell, mode=a.mode, T=T, B=B, I=I, H=H, layers=L,
             bidirectional=a.bidirectional, threads=torch.get_num_threads(), iters=a.iters, median_ms=med,
             min_ms=min(ms), max_ms=max(ms), tokens_per_s=T * B / (med * 1e-3), gflops=flops / (med * 1e6),
             flops=flops)
    if a.json:
        print(json.dumps(r))
    else:
        def text(v):
            return ("yes" if v else "no") if isinstance(v, bool) else f"{v:.4f}" if isinstance(v, float) else str(v)
        print("  ".join(f"{k} {text(v)}" for k, v in r.items()))


if __name__ == "__main__":
    main()
