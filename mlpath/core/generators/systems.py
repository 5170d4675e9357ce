"""MLOps and systems: serving throughput and latency, batch sizes that fit in memory."""

from __future__ import annotations

import random

from mlpath.core.generators._base import Param, Problem, generator, problem
from mlpath.core.generators._format import approx, num
from mlpath.core.grading import EXACT, sig_figs


@generator("serving_throughput", "throughput of a batched model server, or the requests in flight by Little's law",
           ask=Param(("throughput", "in_flight"), "throughput"))
def serving_throughput(rng: random.Random, ask: str) -> Problem:
    prec = sig_figs(3)
    if ask == "throughput":
        batch, latency, replicas = rng.choice([1, 2, 4, 8, 16, 32, 64]), rng.randint(5, 400), rng.randint(1, 8)
        value = replicas * batch * 1000 / latency
        steps = [f"One replica finishes a batch of {batch} every {latency} ms: {batch} × 1000/{latency} ≈ "
                 f"{approx(batch * 1000 / latency, prec)} requests per second.",
                 f"{replicas} replicas in parallel: ≈ {approx(value, prec)} requests per second."]
        return problem(f"A model server runs {replicas} replica{'s' if replicas > 1 else ''}; each processes batches of {batch} "
                       f"request{'s' if batch > 1 else ''}, and one batch takes {latency} ms. Kept fully busy, how many "
                       "requests per second can it serve?", value, prec, steps,
                       {"batch": batch, "latency": latency, "replicas": replicas})
    rate, latency = rng.randint(5, 2000), rng.randint(10, 900)
    value = rate * latency / 1000
    steps = ["Little's law: requests in flight L = arrival rate λ × time in the system W.",
             f"L = {rate}/s × {latency} ms = {rate} × {num(latency / 1000)} s ≈ {approx(value, prec)}."]
    return problem(f"A service receives {rate} requests per second, and each spends {latency} ms in the system on average. "
                   "How many requests are in flight on average?", value, prec, steps, {"rate": rate, "latency": latency})


@generator("batch_size_memory", "the largest batch that fits in accelerator memory")
def batch_size_memory(rng: random.Random) -> Problem:
    memory = rng.choice([8, 12, 16, 24, 32, 40, 48, 80])
    fixed = round(rng.uniform(0.1, 0.6) * memory, 1)
    per = rng.choice([10, 20, 25, 40, 50, 64, 75, 100, 120, 150, 200, 256, 300, 500])
    free_mb = (memory - fixed) * 1024
    batch = int(free_mb // per)
    steps = [f"Free memory after the fixed part: ({memory} - {num(fixed)}) GB = {num(round(memory - fixed, 6))} GB = "
             f"{num(round(free_mb, 6))} MB (1 GB = 1024 MB).",
             f"Each example needs {per} MB: floor({num(round(free_mb, 6))}/{per}) = {batch}."]
    return problem(f"A GPU has {memory} GB of memory. The model's weights, gradients and optimiser state take {num(fixed)} GB, "
                   f"and each training example in a batch needs {per} MB of activations. Taking 1 GB = 1024 MB, what is "
                   "the largest batch size that fits?", batch, EXACT, steps, {"memory": memory, "fixed": fixed, "per": per})
