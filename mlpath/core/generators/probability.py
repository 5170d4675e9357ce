"""Probability and statistics: tables of counts, distributions, descriptive statistics, estimation and tests."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from statistics import NormalDist

from mlpath.core.generators._base import Param, Problem, generator, problem
from mlpath.core.generators._format import approx, br, num
from mlpath.core.grading import EXACT, decimals, sig_figs


def _values(xs: list[int] | list[float]) -> str:
    return "[" + ", ".join(num(x) for x in xs) + "]"


@generator("bayes_from_counts", "a posterior probability from counts of a condition and a test")
def bayes_from_counts(rng: random.Random) -> Problem:
    sick = rng.randint(5, 60)
    healthy = rng.randint(100, 900)
    tp = rng.randint(1, sick)
    fp = rng.randint(1, healthy // 4)
    post = tp / (tp + fp)
    prec = decimals(3)
    steps = [f"Everyone who tests positive: {tp} with the condition + {fp} without = {tp + fp}.",
             f"P(condition | positive) = {tp} / {tp + fp} ≈ {approx(post, prec)}. (Bayes' rule P(+|C)P(C)/P(+) gives the "
             "same number: the group sizes cancel.)"]
    return problem(f"In a group, {sick} people have a condition and {healthy} do not. A test is positive for {tp} of "
                   f"those with the condition and for {fp} of those without. If a person tests positive, what is the "
                   "probability that they have the condition?", post, prec, steps,
                   {"sick": sick, "healthy": healthy, "tp": tp, "fp": fp})


@generator("sample_statistic", "the mean, median, variance or standard deviation of a small sample",
           statistic=Param(("mean", "median", "variance", "std"), "mean"),
           sample=Param((True, False), False), size=Param(tuple(range(3, 10)), 5))
def sample_statistic(rng: random.Random, statistic: str, sample: bool, size: int) -> Problem:
    while True:
        xs = [rng.randint(0, 20) for _ in range(size)]
        if len(set(xs)) > 1:
            break
    n = len(xs)
    prec = decimals(2)
    mean = Fraction(sum(xs), n)
    s = sorted(xs)
    denom = n - 1 if sample else n
    form = "sample (divide by n - 1)" if sample else "population (divide by n)"
    mean_text = num(mean) if mean.denominator == 1 else f"{sum(xs)}/{n} ≈ {approx(float(mean), prec)}"
    if statistic == "mean":
        ans = mean
        steps = [f"The mean is the sum over the count: {' + '.join(map(str, xs))} = {sum(xs)}, and {sum(xs)} / {n} = "
                 f"{approx(float(mean), prec)}."]
        label = "mean"
    elif statistic == "median":
        ans = Fraction(s[n // 2]) if n % 2 else Fraction(s[n // 2 - 1] + s[n // 2], 2)
        how = (f"the middle one (number {n // 2 + 1}) is {s[n // 2]}" if n % 2 else
               f"the two middle values are {s[n // 2 - 1]} and {s[n // 2]}, whose average is {num(ans)}")
        steps = [f"Sorted: {_values(s)}; with {n} values {how}."]
        label = "median"
    else:
        ss = sum((x - mean) ** 2 for x in xs)
        var = ss / denom
        steps = [f"The mean is {mean_text}.",
                 f"The squared deviations from the mean add up to {num(ss) if ss.denominator == 1 else approx(float(ss), prec)}"
                 f" (equivalently, sum of x² - n·mean² = {sum(x * x for x in xs)} - {n}·({mean_text.split(' ≈ ')[-1]})²).",
                 f"Divide by {'n - 1' if sample else 'n'} = {denom}: variance = "
                 f"{num(ss) if ss.denominator == 1 else approx(float(ss), prec)} / {denom} ≈ {approx(float(var), prec)}."]
        if statistic == "std":
            ans = math.sqrt(var)
            steps.append(f"The standard deviation is its square root: √{approx(float(var), prec)} ≈ {approx(ans, prec)}.")
        else:
            ans = var
        label = f"{form} {'variance' if statistic == 'variance' else 'standard deviation'}"
    return problem(f"What is the {label} of {_values(xs)}?", float(ans), prec, steps, {"values": xs})


@generator("expected_value", "the expected value of a discrete random variable", outcomes=Param((2, 3, 4), 3))
def expected_value(rng: random.Random, outcomes: int) -> Problem:
    values = rng.sample(range(-5, 11), outcomes)
    cuts = sorted(rng.sample(range(1, 10), outcomes - 1))
    probs = [Fraction(b - a, 10) for a, b in zip([0] + cuts, cuts + [10])]
    ev = sum(v * p for v, p in zip(values, probs))
    table = ", ".join(f"P(X = {v}) = {num(p)}" for v, p in zip(values, probs))
    steps = ["E[X] = sum of value × probability = " + " + ".join(f"{br(v)}·{num(p)}" for v, p in zip(values, probs))
             + " = " + " + ".join(br(v * p) for v, p in zip(values, probs)) + f" = {num(ev)}."]
    return problem(f"A random variable X has {table}. What is E[X]?", float(ev), decimals(2), steps,
                   {"values": values, "probabilities": [float(p) for p in probs]})


@generator("binomial_probability", "P(X = k) for a binomial random variable")
def binomial_probability(rng: random.Random) -> Problem:
    while True:
        n = rng.randint(3, 12)
        k = rng.randint(0, n)
        p = rng.choice([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9])
        comb = math.comb(n, k)
        prob = comb * p**k * (1 - p) ** (n - k)
        if prob >= 1e-6:  # rare events stay, vanishing ones (1e-16) teach nothing
            break
    prec = sig_figs(3)
    steps = [f"P(X = k) = C(n, k)·p^k·(1 - p)^(n - k) with n = {n}, k = {k}, p = {p}.",
             f"C({n}, {k}) = {comb}, {p}^{k} ≈ {approx(p**k, prec)}, {num(1 - p)}^{n - k} ≈ {approx((1 - p) ** (n - k), prec)}.",
             f"Their product is ≈ {approx(prob, prec)}."]
    return problem(f"X counts successes in {n} independent trials, each succeeding with probability {p}. "
                   f"What is P(X = {k})?", prob, prec, steps, {"n": n, "k": k, "p": p})


@generator("bernoulli_variance", "the variance of a Bernoulli variable")
def bernoulli_variance(rng: random.Random) -> Problem:
    p = Fraction(rng.randint(1, 999), 1000)
    var = p * (1 - p)
    steps = [f"Var(X) = p(1 - p) = {num(p)} × {num(1 - p)} = {num(var)}."]
    return problem(f"X is a Bernoulli variable with P(X = 1) = {num(p)}. What is Var(X)?", float(var), decimals(4),
                   steps, {"p": float(p)})


@generator("entropy", "the entropy of a discrete distribution", outcomes=Param((2, 3, 4), 3),
           unit=Param(("bits", "nats"), "bits"))
def entropy(rng: random.Random, outcomes: int, unit: str) -> Problem:
    total = 1000 if outcomes == 2 else 100
    cuts = sorted(rng.sample(range(1, total), outcomes - 1))
    probs = [Fraction(b - a, total) for a, b in zip([0] + cuts, cuts + [total])]
    log = math.log2 if unit == "bits" else math.log
    prec = decimals(3)
    parts = [-float(p) * log(float(p)) for p in probs]
    h = sum(parts)
    lg = "log2" if unit == "bits" else "ln"
    steps = [f"H = -Σ p·{lg}(p), one term per outcome:",
             *(f"-{num(p)}·{lg}({num(p)}) ≈ {approx(t, prec)}" for p, t in zip(probs, parts)),
             f"Adding them: H ≈ {approx(h, prec)} {unit}."]
    return problem(f"A random variable takes {outcomes} values with probabilities {', '.join(num(p) for p in probs)}. "
                   f"What is its entropy in {unit}?", h, prec, steps, {"probabilities": [float(p) for p in probs]})


@generator("conditional_probability_table", "a joint, marginal, union or conditional probability from a 2x2 table",
           ask=Param(("conditional", "joint", "marginal", "union"), "conditional"))
def conditional_probability_table(rng: random.Random, ask: str) -> Problem:
    ab, anb, nab, nanb = (rng.randint(3, 80) for _ in range(4))
    total = ab + anb + nab + nanb
    prec = decimals(3)
    table = ("Counts of customers by whether they clicked an ad (A) and whether they bought (B):\n"
             "              bought (B)   did not buy\n"
             f"  clicked (A)   {ab:<11}  {anb}\n"
             f"  no click      {nab:<11}  {nanb}\n")
    if ask == "conditional":
        value, q = Fraction(ab, ab + nab), "P(A | B), the probability that a buyer clicked"
        steps = [f"Restrict to the buyers (column B): {ab} + {nab} = {ab + nab}.",
                 f"Of these {ab} clicked: P(A | B) = {ab}/{ab + nab} ≈ {approx(float(value), prec)}."]
    elif ask == "joint":
        value, q = Fraction(ab, total), "P(A and B), the probability that a random customer clicked and bought"
        steps = [f"All customers: {ab} + {anb} + {nab} + {nanb} = {total}.",
                 f"P(A and B) = {ab}/{total} ≈ {approx(float(value), prec)}."]
    elif ask == "marginal":
        value, q = Fraction(ab + anb, total), "P(A), the probability that a random customer clicked"
        steps = [f"All customers: {total}; those who clicked: {ab} + {anb} = {ab + anb}.",
                 f"P(A) = {ab + anb}/{total} ≈ {approx(float(value), prec)}."]
    else:
        value, q = Fraction(ab + anb + nab, total), "P(A or B), the probability that a random customer clicked or bought"
        steps = [f"P(A or B) = P(A) + P(B) - P(A and B) = ({ab + anb} + {ab + nab} - {ab}) / {total} = "
                 f"{ab + anb + nab}/{total} ≈ {approx(float(value), prec)}."]
    return problem(f"{table}What is {q}?", float(value), prec, steps, {"counts": [ab, anb, nab, nanb]})


@generator("normal_probability", "a z-score or a normal probability",
           ask=Param(("z_score", "below", "above", "between"), "below"))
def normal_probability(rng: random.Random, ask: str) -> Problem:
    mu, sigma = rng.randint(20, 200), rng.randint(2, 25)
    x = mu + rng.randint(-5 * sigma // 2, 5 * sigma // 2)
    while x == mu:
        x = mu + rng.randint(-5 * sigma // 2, 5 * sigma // 2)
    z = (x - mu) / sigma
    nd = NormalDist()
    setting = f"X is normally distributed with mean {mu} and standard deviation {sigma}."
    z_line = f"z = (x - μ)/σ = ({x} - {mu})/{sigma} ≈ {approx(z, decimals(2))}."
    if ask == "z_score":
        return problem(f"{setting} What is the z-score of x = {x}?", z, decimals(2), [z_line], {"mu": mu, "sigma": sigma, "x": x})
    prec = decimals(4)
    if ask == "below":
        value = nd.cdf(z)
        steps = [z_line, f"P(X < {x}) = Φ(z) ≈ {approx(value, prec)} (from the standard normal CDF)."]
        q = f"What is P(X < {x})?"
    elif ask == "above":
        value = 1 - nd.cdf(z)
        steps = [z_line, f"P(X > {x}) = 1 - Φ(z) ≈ 1 - {approx(nd.cdf(z), prec)} = {approx(value, prec)}."]
        q = f"What is P(X > {x})?"
    else:
        lo, hi = sorted((x, 2 * mu - x))
        zl, zh = (lo - mu) / sigma, (hi - mu) / sigma
        value = nd.cdf(zh) - nd.cdf(zl)
        steps = [f"The interval is symmetric about the mean: z = ±{approx(abs(z), decimals(2))}.",
                 f"P({lo} < X < {hi}) = Φ({approx(zh, prec)}) - Φ({approx(zl, prec)}) ≈ {approx(nd.cdf(zh), prec)} - "
                 f"{approx(nd.cdf(zl), prec)} ≈ {approx(value, prec)}."]
        q = f"What is P({lo} < X < {hi})?"
    return problem(f"{setting} {q}", value, prec, steps, {"mu": mu, "sigma": sigma, "x": x})


def _z_star(level: int) -> float:
    return round(NormalDist().inv_cdf(1 - (1 - level / 100) / 2), 3)


@generator("confidence_interval", "a bound or the margin of a z confidence interval for a mean",
           ask=Param(("lower", "upper", "margin"), "lower"))
def confidence_interval(rng: random.Random, ask: str) -> Problem:
    level = rng.choice([80, 90, 95, 98, 99])
    zs = _z_star(level)
    mean = rng.randint(100, 9999) / 10
    sigma = rng.randint(2, 60)
    n = rng.choice([9, 16, 25, 30, 36, 40, 49, 50, 64, 80, 100, 120, 144, 200, 400])
    se = sigma / math.sqrt(n)
    margin = zs * se
    prec = decimals(2)
    value = {"lower": mean - margin, "upper": mean + margin, "margin": margin}[ask]
    steps = [f"The standard error is σ/√n = {sigma}/√{n} ≈ {approx(se, prec)}.",
             f"The margin is z*·SE = {zs}·{approx(se, prec)} ≈ {approx(margin, prec)}."]
    if ask != "margin":
        steps.append(f"The {ask} bound is {num(mean)} {'-' if ask == 'lower' else '+'} {approx(margin, prec)} ≈ {approx(value, prec)}.")
    what = {"lower": "the lower bound of", "upper": "the upper bound of", "margin": "the margin of error of"}[ask]
    return problem(f"A sample of n = {n} has mean {num(mean)}; the population standard deviation is known to be σ = "
                   f"{sigma}. Using z* = {zs:.3f} for {level}% confidence, what is {what} the {level}% confidence "
                   "interval for the population mean?", value, prec, steps,
                   {"n": n, "mean": mean, "sigma": sigma, "level": level, "z": zs})


@generator("t_statistic", "the one-sample t statistic")
def t_statistic(rng: random.Random) -> Problem:
    mu0 = rng.randint(10, 500)
    n = rng.randint(5, 60)
    s = rng.randint(20, 400) / 10
    mean = round(mu0 + rng.uniform(-1.5, 1.5) * s / math.sqrt(n) * 2, 1)
    se = s / math.sqrt(n)
    t = (mean - mu0) / se
    prec = decimals(3)
    steps = [f"The standard error is s/√n = {num(s)}/√{n} ≈ {approx(se, prec)}.",
             f"t = (x̄ - μ0)/SE = ({num(mean)} - {mu0})/{approx(se, prec)} ≈ {approx(t, prec)}, with {n - 1} degrees of freedom."]
    return problem(f"A sample of n = {n} has mean x̄ = {num(mean)} and standard deviation s = {num(s)}. For the null "
                   f"hypothesis μ = {mu0}, what is the one-sample t statistic?", t, prec, steps,
                   {"n": n, "mean": mean, "s": s, "mu0": mu0})


@generator("covariance_correlation", "the sample covariance or the Pearson correlation of paired data",
           ask=Param(("covariance", "correlation"), "correlation"))
def covariance_correlation(rng: random.Random, ask: str) -> Problem:
    n = rng.randint(4, 6)
    while True:
        xs = [rng.randint(0, 12) for _ in range(n)]
        ys = [rng.randint(0, 12) for _ in range(n)]
        if len(set(xs)) > 1 and len(set(ys)) > 1:
            break
    mx, my = Fraction(sum(xs), n), Fraction(sum(ys), n)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    prec = decimals(3)
    steps = [f"The means are x̄ = {approx(float(mx), prec)} and ȳ = {approx(float(my), prec)}.",
             f"Σ(x - x̄)(y - ȳ) = {approx(float(sxy), prec)}."]
    if ask == "covariance":
        value = float(sxy / (n - 1))
        steps.append(f"The sample covariance divides by n - 1 = {n - 1}: {approx(float(sxy), prec)}/{n - 1} ≈ {approx(value, prec)}.")
        q = "the sample covariance (divide by n - 1)"
    else:
        value = float(sxy) / math.sqrt(sxx * syy)
        steps += [f"Σ(x - x̄)² = {approx(float(sxx), prec)} and Σ(y - ȳ)² = {approx(float(syy), prec)}.",
                  f"r = Σ(x - x̄)(y - ȳ) / √(Σ(x - x̄)²·Σ(y - ȳ)²) ≈ {approx(value, prec)}."]
        q = "the Pearson correlation coefficient"
    return problem(f"Paired observations: x = {_values(xs)}, y = {_values(ys)}. What is {q}?", value, prec, steps,
                   {"x": xs, "y": ys})


@generator("mle_estimate", "the maximum-likelihood estimate of a simple distribution's parameter",
           distribution=Param(("bernoulli", "poisson", "exponential", "normal_variance"), "bernoulli"))
def mle_estimate(rng: random.Random, distribution: str) -> Problem:
    if distribution == "bernoulli":
        n = rng.randint(10, 400)
        k = rng.randint(1, n - 1)
        value = k / n
        prec = decimals(3)
        steps = ["The log-likelihood k·ln p + (n - k)·ln(1 - p) is largest where its derivative is 0, at p = k/n.",
                 f"p̂ = {k}/{n} ≈ {approx(value, prec)}."]
        q = f"A coin-like experiment gives {k} successes in {n} independent trials. What is the maximum-likelihood estimate of p?"
        return problem(q, value, prec, steps, {"k": k, "n": n})
    n = rng.randint(4, 8)
    if distribution == "poisson":
        xs = [rng.randint(0, 12) for _ in range(n)]
        while not any(xs):
            xs = [rng.randint(0, 12) for _ in range(n)]
        value, prec = sum(xs) / n, decimals(3)
        steps = ["For a Poisson sample the likelihood is largest at λ = the sample mean.",
                 f"λ̂ = {sum(xs)}/{n} ≈ {approx(value, prec)}."]
        q = f"Counts {_values(xs)} are modelled as independent Poisson draws. What is the maximum-likelihood estimate of λ?"
    elif distribution == "exponential":
        xs = [rng.randint(1, 30) for _ in range(n)]
        value, prec = n / sum(xs), sig_figs(3)
        steps = ["For an exponential sample the likelihood is largest at rate λ = 1 / (sample mean) = n / Σx.",
                 f"λ̂ = {n}/{sum(xs)} ≈ {approx(value, prec)}."]
        q = (f"Waiting times {_values(xs)} (minutes) are modelled as independent exponential draws with rate λ. What is "
             "the maximum-likelihood estimate of λ (per minute)?")
    else:
        xs = [rng.randint(0, 20) for _ in range(n)]
        while len(set(xs)) == 1:
            xs = [rng.randint(0, 20) for _ in range(n)]
        m = Fraction(sum(xs), n)
        ss = sum((x - m) ** 2 for x in xs)
        value, prec = float(ss / n), decimals(3)
        steps = ["For a normal sample the maximum-likelihood variance divides the squared deviations by n (not n - 1).",
                 f"The mean is {approx(float(m), prec)}; the squared deviations add up to {approx(float(ss), prec)}.",
                 f"σ̂² = {approx(float(ss), prec)}/{n} ≈ {approx(value, prec)}."]
        q = (f"Measurements {_values(xs)} are modelled as independent normal draws. What is the maximum-likelihood "
             "estimate of the variance σ²?")
    return problem(q, value, prec, steps, {"values": xs})


@generator("two_proportion_z", "the pooled two-proportion z statistic of an A/B test")
def two_proportion_z(rng: random.Random) -> Problem:
    n1, n2 = rng.randint(200, 5000), rng.randint(200, 5000)
    c1 = rng.randint(n1 // 50, n1 // 5)
    c2 = rng.randint(max(1, int(c1 / n1 * n2 * 0.7)), int(c1 / n1 * n2 * 1.4) + 1)
    p1, p2 = c1 / n1, c2 / n2
    pool = (c1 + c2) / (n1 + n2)
    se = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
    z = (p2 - p1) / se
    prec = decimals(2)
    steps = [f"p_A = {c1}/{n1} ≈ {approx(p1, prec, 4)}, p_B = {c2}/{n2} ≈ {approx(p2, prec, 4)}.",
             f"Pooled p = ({c1} + {c2})/({n1} + {n2}) ≈ {approx(pool, prec, 4)}.",
             f"SE = √(p(1 - p)(1/{n1} + 1/{n2})) ≈ {approx(se, prec, 4)}.",
             f"z = (p_B - p_A)/SE ≈ {approx(z, prec)}."]
    return problem(f"In an A/B test, version A converts {c1} of {n1} visitors and version B converts {c2} of {n2}. "
                   "What is the pooled two-proportion z statistic for B minus A?", z, prec, steps,
                   {"c1": c1, "n1": n1, "c2": c2, "n2": n2})


@generator("standard_error", "the standard error of a mean, or a probability for a sample mean by the central limit theorem",
           ask=Param(("standard_error", "clt_probability"), "standard_error"))
def standard_error(rng: random.Random, ask: str) -> Problem:
    sigma = rng.randint(2, 80)
    n = rng.randint(4, 400)
    se = sigma / math.sqrt(n)
    if ask == "standard_error":
        prec = decimals(3)
        steps = [f"SE = σ/√n = {sigma}/√{n} ≈ {sigma}/{approx(math.sqrt(n), prec)} ≈ {approx(se, prec)}."]
        return problem(f"A population has standard deviation σ = {sigma}. What is the standard error of the mean of a "
                       f"random sample of n = {n}?", se, prec, steps, {"sigma": sigma, "n": n})
    mu = rng.randint(10, 500)
    k = Fraction(rng.randint(-25, 25), 10)
    while k == 0:
        k = Fraction(rng.randint(-25, 25), 10)
    threshold = round(mu + float(k) * se, 1)
    z = (threshold - mu) / se
    value = 1 - NormalDist().cdf(z)
    prec = decimals(4)
    steps = [f"By the central limit theorem the sample mean is about normal with mean {mu} and SE = {sigma}/√{n} ≈ {approx(se, prec)}.",
             f"z = ({num(threshold)} - {mu})/{approx(se, prec)} ≈ {approx(z, prec)}.",
             f"P(mean > {num(threshold)}) = 1 - Φ(z) ≈ {approx(value, prec)}."]
    return problem(f"A population has mean {mu} and standard deviation {sigma}. Using the normal approximation of the "
                   f"central limit theorem, what is the probability that the mean of a random sample of n = {n} exceeds "
                   f"{num(threshold)}?", value, prec, steps, {"mu": mu, "sigma": sigma, "n": n, "threshold": threshold})


@generator("beta_posterior_mean", "the posterior mean of a Beta prior after binomial data")
def beta_posterior_mean(rng: random.Random) -> Problem:
    a, b = rng.randint(1, 10), rng.randint(1, 10)
    n = rng.randint(1, 60)
    k = rng.randint(0, n)
    value = Fraction(a + k, a + b + n)
    prec = decimals(3)
    steps = [f"The Beta prior is conjugate: the posterior is Beta(α + k, β + n - k) = Beta({a + k}, {b + n - k}).",
             f"Its mean is (α + k)/(α + β + n) = {a + k}/{a + b + n} ≈ {approx(float(value), prec)}."]
    return problem(f"A success probability has a Beta(α = {a}, β = {b}) prior. You then see {k} successes in {n} trials. "
                   "What is the posterior mean of the success probability?", float(value), prec, steps,
                   {"a": a, "b": b, "k": k, "n": n})


@generator("histogram_density", "the bar height of a density-scaled histogram")
def histogram_density(rng: random.Random) -> Problem:
    total = rng.randint(20, 2000)
    width = rng.choice([0.5, 1, 2, 2.5, 5, 10, 20, 25, 50])
    count = rng.randint(1, total // 2)
    value = count / (total * width)
    prec = sig_figs(3)
    steps = ["A density histogram makes the bar areas add up to 1: height = count / (n × bin width).",
             f"height = {count} / ({total} × {num(width)}) = {count} / {num(total * width)} ≈ {approx(value, prec)}."]
    return problem(f"A histogram of {total} observations uses bins of width {num(width)}. One bin holds {count} "
                   "observations. On a density scale (total area 1), how tall is that bin's bar?", value, prec, steps,
                   {"total": total, "width": width, "count": count})


_CHOOSE = ("A study group takes {k} of {n} learners; the order in which they are picked does not matter.",
           "A reading list takes {k} of {n} papers; the order does not matter.",
           "A model ensemble uses {k} of {n} trained models; only which models are used matters.")
_ARRANGE = ("A race has {n} runners; the first {k} places are awarded, so {k} of {n} runners finish in order.",
            "A playlist plays {k} of {n} songs, one after another, with no song twice.",
            "A conference has {k} of {n} speakers give talks one after another; the order of the talks matters.")


@generator("counting", "combinations or permutations: how many ways to choose or arrange k of n",
           order=Param((False, True), False))
def counting(rng: random.Random, order: bool) -> Problem:
    n = rng.randint(6, 30)
    k = rng.randint(2, min(6, n - 1))
    story = rng.choice(_ARRANGE if order else _CHOOSE).format(k=k, n=n)
    if order:
        value = math.perm(n, k)
        factors = " × ".join(str(n - i) for i in range(k))
        steps = [f"Order matters, so count arrangements: n! / (n - k)! = {n}! / {n - k}!.",
                 f"That is the product of the {k} largest factors: {factors} = {value}."]
    else:
        value = math.comb(n, k)
        steps = [f"Order does not matter, so count combinations: C(n, k) = n! / (k! (n - k)!) with n = {n}, k = {k}.",
                 f"Arrangements {n}! / {n - k}! = {math.perm(n, k)}, divided by the {k}! = {math.factorial(k)} orders "
                 f"of each group: {math.perm(n, k)} / {math.factorial(k)} = {value}."]
    return problem(f"{story} How many different {'orders' if order else 'selections'} are possible?", value, EXACT,
                   steps, {"n": n, "k": k, "order": order})
