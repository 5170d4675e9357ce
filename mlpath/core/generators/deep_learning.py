"""Deep learning: layer shapes and parameter counts, receptive fields, a backprop step, learning-rate schedules."""

from __future__ import annotations

import math
import random

from mlpath.core.generators._base import Param, Problem, generator, problem
from mlpath.core.generators._format import approx, br, num
from mlpath.core.grading import EXACT, decimals, sig_figs


@generator("conv_output_size", "the output width of a convolution or pooling layer", pooling=Param((True, False), False))
def conv_output_size(rng: random.Random, pooling: bool) -> Problem:
    while True:
        if pooling:
            k = rng.choice([2, 3, 4])
            s = rng.choice([1, 2, k])
            p = 0
        else:
            k = rng.choice([1, 3, 5, 7])
            s = rng.choice([1, 1, 2, 3])
            p = rng.randint(0, (k - 1) // 2)  # at most "same" padding: a layer never grows the map
        n = rng.randint(max(k, 8), 128)
        if (n + 2 * p - k) % s == 0:
            break
    out = (n + 2 * p - k) // s + 1
    layer = (f"a {k}x{k} max-pooling layer with stride {s} and no padding" if pooling
             else f"a convolution with a {k}x{k} kernel, padding {p} and stride {s}")
    steps = [f"Output width = (n + 2p - k)/s + 1 = ({n} + {2 * p} - {k})/{s} + 1 = {n + 2 * p - k}/{s} + 1 = {out}."]
    return problem(f"An input feature map is {n}x{n}. What is the output width after {layer}?", out, EXACT, steps,
                   {"n": n, "k": k, "p": p, "s": s})


@generator("cnn_output_shape", "the output shape, or flattened size, after a small stack of convolution and pooling layers",
           ask=Param(("width", "flattened"), "flattened"))
def cnn_output_shape(rng: random.Random, ask: str) -> Problem:
    while True:
        n = rng.choice([28, 32, 48, 64, 96, 100, 128, 224])
        channels = rng.choice([1, 3])
        layers: list[tuple[str, int, int, int, int]] = []  # (kind, kernel, padding, stride, filters)
        for i in range(rng.randint(2, 3)):
            k = rng.choice([3, 5])
            layers.append(("conv", k, rng.choice([0, (k - 1) // 2]), rng.choice([1, 1, 2]), rng.choice([8, 16, 32, 64])))
            layers.append(("pool", 2, 0, 2, 0))
        width, ok = n, True
        for kind, k, p, s, _ in layers:
            span = width + 2 * p - k
            ok = ok and span >= 0 and span % s == 0
            width = span // s + 1 if span >= 0 else 0
        if ok and width >= 2:
            break
    width, depth = n, channels
    steps = ["Each layer maps a width w to (w + 2p - k)/s + 1; pooling keeps the channels, a convolution outputs one "
             "channel per filter."]
    for kind, k, p, s, f in layers:
        new = (width + 2 * p - k) // s + 1
        if kind == "conv":
            steps.append(f"Conv {k}x{k}, padding {p}, stride {s}, {f} filters: ({width} + {2 * p} - {k})/{s} + 1 = {new}, "
                         f"so {new}x{new}x{f}.")
            depth = f
        else:
            steps.append(f"Max-pool 2x2, stride 2: ({width} - 2)/2 + 1 = {new}, so {new}x{new}x{depth}.")
        width = new
    if ask == "flattened":
        steps.append(f"Flattening gives {width}·{width}·{depth} = {width * width * depth} values.")
    stack = ", then ".join(f"a {k}x{k} convolution with {f} filters, padding {p} and stride {s}" if kind == "conv"
                           else "2x2 max-pooling with stride 2" for kind, k, p, s, f in layers)
    what = ("the width of the final feature map" if ask == "width"
            else "the number of values when the final feature map is flattened")
    return problem(f"An image of {n}x{n} pixels with {channels} channel{'s' if channels > 1 else ''} passes through {stack}. "
                   f"What is {what}?", width if ask == "width" else width * width * depth, EXACT, steps,
                   {"n": n, "channels": channels, "layers": layers})


@generator("dense_layer_params", "the number of parameters of a dense layer")
def dense_layer_params(rng: random.Random) -> Problem:
    n_in = rng.choice([rng.randint(2, 64), rng.choice([128, 256, 300, 512, 768, 784, 1024])])
    n_out = rng.choice([rng.randint(1, 16), rng.choice([32, 64, 100, 128, 256, 512])])
    bias = rng.random() < 0.75
    count = n_in * n_out + (n_out if bias else 0)
    steps = [f"One weight per input-output pair: {n_in} × {n_out} = {n_in * n_out}."]
    steps.append(f"Plus one bias per output: {n_in * n_out} + {n_out} = {count}." if bias else "There are no biases to add.")
    return problem(f"A fully connected (dense) layer maps {n_in} inputs to {n_out} output{'s' if n_out != 1 else ''} "
                   f"{'with one bias per output' if bias else 'and has no bias terms'}. How many trainable parameters "
                   "does it have?", count, EXACT, steps, {"inputs": n_in, "outputs": n_out, "bias": bias})


@generator("conv_layer_params", "the number of parameters of a 2-D convolution layer")
def conv_layer_params(rng: random.Random) -> Problem:
    c_in = rng.choice([1, 3, 4, 8, 16, 32, 64, 128])
    c_out = rng.choice([4, 6, 8, 16, 24, 32, 64, 96, 128, 256])
    k = rng.choice([1, 3, 5, 7])
    count = (k * k * c_in + 1) * c_out
    steps = [f"Each output channel has a {k}x{k}x{c_in} kernel ({k * k * c_in} weights) plus one bias.",
             f"({k * k * c_in} + 1) × {c_out} = {count}. The input's height and width do not matter."]
    return problem(f"A 2-D convolution layer takes {c_in} input channel{'s' if c_in != 1 else ''} and produces {c_out} "
                   f"output channels with {k}x{k} kernels and one bias per output channel. How many trainable parameters "
                   "does it have?", count, EXACT, steps, {"in_channels": c_in, "out_channels": c_out, "kernel": k})


@generator("recurrent_params", "the number of parameters of a simple RNN, LSTM or GRU layer",
           cell=Param(("rnn", "lstm", "gru"), "lstm"))
def recurrent_params(rng: random.Random, cell: str) -> Problem:
    d = rng.randint(1, 300)
    h = rng.choice([rng.randint(2, 64), rng.choice([100, 128, 256, 512])])
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    per = h * (h + d) + h
    count = gates * per
    name = {"rnn": "simple RNN", "lstm": "LSTM", "gru": "GRU"}[cell]
    what = {"rnn": "1 block (the new state)", "lstm": "4 gate blocks (input, forget, cell candidate, output)",
            "gru": "3 gate blocks (update, reset, candidate)"}[cell]
    steps = [f"{'An' if cell == 'lstm' else 'A'} {name} layer has {what}; each block has input weights ({h}×{d}), recurrent weights ({h}×{h}) and a bias ({h}).",
             f"Per block: {h}·({h} + {d}) + {h} = {per}.",
             f"Total: {gates} × {per} = {count}."]
    article = "An" if cell == "lstm" else "A"
    return problem(f"{article} {name} layer reads inputs of size {d} and has a hidden state of size {h}. Counting one bias vector "
                   f"per gate block (as Keras does for {'GRU with reset_after=False' if cell == 'gru' else 'this layer'}), "
                   "how many trainable parameters does it have?", count, EXACT, steps, {"d": d, "h": h})


@generator("attention_params", "the number of parameters of a multi-head self-attention block")
def attention_params(rng: random.Random) -> Problem:
    heads = rng.choice([1, 2, 4, 8, 12, 16])
    d = heads * rng.randint(4, 96)
    count = 4 * (d * d + d)
    steps = [f"Queries, keys, values and the output each use a {d}×{d} projection with a bias: {d}·{d} + {d} = {d * d + d}.",
             f"Four of them: 4 × {d * d + d} = {count}. Splitting into {heads} heads of size {d // heads} only reshapes "
             "these matrices; it adds no parameters."]
    return problem(f"A multi-head self-attention block has model width d_model = {d} and {heads} head"
                   f"{'s' if heads > 1 else ''}. Its query, key, value and output projections are each d_model × d_model "
                   "with a bias. How many trainable parameters does it have?", count, EXACT, steps,
                   {"d": d, "heads": heads})


@generator("receptive_field", "the receptive field of a stack of convolutions",
           layers=Param((2, 3, 4), 3))
def receptive_field(rng: random.Random, layers: int) -> Problem:
    spec = [(rng.choice([1, 2, 3, 3, 4, 5, 7, 9, 11]), rng.choice([1, 1, 2, 3, 4])) for _ in range(layers)]
    rf, jump = 1, 1
    steps = ["Start with r = 1 and jump j = 1; each layer adds (k - 1)·j, then multiplies j by its stride."]
    for i, (k, s) in enumerate(spec, 1):
        new = rf + (k - 1) * jump
        steps.append(f"Layer {i} (k = {k}, s = {s}): r = {rf} + {k - 1}·{jump} = {new}; j = {jump}·{s} = {jump * s}.")
        rf, jump = new, jump * s
    stack = ", then ".join(f"{k}x{k} stride {s}" for k, s in spec)
    return problem(f"A stack of convolutions is applied in order: {stack}. How wide is the receptive field of one output "
                   "unit of the last layer, in input pixels?", rf, EXACT, steps, {"layers": spec})


@generator("backprop_step", "one backpropagation step through a one-hidden-unit ReLU network",
           ask=Param(("grad_w1", "grad_w2", "updated_w1"), "grad_w1"))
def backprop_step(rng: random.Random, ask: str) -> Problem:
    while True:
        x, w1, b1, w2 = rng.randint(-3, 3), rng.randint(-20, 20) / 10, rng.randint(-10, 10) / 10, rng.randint(-20, 20) / 10
        y = rng.randint(-3, 5)
        z = round(w1 * x + b1, 10)  # exact to one decimal; a float hair above 0 must not pass as active
        if z > 0 and x and w2:
            break
    h = z
    yhat = w2 * h
    err = yhat - y
    g2 = err * h
    g1 = err * w2 * x
    lr = rng.choice([0.01, 0.05, 0.1])
    prec = decimals(4)
    steps = [f"Forward: z = w1·x + b1 = {br(w1)}·{br(x)} + {br(b1)} = {num(round(z, 6))}; h = ReLU(z) = {num(round(h, 6))}; "
             f"ŷ = w2·h = {br(w2)}·{br(round(h, 6))} = {num(round(yhat, 6))}.",
             f"dL/dŷ = ŷ - y = {num(round(yhat, 6))} - {br(y)} = {num(round(err, 6))}."]
    if ask == "grad_w2":
        value = g2
        steps.append(f"dL/dw2 = (ŷ - y)·h = {br(round(err, 6))}·{br(round(h, 6))} = {num(round(g2, 6))}.")
    else:
        steps.append(f"z > 0, so ReLU passes the gradient: dL/dw1 = (ŷ - y)·w2·x = {br(round(err, 6))}·{br(w2)}·{br(x)} = "
                     f"{num(round(g1, 6))}.")
        value = g1
        if ask == "updated_w1":
            value = w1 - lr * g1
            steps.append(f"w1_new = w1 - η·dL/dw1 = {num(w1)} - {lr}·{br(round(g1, 6))} = {approx(value, prec)}.")
    what = {"grad_w1": "the gradient dL/dw1", "grad_w2": "the gradient dL/dw2",
            "updated_w1": f"w1 after one gradient-descent step with learning rate η = {lr}"}[ask]
    return problem(f"A tiny network computes ŷ = w2·ReLU(w1·x + b1) with w1 = {num(w1)}, b1 = {num(b1)}, w2 = {num(w2)}, "
                   f"and loss L = ½(ŷ - y)². For the example x = {x}, y = {y}, what is {what}?", round(value, 10), prec,
                   steps, {"x": x, "y": y, "w1": w1, "b1": b1, "w2": w2, "lr": lr})


@generator("lr_schedule", "the learning rate a schedule gives at a step",
           schedule=Param(("step", "exponential", "cosine", "warmup"), "cosine"))
def lr_schedule(rng: random.Random, schedule: str) -> Problem:
    lr0 = rng.choice([0.1, 0.05, 0.01, 0.003, 0.001, 0.0003])
    prec = sig_figs(3)
    if schedule == "step":
        every, gamma = rng.choice([5, 10, 20, 30]), rng.choice([0.1, 0.2, 0.5])
        t = rng.randint(0, 100)
        value = lr0 * gamma ** (t // every)
        desc = f"multiplies it by {gamma} every {every} epochs (step decay)"
        steps = [f"By epoch {t} the rate has been cut floor({t}/{every}) = {t // every} times.",
                 f"η = {lr0}·{gamma}^{t // every} ≈ {approx(value, prec)}."]
        unit = "epoch"
    elif schedule == "exponential":
        gamma = rng.choice([0.9, 0.95, 0.97, 0.98, 0.99])
        t = rng.randint(1, 60)
        value = lr0 * gamma**t
        desc = f"multiplies it by {gamma} after every epoch (exponential decay)"
        steps = [f"η = η0·γ^t = {lr0}·{gamma}^{t} ≈ {lr0}·{approx(gamma**t, prec)} ≈ {approx(value, prec)}."]
        unit = "epoch"
    elif schedule == "cosine":
        total = rng.choice([100, 200, 500, 1000])
        t = rng.randint(1, total - 1)
        cos = math.cos(math.pi * t / total)
        value = lr0 * 0.5 * (1 + cos)
        desc = f"follows a cosine curve from it down to 0 over {total} steps"
        steps = [f"η = η0·½(1 + cos(π·t/T)) with t/T = {t}/{total}.",
                 f"cos(π·{t}/{total}) ≈ {approx(cos, prec)}, so η ≈ {lr0}·½·(1 {'-' if cos < 0 else '+'} "
                 f"{approx(abs(cos), prec)}) ≈ {approx(value, prec)}."]
        unit = "step"
    else:
        warm = rng.choice([100, 500, 1000, 2000, 4000])
        t = rng.randint(1, warm - 1)
        value = lr0 * t / warm
        desc = f"ramps it up linearly from 0 over the first {warm} steps (linear warm-up)"
        steps = [f"During warm-up η = η0·t/W = {lr0}·{t}/{warm} ≈ {approx(value, prec)}."]
        unit = "step"
    return problem(f"A training run starts with learning rate {lr0} and a schedule that {desc}. What is the learning rate at "
                   f"{unit} {t}{' (counting from 0)' if unit == 'epoch' else ''}?", value, prec, steps,
                   {"lr0": lr0, "t": t})
