"""alphasweep's replicate bootstrap (Swift, Sources/Numerics/Statistics) against scipy.stats.bootstrap.

The Swift side is the XCTest ``StatisticsTests/testExportBootstrapForScipy``: with
ALPHASWEEP_STATS_EXPORT set it writes synthetic per-replicate log-loss rows, its BCa and
percentile bounds, z0, the acceleration and its whole bootstrap distribution (B = 20000) to JSON.
Here the same data go through ``scipy.stats.bootstrap`` with the data being the replicate
indices and the statistic alpha of the resampled rows (minus the slope of the OLS fit of the mean
log L on log N), or the paired gap alpha_a - alpha_b on the same indices.

Two comparisons:
1. Exact: SciPy's BCa/percentile bounds computed from *Swift's* bootstrap distribution
   (passed as ``bootstrap_result``, ``n_resamples=0``) equal Swift's bounds to rounding; the
   jackknife acceleration equals SciPy's formula on the same leave-one-out values. This checks
   the formulas (z0, a, levels, type-7 quantiles) with no Monte-Carlo error at all.
2. Monte Carlo: SciPy's own independent bootstraps (K runs of B = 20000 with its own generator)
   give a Monte-Carlo distribution of each bound; Swift's bound, one more draw of B = 20000, must
   lie within 4 standard deviations of the mean of those K runs (sd from the K runs themselves,
   inflated by sqrt(1 + 1/K) for the estimated mean). This checks the resampling itself.

Run: ``pytest Tests/python/test_statistics_vs_scipy.py -s`` (prints the agreement table).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import swift_test_command
from scipy import special, stats

ROOT = Path(__file__).resolve().parents[2]
RESAMPLES = 20_000
SCIPY_RUNS = 20
MC_SIGMAS = 4.0
SWIFT_TEST = "StatisticsTests/testExportBootstrapForScipy"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    if shutil.which("swift") is None:
        pytest.skip("the swift toolchain is not on PATH: cannot run the Swift side of the comparison")
    out = tmp_path_factory.mktemp("alphasweep-stats") / "bootstrap.json"
    env = dict(os.environ, ALPHASWEEP_STATS_EXPORT=str(out),
               ALPHASWEEP_STATS_EXPORT_RESAMPLES=str(RESAMPLES))
    proc = subprocess.run(swift_test_command(SWIFT_TEST),
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, f"swift test failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    assert out.exists(), f"the Swift test did not write {out}:\n{proc.stdout[-2000:]}"
    return json.loads(out.read_text())


def make_statistic(dataset):
    """alpha (or the paired gap) of the rows selected by an index array of any leading shape."""
    log_n = np.asarray(dataset["logN"])
    centred = log_n - log_n.mean()
    weights = centred / (centred ** 2).sum()
    rows = np.asarray(dataset["rows"])
    reference = None if dataset.get("rowsReference") is None else np.asarray(dataset["rowsReference"])

    def alpha(matrix, idx):
        return -(matrix[idx].mean(axis=-2) @ weights)

    def statistic(idx, axis=-1):
        idx = np.asarray(idx).astype(np.int64)
        assert axis == -1
        value = alpha(rows, idx)
        return value if reference is None else value - alpha(reference, idx)

    return statistic, len(rows)


class _Distribution:
    """Duck-typed ``BootstrapResult``: SciPy only reads ``bootstrap_distribution``."""

    def __init__(self, values):
        self.bootstrap_distribution = np.asarray(values)


def scipy_interval(dataset, method, **kwargs):
    statistic, n = make_statistic(dataset)
    return stats.bootstrap((np.arange(n),), statistic, vectorized=True, paired=False,
                           confidence_level=0.95, method=method, **kwargs)


def test_normal_quantile_matches_ndtri(exported):
    probes = np.asarray(exported["quantileProbes"])
    values = np.asarray(exported["quantileValues"])
    reference = special.ndtri(probes)
    np.testing.assert_allclose(values, reference, rtol=2e-15, atol=0)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_same_distribution_gives_scipys_bounds(exported, index):
    ds = exported["datasets"][index]
    statistic, n = make_statistic(ds)
    assert len(ds["distribution"]) == RESAMPLES
    np.testing.assert_allclose(statistic(np.arange(n)), ds["estimate"], rtol=1e-12, atol=1e-14)

    bca = scipy_interval(ds, "BCa", n_resamples=0, bootstrap_result=_Distribution(ds["distribution"]))
    pct = scipy_interval(ds, "percentile", n_resamples=0, bootstrap_result=_Distribution(ds["distribution"]))
    assert ds["method"] == "bca"
    np.testing.assert_allclose([ds["bcaLow"], ds["bcaHigh"]],
                               [bca.confidence_interval.low, bca.confidence_interval.high], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose([ds["percentileLow"], ds["percentileHigh"]],
                               [pct.confidence_interval.low, pct.confidence_interval.high], rtol=1e-12, atol=1e-14)

    # z0 and the acceleration with SciPy's definitions (scipy/stats/_resampling.py, _bca_interval).
    dist = np.asarray(ds["distribution"])
    theta = ds["estimate"]
    z0 = special.ndtri(((dist < theta).sum() + (dist <= theta).sum()) / (2 * len(dist)))
    np.testing.assert_allclose(ds["z0"], z0, rtol=1e-13, atol=1e-15)
    jackknife = np.array([statistic(np.delete(np.arange(n), i)) for i in range(n)])
    u = (n - 1) * (jackknife.mean() - jackknife)
    a = (np.sum(u ** 3) / n ** 3) / (6 * (np.sum(u ** 2) / n ** 2) ** 1.5)
    np.testing.assert_allclose(ds["acceleration"], a, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_independent_scipy_bootstraps_agree_within_monte_carlo_error(exported, index):
    ds = exported["datasets"][index]
    rng = np.random.default_rng(20260501 + index)
    runs = {"bca": [], "percentile": []}
    for _ in range(SCIPY_RUNS):
        res = scipy_interval(ds, "BCa", n_resamples=RESAMPLES, rng=rng)
        ci_pct = np.quantile(res.bootstrap_distribution, [0.025, 0.975])  # type 7 = SciPy's percentile
        runs["bca"].append([res.confidence_interval.low, res.confidence_interval.high])
        runs["percentile"].append(ci_pct)
    swift = {"bca": [ds["bcaLow"], ds["bcaHigh"]], "percentile": [ds["percentileLow"], ds["percentileHigh"]]}
    width = ds["percentileHigh"] - ds["percentileLow"]
    lines = []
    for method in ("bca", "percentile"):
        values = np.asarray(runs[method])
        mean, sd = values.mean(axis=0), values.std(axis=0, ddof=1)
        tolerance = MC_SIGMAS * sd * np.sqrt(1 + 1 / SCIPY_RUNS)
        diff = np.asarray(swift[method]) - mean
        for side, d, s, t, m in zip(("low", "high"), diff, sd, tolerance, mean):
            lines.append(f"{ds['name']:9s} {method:10s} {side:4s} swift={swift[method][side == 'high']:.6f} "
                         f"scipy={m:.6f} diff={d:+.2e} ({d / s:+.2f} MC sd; sd={s:.1e} = {s / width:.3f} of the width)")
        assert np.all(np.abs(diff) <= tolerance), "\n".join(lines)
    print("\n" + "\n".join(lines))
