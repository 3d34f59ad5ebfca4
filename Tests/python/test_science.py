"""The science features end to end: `diagnose` against simulation on a spectrum read from a file
(two power laws joined at k = 64), `diagnose` against `analyze`'s theory column, Precond(p) in a
sweep, and analyze's robustness outputs against an independent numpy/scipy computation on a real
results file.

Sizes (chosen so that the module runs in about a minute on 2 cores): the SPEC's default
experiment (D = 2048, K = 8, n = 8192, T = 16, σ = 0.3, β = 0) on N = 32…512, 24 replicates,
GD, SqrtNG, NG and Precond(0.25): 120 instances, one sweep shared by every test here."""
import json

import h5py
import numpy as np
import pytest
from scipy import optimize

from conftest import run_cli, run_mpi

N_GRID = [32, 64, 128, 256, 512]
SEEDS = 24
# The s-axis value that names the file spectrum in the spec (any positive number not used
# by a power law of the same sweep).
FILE_LABEL = 5.0
D = 2048


def two_regime_spectrum(head=0.5, tail=1.5, knee=64, d=D):
    """λ_k ∝ k^-head for k ≤ knee, continued as k^-tail beyond (continuous at the knee), shuffled
    (the tool sorts) and unnormalised (the tool normalises)."""
    k = np.arange(1, d + 1, dtype=float)
    lam = np.where(k <= knee, k ** -head, knee ** (tail - head) * k ** -tail) * 3.7
    return np.random.default_rng(0).permutation(lam)


