#!/usr/bin/env python3
"""The default sweep of shared/SPEC.md written the way a user would write it with NumPy.

This is the yardstick `make bench` times alphasweep against: plain NumPy (from PyPI), one
BLAS thread per process, a multiprocessing pool over the instances (largest first, like
alphasweep's scheduler), and the closed forms SPEC §4 allows:

- sampling (`sampler: joint`): C from W, W*, Λ; L = chol(C); the n rows [Φ Y] = Z Lᵀ drawn
  as one matrix; F = ΦᵀΦ/n, B = ΦᵀY/n;
- GD, SqrtNG, NG: the exact spectral filters in the eigenbasis of F (np.linalg.eigh);
- Adam: bias-corrected, coordinate-wise in the feature basis, one run per peak lr;
- MatSign: Nesterov momentum, msign by thin SVD, run in F's eigenbasis, one run per peak lr;
- exact test loss L = (1/K) Σ_o (Wᵀθ_o/√D − w*_o)ᵀ Λ (…), and the final training loss.

It draws its random numbers with NumPy's own generator, so its losses match alphasweep's in
distribution, not bit for bit.

    python3 bench/numpy_reference.py jobs/default.yaml [--replicates 0] [--processes 2] [--json OUT]
"""
import argparse
import json
import os
import sys
import time

# One BLAS thread per process, set before NumPy loads OpenBLAS.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import multiprocessing as mp  # noqa: E402

import numpy as np  # noqa: E402

OPTIMIZERS = ["GD", "Adam", "MatSign", "SqrtNG", "NG"]


def load_spec(path):
    import yaml
    with open(path) as f:
        spec = yaml.safe_load(f)

    def grid(g):
        count = int((g["log10_max"] - g["log10_min"]) / g["log10_step"] + 1e-9) + 1
        return [10.0 ** (g["log10_min"] + i * g["log10_step"]) for i in range(count)]

    spec["adam_grid"] = grid(spec["adam_lr"])
    spec["matsign_grid"] = grid(spec["matsign_lr"])
    return spec


def test_loss(W, Wstar, lam, theta):
    D, K = Wstar.shape
    R = W.T @ theta / np.sqrt(D) - Wstar
    return float(np.sum(lam[:, None] * R * R) / K)


def train_loss(F, B, yy, theta):
    K = theta.shape[1]
    return float((np.sum(theta * (F @ theta)) - 2 * np.sum(theta * B) + np.trace(yy)) / (2 * K))


def run_instance(args):
    spec, s, N, r, optimizers = args
    start = time.perf_counter()
    D, K, n, T = spec["D"], spec["K"], spec["n"], spec["T"]
    sigma, beta = spec["sigma"], spec["beta"]
    rng = np.random.default_rng([spec["master_seed"], int(round(s * 1000)), N, r])

    k = np.arange(1, D + 1, dtype=float)
    lam = k ** -s
    lam /= lam.sum()
    W = rng.standard_normal((N, D))
    Wstar = rng.standard_normal((D, K)) * (k ** (-beta / 2))[:, None]

    # The joint law of (φ(x), y) given (W, W*), and n rows drawn from it.
    G = np.vstack([W * np.sqrt(lam) / np.sqrt(D), (Wstar * np.sqrt(lam)[:, None]).T])
    C = G @ G.T
    C[N:, N:] += sigma ** 2 * np.eye(K)
    L = np.linalg.cholesky(C)
    rows = rng.standard_normal((n, N + K)) @ L.T
    Phi, Y = rows[:, :N], rows[:, N:]
    F = Phi.T @ Phi / n
    B = Phi.T @ Y / n
    yy = Y.T @ Y / n

    mu, V = np.linalg.eigh(F)
    Bt = V.T @ B
    mu_max = mu[-1]
    eps = 1e-6 * mu_max
    out = []
    for opt in optimizers:
        if opt in ("GD", "SqrtNG", "NG"):
            if opt == "GD":
                lr = 1 / mu_max
                f = 1 - (1 - lr * mu) ** T
            elif opt == "SqrtNG":
                lr = np.sqrt(mu_max + eps) / mu_max
                f = 1 - (1 - lr * mu / np.sqrt(mu + eps)) ** T
            else:
                lr = 1.0
                f = 1 - (eps / (mu + eps)) ** T
            theta = V @ ((f / mu)[:, None] * Bt)
            out.append((opt, test_loss(W, Wstar, lam, theta), train_loss(F, B, yy, theta), lr))
        elif opt == "Adam":
            best = None
            for lr in spec["adam_grid"]:
                theta = np.zeros((N, K))
                m = np.zeros((N, K))
                v = np.zeros((N, K))
                for t in range(T):
                    g = F @ theta - B
                    m = 0.9 * m + 0.1 * g
                    v = 0.999 * v + 0.001 * g * g
                    mhat = m / (1 - 0.9 ** (t + 1))
                    vhat = v / (1 - 0.999 ** (t + 1))
                    theta = theta - lr * (1 - t / T) * mhat / (np.sqrt(vhat) + 1e-12)
                loss = test_loss(W, Wstar, lam, theta)
                if np.isfinite(loss) and (best is None or loss < best[0]):
                    best = (loss, lr, theta)
            out.append((opt, best[0], train_loss(F, B, yy, best[2]), best[1]))
        elif opt == "MatSign":
            best = None
            for lr in spec["matsign_grid"]:
                th = np.zeros((N, K))
                M = np.zeros((N, K))
                for t in range(T):
                    g = mu[:, None] * th - Bt
                    M = 0.9 * M + g
                    U, _, Vt = np.linalg.svd(0.9 * M + g, full_matrices=False)
                    th = th - lr * (1 - t / T) * (U @ Vt)
                theta = V @ th
                loss = test_loss(W, Wstar, lam, theta)
                if np.isfinite(loss) and (best is None or loss < best[0]):
                    best = (loss, lr, theta)
            out.append((opt, best[0], train_loss(F, B, yy, best[2]), best[1]))
    return (s, N, r, out, time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("spec")
    parser.add_argument("--replicates", help="comma-separated replicates to run (default: all)")
    parser.add_argument("--processes", type=int, default=os.cpu_count())
    parser.add_argument("--json", help="write timings and losses here")
    a = parser.parse_args()
    spec = load_spec(a.spec)
    reps = [int(x) for x in a.replicates.split(",")] if a.replicates else list(range(spec["seeds"]))
    optimizers = [o for o in OPTIMIZERS if o in spec["optimizers"]]
    work = [(spec, s, N, r, optimizers) for s in spec["s"] for N in spec["N"] for r in reps]
    work.sort(key=lambda w: -w[2])  # largest N first, as alphasweep schedules
    start = time.perf_counter()
    ctx = mp.get_context("fork")
    with ctx.Pool(a.processes) as pool:
        results = list(pool.imap_unordered(run_instance, work, chunksize=1))
    wall = time.perf_counter() - start
    task_seconds = sum(r[4] for r in results)
    rows = [{"s": s, "N": N, "replicate": r, "optimizer": o, "test_loss": tl, "train_loss": trl, "lr": lr}
            for (s, N, r, out, _) in results for (o, tl, trl, lr) in out]
    summary = {"wall_seconds": wall, "task_seconds": task_seconds, "processes": a.processes,
               "instances": len(work), "tasks": len(rows), "numpy": np.__version__,
               "replicates": reps, "rows": rows}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f)
    print(f"numpy reference: {len(rows)} tasks on {a.processes} processes in {wall:.1f} s wall "
          f"({task_seconds:.1f} s of instance time)", file=sys.stderr)


if __name__ == "__main__":
    main()
