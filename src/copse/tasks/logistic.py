"""Maximum-likelihood logistic regression for the experimental tasks' trial data.

Two tasks fit a logistic model to a participant's own trials: the Kirby
questionnaire's Wileyto et al. (2004) estimate of the discounting rate (two
slopes, no intercept) and the detection-threshold task's psychometric curve
(intercept and slope over stimulus intensity). Both need only a handful of
parameters and at most a few hundred rows, so a dependency-free Newton–Raphson
(iteratively reweighted least squares) is enough, and keeps the computation
pure and identical on every path.

Data that do not determine the fit — too few rows, a singular design, or
complete separation (every choice predicted perfectly, so the likelihood has
no maximum) — give ``None``: a number reported there would be an artefact of
the iteration limit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_ITERATIONS = 100
#: Converged when no coefficient changes by more than this (relative to its size).
TOLERANCE = 1e-10
#: Coefficients beyond this mean the likelihood is still rising: separation.
DIVERGENCE = 1e6


def sigmoid(x: float) -> float:
    """The logistic function, without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """Solve a small linear system by Gaussian elimination; None if singular."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    return [a[i][n] / a[i][i] for i in range(n)]


def fit_logistic(x: Sequence[Sequence[float]], y: Sequence[int]) -> list[float] | None:
    """Coefficients b maximising the likelihood of P(y=1) = sigmoid(x·b); None if undefined.

    ``x`` holds one row of predictors per observation (add a column of ones
    for an intercept); ``y`` holds 0/1 outcomes.
    """
    n = len(y)
    p = len(x[0]) if x else 0
    if p == 0 or n <= p or len(x) != n or not all(len(row) == p for row in x):
        return None
    if not all(math.isfinite(v) for row in x for v in row):
        return None
    beta = [0.0] * p
    for _ in range(MAX_ITERATIONS):
        grad = [0.0] * p
        hess = [[0.0] * p for _ in range(p)]
        for row, outcome in zip(x, y, strict=True):
            eta = sum(b * v for b, v in zip(beta, row, strict=True))
            mu = sigmoid(eta)
            w = mu * (1.0 - mu)
            for i in range(p):
                grad[i] += (outcome - mu) * row[i]
                for j in range(p):
                    hess[i][j] += w * row[i] * row[j]
        step = solve(hess, grad)
        if step is None:
            return None
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if any(not math.isfinite(b) or abs(b) > DIVERGENCE for b in beta):
            return None
        if all(abs(s) <= TOLERANCE * (1.0 + abs(b)) for s, b in zip(step, beta, strict=True)):
            return beta
    return None


__all__ = ["fit_logistic", "sigmoid", "solve"]