SPEC = """D: {D}
K: 8
beta: 0.0
sigma: 0.3
n: 8192
T: 16
optimizers: [GD, SqrtNG, NG, Precond(0.25)]
adam_lr: {{log10_min: -2.0, log10_max: 2.0, log10_step: 0.25}}
matsign_lr: {{log10_min: -2.0, log10_max: 3.0, log10_step: 0.25}}
N: [{N}]
s: [{label}]
spectrum_files: {{{label}: two_regime.txt}}
seeds: {seeds}
sampler: joint
master_seed: 20260501
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, alphasweep):
    directory = tmp_path_factory.mktemp("science")
    spectrum = directory / "two_regime.txt"
    spectrum.write_text("# two power laws joined at k = 64\n" + "\n".join(repr(float(x)) for x in two_regime_spectrum()) + "\n")
    spec = directory / "two_regime.yaml"
    spec.write_text(SPEC.format(D=D, N=", ".join(map(str, N_GRID)), label=FILE_LABEL, seeds=SEEDS))
    out = directory / "two_regime.h5"
    run_mpi(2, "run", spec, "--out", out)
    analysis = json.loads(run_cli("analyze", out, "--format", "json").stdout)
    rows = {(r["optimizer"], r["s"]): r for r in analysis}
    diagnosis = json.loads(run_cli("diagnose", "--spectrum", spectrum, "--N", ",".join(map(str, N_GRID)),
                                   "--p", "0.25", "--format", "json").stdout)
    return {"dir": directory, "spectrum": spectrum, "spec": spec, "file": out, "rows": rows, "diagnosis": diagnosis}


def predicted(diagnosis, name):
    return next(o for o in diagnosis["optimizers"] if o["optimizer"] == name)


def test_diagnose_predicts_the_simulated_alpha_on_a_two_regime_spectrum(sweep):
    lines = []
    for name in ["GD", "SqrtNG", "NG", "Precond(0.25)"]:
        simulated = sweep["rows"][(name, FILE_LABEL)]
        prediction = predicted(sweep["diagnosis"], name)
        lines.append(f"{name}: simulated α {simulated['alpha']:.4f} [{simulated['ci_low']:.4f}, {simulated['ci_high']:.4f}], "
                     f"predicted {prediction['alpha']:.4f}")
        if name != "Precond(0.25)":
            assert abs(simulated["alpha"] - prediction["alpha"]) < 0.02, lines[-1]
    print("\n" + "\n".join(lines))


def test_diagnose_equals_analyzes_theory_column(sweep):
    for name in ["GD", "SqrtNG", "NG", "Precond(0.25)"]:
        row, prediction = sweep["rows"][(name, FILE_LABEL)], predicted(sweep["diagnosis"], name)
        assert prediction["alpha"] == pytest.approx(row["alpha_theory"], rel=1e-12, abs=1e-15), name
        assert prediction["alpha_lower_half"] == pytest.approx(row["alpha_theory_low_half"], rel=1e-12, abs=1e-15)
        assert prediction["alpha_upper_half"] == pytest.approx(row["alpha_theory_high_half"], rel=1e-12, abs=1e-15)


def test_the_file_spectrum_is_identified_by_content_and_archives_reopen(sweep):
    import hashlib
    digest = hashlib.sha256(sweep["spectrum"].read_bytes()).hexdigest()
    with h5py.File(sweep["file"], "r") as f:
        experiment = f.attrs["experiment"].decode() if isinstance(f.attrs["experiment"], bytes) else f.attrs["experiment"]
    assert f"spectrum_files: {{{FILE_LABEL}: sha256 {digest}}}" in experiment
    assert str(sweep["spectrum"]) not in experiment and "two_regime.txt" not in experiment
    # The same content under another name in another directory: the same experiment, so the
    # archive resumes with nothing to run.
    moved = sweep["dir"] / "elsewhere"
    moved.mkdir(exist_ok=True)
    (moved / "renamed.txt").write_bytes(sweep["spectrum"].read_bytes())
    spec = moved / "spec.yaml"
    spec.write_text(sweep["spec"].read_text().replace("two_regime.txt", "renamed.txt"))
    plan = run_cli("plan", spec, "--against", sweep["file"])
    assert "0 tasks to run" in plan.stdout, plan.stdout


def test_an_archive_away_from_its_spectrum_file(sweep, tmp_path):
    """A results file's /spec names its spectrum files by relative path: they are sought beside
    the results file, then in the working directory; otherwise, or when edited since the run,
    one line and exit 2."""
    import shutil
    moved = tmp_path / "moved.h5"
    shutil.copy(sweep["file"], moved)
    result = run_cli("analyze", moved, "--no-store", "--resamples", "200", check=False, cwd=tmp_path)
    assert result.returncode == 2 and "two_regime.txt: no such file in" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    run_cli("analyze", moved, "--no-store", "--resamples", "200", cwd=sweep["dir"])
    resumed = run_cli("run", sweep["spec"], "--out", moved, "--resume", cwd=tmp_path)
    assert "0 tasks to run" in resumed.stderr, resumed.stderr
    edited = sweep["spectrum"].read_text().splitlines()
    edited[1] = "1e-3"  # one eigenvalue changed: another spectrum
    (tmp_path / "two_regime.txt").write_text("\n".join(edited) + "\n")
    result = run_cli("analyze", moved, "--no-store", "--resamples", "200", check=False, cwd=tmp_path)
    assert result.returncode == 2 and "differ from those it was run with" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_diagnose_refuses_a_bad_spectrum_file_in_one_line(tmp_path, alphasweep):
    cases = {"word.txt": "1\n2\nthree\n", "zero.txt": "1\n0\n", "one.txt": "1\n", "empty.txt": ""}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        result = run_cli("diagnose", "--spectrum", tmp_path / name, check=False)
        assert result.returncode == 2, (name, result.stderr)
        assert result.stderr.count("\n") == 1 and name in result.stderr and "--spectrum" in result.stderr, result.stderr
    result = run_cli("diagnose", "--spectrum", tmp_path / "missing.txt", check=False)
    assert result.returncode == 2 and "no such file" in result.stderr
    import os
    os.mkfifo(tmp_path / "fifo")
    os.symlink(tmp_path / "word.txt", tmp_path / "link.txt")
    for odd in ("fifo", "link.txt", "."):
        result = run_cli("diagnose", "--spectrum", tmp_path / odd, check=False, timeout=60)
        assert result.returncode == 2 and "not a regular file" in result.stderr, (odd, result.stderr)
    for args in (["--s", "1", "--spectrum", tmp_path / "one.txt"], ["--N", "16,x"], ["--N", "4096"], ["--p", "1.5"],
                 ["--T", "0"]):
        result = run_cli("diagnose", *args, check=False)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, (args, result.stderr)


def test_diagnose_table_and_figure(tmp_path, alphasweep):
    figure = tmp_path / "diagnosis.svg"
    result = run_cli("diagnose", "--s", "1", "--N", "64,128,256", "--p", "0,0.5,1", "--figure", figure)
    assert "verdict:" in result.stdout and "α − α_GD" in result.stdout, result.stdout
    import xml.etree.ElementTree as ElementTree
    text = figure.read_text()
    assert ElementTree.fromstring(text).tag.endswith("svg"), "well-formed SVG"
    assert "α against the preconditioner" in text, "two or more powers add the α(p) plot"
    for name in ["GD", "SqrtNG", "NG"]:
        assert name in text


# MARK: - robustness against numpy/scipy

def cell_log_losses(path, optimizer, s):
    """log L[replicate, N] of a cell's complete replicates, from /results."""
    with h5py.File(path, "r") as f:
        g = f["results"]
        opt = np.array([x.decode() for x in g["optimizer"][()]])
        sv, nv, rv = g["s"][()], g["N"][()], g["replicate"][()]
        loss, status = g["test_loss"][()], np.array([x.decode() for x in g["status"][()]])
    table = {}
    for i in np.flatnonzero((opt == optimizer) & (sv == s) & (status == "ok")):
        table[(int(rv[i]), int(nv[i]))] = loss[i]
    replicates = sorted({r for r, _ in table})
    complete = [r for r in replicates if all((r, n) in table for n in N_GRID)]
    return np.log(np.array([[table[(r, n)] for n in N_GRID] for r in complete]))


