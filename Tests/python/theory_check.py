#!/usr/bin/env python3
"""Independent numpy check of the spectral diagnostic (SPEC §7) and of the Swift numbers.

Re-implements the deterministic equivalent and the log-ellipse contour integral from scratch
(plain Newton from the previous node, fixed 512 nodes), then checks
  1. the self-checks: continuous mass and eigenvalue count N recovered;
  2. the population-F prediction against a dense Monte-Carlo over random W (exact loss,
     averaged over the teacher in closed form);
  3. reference values printed by the Swift `SpectralDiagnostic` (defaults: D=2048, T=16).
Runs in a few seconds: `python3 Tests/python/theory_check.py` (exit status 1 on failure).
"""
import sys
import numpy as np

D, T = 2048, 16

# (s, N) -> Swift population losses (GD, SqrtNG, NG) and L_RF, default parameters.
SWIFT_REFERENCE = {
    (1.0, 64): (0.629798, 0.616118, 0.616089, 0.61609),
    (1.0, 1024): (0.460804, 0.205695, 0.15306, 0.15306),
    (2.0, 256): (0.102541, 0.0224697, 0.00523042, 0.0052304),
    (0.5, 512): (0.675743, 0.658636, 0.658601, 0.6586),
}


def spectrum(s, beta=0.0):
    k = np.arange(1, D + 1.0)
    lam = k ** -s
    lam /= lam.sum()
    return lam, lam * k ** -beta


def bisect(f, a, b, iterations=200):
    """Root of f on [a, b] with a sign change."""
    fa = f(a)
    for _ in range(iterations):
        m = 0.5 * (a + b)
        fm = f(m)
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
        else:
            b = m
    return 0.5 * (a + b)


def theory(s, N, nodes=512):
    lam, q = spectrum(s)

    def z_of(k):
        return -(k / D) * (N - np.sum(lam / (lam + k)))

    def dz_of(k):
        return -(N - np.sum(lam ** 2 / (lam + k) ** 2)) / D

    k0 = np.exp(bisect(lambda u: np.sum(lam / (lam + np.exp(u))) - N, -70.0, 7.0))
    lrf = np.sum(q * k0 / (lam + k0))
    phi = lambda k: np.sum(lam ** 2 / (lam + k) ** 2) - N
    lm = lam.max()
    k_hi = -lm - np.exp(bisect(lambda u: phi(-lm - np.exp(u)), np.log(lm) - 30, 14.0))
    k_lo = np.exp(bisect(lambda u: phi(np.exp(u)), -70.0, np.log(k0)))
    e_hi, e_lo = z_of(k_hi), z_of(k_lo)
    mu = e_hi
    eps = 1e-6 * mu
    x_r, x_l = 1.5 * e_hi, 0.5 * e_lo
    c, a, b = 0.5 * np.log(x_r * x_l), 0.5 * np.log(x_r / x_l), 1.0
    u_hi = -lm - k_hi
    kappa = -lm - np.exp(bisect(lambda u: z_of(-lm - np.exp(u)) - x_r, np.log(u_hi), 14.0))
    ts = np.pi * np.arange(nodes // 2 + 1) / (nodes // 2)
    zs = np.exp(c + a * np.cos(ts) + 1j * b * np.sin(ts))
    dzs = zs * (-a * np.sin(ts) + 1j * b * np.cos(ts))
    g, tr = [], []
    kappa = complex(kappa)
    for z in zs:
        for _ in range(60):
            step = (z_of(kappa) - z) / dz_of(kappa)
            kappa -= step
            if abs(step) < 1e-15 * abs(kappa):
                break
        g.append(kappa / (-z) * np.sum(q / (lam + kappa)))
        tr.append(kappa / (-z) * np.sum(1 / (lam + kappa)))
    g, tr = np.array(g), np.array(tr)
    w = np.full(len(ts), 2.0)
    w[0] = w[-1] = 1.0

    def integrate(h):
        return -np.sum(w * np.imag(h * dzs)) / nodes

    eta = np.sqrt(mu + eps) / mu
    residual = {
        "GD": (1 - zs / mu) ** T,
        "SqrtNG": (1 - eta * zs / np.sqrt(zs + eps)) ** T,
        "NG": (eps / (zs + eps)) ** T,
    }
    out = {"mu": mu, "lrf": lrf, "mass_err": integrate(g) / (q.sum() - lrf) - 1,
           "count_err": integrate(tr) / N - 1, "q_total": q.sum()}
    for name, r in residual.items():
        out[name] = lrf + integrate(r ** 2 * g)
    return out


def monte_carlo(s, N, mu, replicates=6, seed=7):
    lam, q = spectrum(s)
    rng = np.random.default_rng(seed)
    eps = 1e-6 * mu
    eta = np.sqrt(mu + eps) / mu
    acc = {"GD": 0.0, "SqrtNG": 0.0, "NG": 0.0}
    for _ in range(replicates):
        A = rng.standard_normal((N, D)) * np.sqrt(lam / D)
        ev, V = np.linalg.eigh(A @ A.T)
        weight = ((V.T @ A) ** 2 @ q) / ev
        res = {"GD": (1 - ev / mu) ** T, "SqrtNG": (1 - eta * ev / np.sqrt(ev + eps)) ** T,
               "NG": (eps / (ev + eps)) ** T}
        for name, r in res.items():
            acc[name] += (q.sum() - np.sum((1 - r ** 2) * weight)) / replicates
    return acc


def main():
    failures = []

    def check(ok, message):
        print(("ok   " if ok else "FAIL ") + message)
        if not ok:
            failures.append(message)

    for (s, N), ref in SWIFT_REFERENCE.items():
        th = theory(s, N)
        check(abs(th["mass_err"]) < 1e-9 and abs(th["count_err"]) < 1e-9,
              f"s={s} N={N}: mass err {th['mass_err']:.1e}, count err {th['count_err']:.1e}")
        for name, value in zip(["GD", "SqrtNG", "NG", "lrf"], ref):
            check(abs(th[name] / value - 1) < 2e-5, f"s={s} N={N} {name}: numpy {th[name]:.6g} vs Swift {value:.6g}")
    th = theory(1.0, 64)
    mc = monte_carlo(1.0, 64, th["mu"])
    for name in ["GD", "SqrtNG", "NG"]:
        check(abs(mc[name] / th[name] - 1) < 0.01, f"s=1 N=64 {name}: theory {th[name]:.5g} vs MC {mc[name]:.5g}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