def alpha_of(log_n, mean_log_loss):
    return -np.polyfit(log_n, mean_log_loss, 1)[0]


def test_robustness_matches_numpy_and_scipy(sweep):
    log_n = np.log(np.array(N_GRID, dtype=float))
    n = len(N_GRID)
    for name in ["GD", "SqrtNG", "NG"]:
        row = sweep["rows"][(name, FILE_LABEL)]
        y = cell_log_losses(sweep["file"], name, FILE_LABEL)
        mean = y.mean(axis=0)
        # α with the smallest 1, 2 N dropped (3 would leave 2 points: not reported).
        for k in (1, 2):
            assert row[f"alpha_drop{k}"] == pytest.approx(alpha_of(log_n[k:], mean[k:]), rel=1e-9), (name, k)
            assert row[f"alpha_drop{k}_ci_low"] <= row[f"alpha_drop{k}"] <= row[f"alpha_drop{k}_ci_high"]
        assert row["alpha_drop3"] is None
        # Held out: the line through all but the largest N, extrapolated.
        slope, intercept = np.polyfit(log_n[:-1], mean[:-1], 1)
        error = mean[-1] - (intercept + slope * log_n[-1])
        assert row["heldout_N"] == N_GRID[-1]
        assert row["heldout_log_error"] == pytest.approx(error, rel=1e-8, abs=1e-12)
        assert row["heldout_observed_loss"] == pytest.approx(np.exp(mean[-1]), rel=1e-12)
        # Its bootstrap interval against numpy's percentile bootstrap over whole replicates.
        rng = np.random.default_rng(1)
        draws = []
        for _ in range(2000):
            m = y[rng.integers(0, len(y), len(y))].mean(axis=0)
            s_, i_ = np.polyfit(log_n[:-1], m[:-1], 1)
            draws.append(m[-1] - (i_ + s_ * log_n[-1]))
        lo, hi = np.percentile(draws, [2.5, 97.5])
        width = hi - lo
        assert abs(row["heldout_log_error_ci_low"] - lo) < 0.25 * width, (name, row["heldout_log_error_ci_low"], lo)
        assert abs(row["heldout_log_error_ci_high"] - hi) < 0.25 * width, (name, row["heldout_log_error_ci_high"], hi)
        assert row["heldout_consistent"] == (row["heldout_log_error_ci_low"] <= 0 <= row["heldout_log_error_ci_high"])
        # AIC/BIC: the power law exactly; the saturating form's least squares at least as good
        # as scipy's multi-start (and not better than scipy can verify by more than 1 %).
        residual = mean - np.polyval(np.polyfit(log_n, mean, 1), log_n)
        rss_line = float(residual @ residual)
        assert row["aic_power_law"] == pytest.approx(n * np.log(rss_line / n) + 4, rel=1e-8, abs=1e-8)
        assert row["bic_power_law"] == pytest.approx(n * np.log(rss_line / n) + 2 * np.log(n), rel=1e-8, abs=1e-8)

        def residuals(p):
            return np.log(p[0] ** 2 + np.exp(p[1] - p[2] * log_n)) - mean
        best = rss_line
        for alpha0 in (0.05, 0.3, 0.8, 1.5):
            for fraction in (0.0, 0.5, 0.9):
                e0 = fraction * np.exp(mean.min())
                start = [np.sqrt(e0), float(np.mean(np.log(np.maximum(np.exp(mean) - e0, 1e-3 * np.exp(mean))) + alpha0 * log_n)), alpha0]
                fit = optimize.least_squares(residuals, start, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=20000)
                best = min(best, float(fit.fun @ fit.fun))
        rss_sat = n * np.exp((row["aic_saturating"] - 6) / n)
        assert rss_sat <= best * 1.01 + 1e-300, (name, rss_sat, best)
        assert row["bic_saturating"] == pytest.approx(n * np.log(rss_sat / n) + 3 * np.log(n), rel=1e-8, abs=1e-8)
        # The verdict follows its stated rule.
        delta_bic = row["bic_power_law"] - row["bic_saturating"]
        if delta_bic > 2:
            expected = "saturating"
        elif row["power_law_warning"] or not row["heldout_consistent"]:
            expected = "curved"
        else:
            expected = "clean"
        assert row["fit_verdict"] == expected, (name, row["fit_verdict"], expected, delta_bic)
    # The same columns are stored in the file's /analysis group.
    with h5py.File(sweep["file"], "r") as f:
        for column in ["alpha_drop1", "heldout_log_error", "aic_power_law", "bic_saturating", "fit_verdict"]:
            assert column in f["analysis"], column
