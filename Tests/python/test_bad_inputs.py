"""Bad input is refused clearly: exit code 2, exactly one line on stderr naming the key or file
and the problem, and no existing file changed (nor a new one left behind).

Every case runs the real binary. A few also run under `mpirun -np 2` to show that the worker
ranks are released (no hang) and that the job's exit code is still 2.
"""
import os
import pathlib
import shutil
import subprocess

import h5py
import pytest

from conftest import SMOKE, run_cli
from fault_helpers import alphasweep_lines, cli, mpi, spec_text, tree_hashes

GOOD = SMOKE.read_text()
GRID = "{log10_min: -2.0, log10_max: 2.0, log10_step: 0.25}"


@pytest.fixture(scope="module")
def results_file(tmp_path_factory, alphasweep):
    """A small complete results file to damage, copy and misuse."""
    out = tmp_path_factory.mktemp("bad-inputs-ref") / "ref.h5"
    run_cli("run", SMOKE, "--out", out)
    return out


def spec_case(case_id, expected, text=None, **kwargs):
    """A spec-file case: `alphasweep run spec.yaml --out out.h5`."""
    body = text if text is not None else spec_text(**kwargs)
    return pytest.param(("spec", body, None), expected, id=case_id)


def cli_case(case_id, expected, build):
    """A command-line case: `build(workspace)` returns the arguments."""
    return pytest.param(("cli", None, build), expected, id=case_id)


SPEC_CASES = [
    spec_case("malformed-yaml", ["spec.yaml", "malformed YAML"], text="D: [256, 512\nK: 4\n"),
    spec_case("yaml-not-a-mapping", ["spec.yaml", "expected a mapping"], text="- D\n- K\n"),
    spec_case("empty-file", ["spec.yaml", "expected a mapping"], text=""),
    spec_case("duplicate-key", ["spec.yaml", "duplicated", "'D'"], text=GOOD + "D: 512\n"),
    spec_case("unknown-key-did-you-mean", ["spec.yaml", "'sigmma'", "unknown key", "did you mean 'sigma'"],
              text=GOOD.replace("sigma:", "sigmma:")),
    spec_case("unknown-nested-key", ["spec.yaml", "'adam_lr.log10_mn'", "did you mean 'adam_lr.log10_min'"],
              adam_lr="{log10_mn: -2.0, log10_max: 2.0, log10_step: 0.25}"),
    spec_case("missing-key", ["spec.yaml", "'seeds'", "missing"], drop=("seeds",)),
    spec_case("missing-nested-key", ["spec.yaml", "'adam_lr.log10_step'", "missing"],
              adam_lr="{log10_min: -2.0, log10_max: 2.0}"),
    spec_case("wrong-type-D-text", ["spec.yaml", "'D'", "must be an integer", "abc"], D="abc"),
    spec_case("wrong-type-N-scalar", ["spec.yaml", "'N'", "must be a list"], N="8"),
    spec_case("wrong-type-sigma-list", ["spec.yaml", "'sigma'", "single value"], sigma="[0.3]"),
    spec_case("wrong-type-grid-scalar", ["spec.yaml", "'matsign_lr'", "must be a mapping"], matsign_lr="0.01"),
    spec_case("N-zero", ["spec.yaml", "'N'", "positive", "0"], N="[0, 16, 32]"),
    spec_case("N-negative", ["spec.yaml", "'N'", "positive", "-8"], N="[-8, 16, 32]"),
    spec_case("N-above-n", ["spec.yaml", "'N'", "N=64", "n=32"], n="32"),
    spec_case("N-not-integer", ["spec.yaml", "'N'", "must be an integer", "8.5"], N="[8.5, 16, 32]"),
    spec_case("N-single-value", ["spec.yaml", "'N'", "at least two"], N="[16]"),
    spec_case("s-zero", ["spec.yaml", "'s'", "must be positive"], s="[0, 1.5]"),
    spec_case("s-negative", ["spec.yaml", "'s'", "must be positive", "-0.5"], s="[-0.5, 1.5]"),
    spec_case("D-not-above-max-N", ["spec.yaml", "'N'", "N=64", "below D=64"], D="64"),
    spec_case("n-zero", ["spec.yaml", "'n'", "got 0"], n="0"),
    spec_case("n-negative", ["spec.yaml", "'n'", "got -5"], n="-5"),
    spec_case("T-zero", ["spec.yaml", "'T'", "positive", "got 0"], T="0"),
    spec_case("sigma-negative", ["spec.yaml", "'sigma'", "must be in 0…1000", "-0.1"], sigma="-0.1"),
    spec_case("K-zero", ["spec.yaml", "'K'", "positive", "got 0"], K="0"),
    spec_case("beta-nan", ["spec.yaml", "'beta'", "finite"], beta=".nan"),
    spec_case("unknown-optimizer", ["spec.yaml", "'optimizers'", "unknown optimizer 'Adma'", "did you mean 'Adam'"],
              optimizers="[GD, Adma]"),
    spec_case("unknown-sampler", ["spec.yaml", "'sampler'", "must be one of", "'bogus'"], sampler="bogus"),
    spec_case("empty-N", ["spec.yaml", "'N'", "must not be empty"], N="[]"),
    spec_case("empty-s", ["spec.yaml", "'s'", "must not be empty"], s="[]"),
    spec_case("empty-optimizers", ["spec.yaml", "'optimizers'", "must not be empty"], optimizers="[]"),
    spec_case("duplicate-N", ["spec.yaml", "'N'", "lists 16 twice"], N="[8, 16, 16, 32]"),
    spec_case("duplicate-s", ["spec.yaml", "'s'", "twice"], s="[0.75, 0.75, 1.5]"),
    spec_case("duplicate-optimizer", ["spec.yaml", "'optimizers'", "lists GD twice"], optimizers="[GD, Adam, GD]"),
    spec_case("lr-grid-empty", ["spec.yaml", "'adam_lr'", "is empty"],
              adam_lr="{log10_min: 2.0, log10_max: -2.0, log10_step: 0.25}"),
    spec_case("lr-grid-zero-step", ["spec.yaml", "'adam_lr.log10_step'", "must be positive"],
              adam_lr="{log10_min: -2.0, log10_max: 2.0, log10_step: 0}"),
    spec_case("lr-grid-negative-step", ["spec.yaml", "'matsign_lr.log10_step'", "must be positive"],
              matsign_lr="{log10_min: -2.0, log10_max: 3.0, log10_step: -0.25}"),
    spec_case("seeds-negative", ["spec.yaml", "'seeds'", "got -1"], seeds="-1"),
    spec_case("seeds-zero", ["spec.yaml", "'seeds'", "got 0"], seeds="0"),
    spec_case("master-seed-negative", ["spec.yaml", "'master_seed'", "'-5'"], master_seed="-5"),
    # Numbers out of their stated range: refused before anything is allocated.
    spec_case("sigma-huge", ["spec.yaml", "'sigma'", "must be in 0…1000", "1e+300"], sigma="1e300"),
    spec_case("sigma-infinite", ["spec.yaml", "'sigma'", "finite"], sigma=".inf"),
    spec_case("beta-huge", ["spec.yaml", "'beta'", "must be within", "1000000"], beta="1e6"),
    spec_case("s-huge", ["spec.yaml", "'s'", "must be at most", "1e+300"], s="[0.75, 1e300]"),
    spec_case("D-huge", ["spec.yaml", "'D'", "at most 1048576"], D="1000000000000"),
    spec_case("D-beyond-Int", ["spec.yaml", "'D'", "must be an integer"], D="100000000000000000000000"),
    spec_case("K-huge", ["spec.yaml", "'K'", "at most 4096"], K="100000"),
    spec_case("n-huge", ["spec.yaml", "'n'", "at most 67108864"], n="10000000000"),
    spec_case("T-huge", ["spec.yaml", "'T'", "at most 1000000"], T="1000000000000"),
    spec_case("N-huge", ["spec.yaml", "'N'", "at most 1048576"], N="[8, 1000000000000]"),
    spec_case("seeds-huge", ["spec.yaml", "'seeds'", "at most 1000000"], seeds="1000000000000"),
    spec_case("replicates-reversed", ["spec.yaml", "'replicates'", "0 ≤ A ≤ B", "9..3"], text=GOOD.replace("seeds: 3", "replicates: 9..3")),
    spec_case("replicates-huge", ["spec.yaml", "'replicates'", "below 2147483648"],
              text=GOOD.replace("seeds: 3", "replicates: 0..100000000000")),
    spec_case("replicates-and-seeds", ["spec.yaml", "either 'seeds' or 'replicates'"], text=GOOD + "replicates: 0..3\n"),
    spec_case("lr-grid-tiny-step", ["spec.yaml", "'adam_lr'", "points; at most 10000"],
              adam_lr="{log10_min: -2.0, log10_max: 2.0, log10_step: 1e-300}"),
    spec_case("lr-grid-beyond-double", ["spec.yaml", "'adam_lr.log10_max'", "finite"],
              adam_lr="{log10_min: -2.0, log10_max: 1e400, log10_step: 0.25}"),
    spec_case("lr-grid-out-of-range", ["spec.yaml", "'adam_lr'", "out of range"],
              adam_lr="{log10_min: -2.0, log10_max: 400, log10_step: 0.25}"),
    spec_case("master-seed-beyond-64-bits", ["spec.yaml", "'master_seed'", "18446744073709551616"], master_seed="18446744073709551616"),
    spec_case("grid-too-many-tasks", ["spec.yaml", "tasks; at most 50 000 000"], seeds="1000000",
              N="[8, 16, 32, 64, 128, 200, 230]"),
]


def _existing_non_hdf5(ws):
    (ws / "notes.h5").write_text("these are my notes, not a results file\n")
    return ws / "notes.h5"


def _incompatible_version(ws, ref):
    path = ws / "future.h5"
    shutil.copy(ref, path)
    with h5py.File(path, "r+") as f:
        f.attrs["format_version"] = f.attrs["format_version"] + 1
    return path


CLI_CASES = [
    cli_case("spec-missing", ["nope.yaml", "no such file"], lambda ws, ref: ["run", ws / "nope.yaml", "--out", ws / "o.h5"]),
    cli_case("spec-is-directory", ["sub", "directory"],
             lambda ws, ref: (ws / "sub").mkdir() or ["run", ws / "sub", "--out", ws / "o.h5"]),
    cli_case("spec-not-utf8", ["bin.yaml", "UTF-8"],
             lambda ws, ref: (ws / "bin.yaml").write_bytes(b"D: \xff\xfe\x00\x81\n") and ["run", ws / "bin.yaml", "--out", ws / "o.h5"]),
    cli_case("plan-spec-missing", ["nope.yaml", "no such file"], lambda ws, ref: ["plan", ws / "nope.yaml"]),
    cli_case("shard-index-too-large", ["--shard", "'2/2'"], lambda ws, ref: ["run", SMOKE, "--out", ws / "o.h5", "--shard", "2/2"]),
    cli_case("shard-index-negative", ["--shard", "'-1/2'"], lambda ws, ref: ["run", SMOKE, "--out", ws / "o.h5", "--shard=-1/2"]),
    cli_case("shard-count-zero", ["--shard", "'0/0'"], lambda ws, ref: ["run", SMOKE, "--out", ws / "o.h5", "--shard", "0/0"]),
    cli_case("shard-not-a-fraction", ["--shard", "'abc'"], lambda ws, ref: ["run", SMOKE, "--out", ws / "o.h5", "--shard", "abc"]),
    cli_case("plan-shards-zero", ["--shards", "must be in 1…1000000", "got 0"], lambda ws, ref: ["plan", SMOKE, "--shards", "0"]),
    cli_case("out-missing-directory", ["no-such-dir", "No such file or directory"],
             lambda ws, ref: ["run", SMOKE, "--out", ws / "no-such-dir" / "o.h5"]),
    cli_case("out-parent-is-a-file", ["plain.txt", "not a directory"],
             lambda ws, ref: (ws / "plain.txt").write_text("x") and ["run", SMOKE, "--out", ws / "plain.txt" / "o.h5"]),
    cli_case("out-existing-non-hdf5", ["notes.h5", "already exists"],
             lambda ws, ref: ["run", SMOKE, "--out", _existing_non_hdf5(ws)]),
    cli_case("resume-existing-non-hdf5", ["notes.h5", "not an HDF5 file"],
             lambda ws, ref: ["run", SMOKE, "--out", _existing_non_hdf5(ws), "--resume"]),
    cli_case("resume-missing-file", ["gone.h5", "no such file"],
             lambda ws, ref: ["run", SMOKE, "--out", ws / "gone.h5", "--resume"]),
    cli_case("analyze-incompatible-version", ["future.h5", "incompatible", "format version 2"],
             lambda ws, ref: ["analyze", _incompatible_version(ws, ref)]),
    cli_case("inspect-incompatible-version", ["future.h5", "incompatible", "format version 2"],
             lambda ws, ref: ["inspect", _incompatible_version(ws, ref)]),
    cli_case("resume-incompatible-version", ["future.h5", "incompatible", "format version 2"],
             lambda ws, ref: ["run", SMOKE, "--out", _incompatible_version(ws, ref), "--resume"]),
    cli_case("analyze-non-hdf5", ["notes.h5", "not an HDF5 file"], lambda ws, ref: ["analyze", _existing_non_hdf5(ws)]),
    cli_case("analyze-missing-file", ["missing.h5", "no such file"], lambda ws, ref: ["analyze", ws / "missing.h5"]),
    cli_case("inspect-missing-file", ["missing.h5", "no such file"], lambda ws, ref: ["inspect", ws / "missing.h5"]),
    cli_case("analyze-format-unknown", ["--format", "'xml'"], lambda ws, ref: ["analyze", ref, "--format", "xml"]),
    cli_case("analyze-too-few-resamples", ["--resamples", "must be in 100…1000000", "got 10"],
             lambda ws, ref: ["analyze", ref, "--resamples", "10"]),
    cli_case("merge-one-file", ["at least two input files"], lambda ws, ref: ["merge", ref, "--out", ws / "m.h5"]),
    cli_case("merge-output-exists", ["notes.h5", "already exists"],
             lambda ws, ref: ["merge", ref, ref.parent / "copy-b.h5", "--out", _existing_non_hdf5(ws)]),
    cli_case("merge-output-is-input", ["also an input"], lambda ws, ref: ["merge", ref, ref.parent / "copy-b.h5", "--out", ref]),
    cli_case("merge-missing-input", ["missing.h5", "no such file"],
             lambda ws, ref: ["merge", ref, ws / "missing.h5", "--out", ws / "m.h5"]),
    cli_case("run-without-out", ["--out"], lambda ws, ref: ["run", SMOKE]),
    cli_case("unknown-subcommand", ["'frobnicate'"], lambda ws, ref: ["frobnicate"]),
    cli_case("drain-seconds-negative", ["--drain-seconds"], lambda ws, ref: ["run", SMOKE, "--out", ws / "o.h5", "--drain-seconds=-1"]),
    # Numbers out of their stated range, on every command; the resume cases show that the
    # existing file gets no provenance row, journal or lock before the refusal.
    cli_case("shard-count-beyond-instances", ["--shard", "at most the sweep's 24 instances", "1000000000000"],
             lambda ws, ref: ["run", SMOKE, "--out", ref, "--resume", "--shard", "0/1000000000000"]),
    cli_case("shard-count-beyond-Int", ["--shard", "'0/100000000000000000000000'"],
             lambda ws, ref: ["run", SMOKE, "--out", ref, "--resume", "--shard", "0/100000000000000000000000"]),
    cli_case("drain-seconds-huge", ["--drain-seconds", "must be a number in 0.0…86400.0", "1e+300"],
             lambda ws, ref: ["run", SMOKE, "--out", ref, "--resume", "--drain-seconds", "1e300"]),
    cli_case("drain-seconds-nan", ["--drain-seconds", "nan"], lambda ws, ref: ["run", SMOKE, "--out", ref, "--resume", "--drain-seconds", "nan"]),
    cli_case("log-interval-negative", ["--log-interval", "-5"], lambda ws, ref: ["run", SMOKE, "--out", ref, "--resume", "--log-interval=-5"]),
    cli_case("lost-rank-seconds-zero", ["--lost-rank-seconds", "got 0.0"],
             lambda ws, ref: ["run", SMOKE, "--out", ref, "--resume", "--lost-rank-seconds", "0"]),
    cli_case("retry-failed-without-resume", ["--retry-failed: needs --resume"],
             lambda ws, ref: ["run", SMOKE, "--out", ws / "o.h5", "--retry-failed"]),
    cli_case("resamples-huge", ["--resamples", "1000000000000"], lambda ws, ref: ["analyze", ref, "--resamples", "1000000000000"]),
    cli_case("resamples-negative", ["--resamples", "-5"], lambda ws, ref: ["analyze", ref, "--resamples=-5"]),
    cli_case("list-missing-negative", ["--list-missing", "-1"], lambda ws, ref: ["inspect", ref, "--list-missing=-1"]),
    cli_case("plan-shards-huge", ["--shards", "must be in 1…1000000", "1000000000000"],
             lambda ws, ref: ["plan", SMOKE, "--shards", "1000000000000"]),
    cli_case("plan-shards-beyond-instances", ["--shards", "1000000 shards but the sweep has only 24 instances"],
             lambda ws, ref: ["plan", SMOKE, "--shards", "1000000"]),
    cli_case("plan-workers-zero", ["--workers", "got 0"], lambda ws, ref: ["plan", SMOKE, "--workers", "0"]),
    cli_case("submit-array-huge", ["--array", "more than a Slurm cluster can queue"],
             lambda ws, ref: ["submit", SMOKE, "--array", "1000000000000", "--out", ws / "sub", "--dry-run"]),
    cli_case("submit-max-running-zero", ["--max-running", "not 0"],
             lambda ws, ref: ["submit", SMOKE, "--array", "2", "--max-running", "0", "--out", ws / "sub", "--dry-run"]),
    cli_case("submit-ranks-zero", ["--ranks-per-shard", "at least 1"],
             lambda ws, ref: ["submit", SMOKE, "--array", "2", "--ranks-per-shard", "0", "--out", ws / "sub", "--dry-run"]),
    cli_case("bench-repeats-zero", ["--repeats", "got 0"], lambda ws, ref: ["bench", "--repeats", "0", "--sizes", "16"]),
    cli_case("out-name-too-long", ["File name too long"], lambda ws, ref: ["run", SMOKE, "--out", ws / ("x" * 300 + ".h5")]),
]


@pytest.fixture
def workspace(tmp_path, results_file):
    """A directory holding a copy of a results file (and a second copy for merges)."""
    ref = tmp_path / "results" / "ref.h5"
    ref.parent.mkdir()
    shutil.copy(results_file, ref)
    shutil.copy(results_file, ref.parent / "copy-b.h5")
    return tmp_path, ref


def _arguments(case, ws, ref):
    kind, body, build = case
    if kind == "spec":
        spec = ws / "spec.yaml"
        spec.write_text(body)
        return ["run", spec, "--out", ws / "out.h5"]
    return build(ws, ref)


def assert_refused(result, expected, before, after, label):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, f"{label}: exit {result.returncode}, stderr {result.stderr!r}"
    assert len(lines) == 1, f"{label}: expected one line on stderr, got {lines!r}"
    line = lines[0]
    assert line.startswith("alphasweep: "), line
    for fragment in expected:
        assert fragment in line, f"{label}: {fragment!r} not in {line!r}"
    assert "Fatal error" not in result.stderr and "Traceback" not in result.stderr
    assert after == before, f"{label}: files changed: {set(after.items()) ^ set(before.items())}"


@pytest.mark.parametrize("case, expected", SPEC_CASES + CLI_CASES)
def test_bad_input_is_refused_clearly_and_changes_nothing(workspace, case, expected, request):
    ws, ref = workspace
    args = _arguments(case, ws, ref)
    before = tree_hashes(ws)
    result = cli(*args, timeout=60)
    after = tree_hashes(ws)
    assert_refused(result, expected, before, after, request.node.callspec.id)


def test_there_are_at_least_thirty_cases():
    assert len(SPEC_CASES) + len(CLI_CASES) >= 30


@pytest.fixture
def read_only_directory(tmp_path):
    """A directory that even root cannot write: a tmpfs remounted read-only."""
    directory = tmp_path / "ro"
    directory.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(directory)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); the read-only --out case needs one")
    try:
        (directory / "old.txt").write_text("kept\n")
        remount = subprocess.run(["mount", "-o", "remount,ro", str(directory)], capture_output=True, text=True)
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def test_out_in_read_only_directory_is_refused(workspace, read_only_directory):
    ws, ref = workspace
    before = tree_hashes(ws)
    result = cli("run", SMOKE, "--out", read_only_directory / "o.h5", timeout=60)
    assert_refused(result, [str(read_only_directory), "not writable", "Read-only file system"], before,
                   tree_hashes(ws), "read-only --out")


# The same refusals under mpirun: rank 0 refuses, the workers are released, the job ends with 2.
MPI_CASES = [
    pytest.param(lambda ws, ref: ["run", ws / "spec.yaml", "--out", ws / "o.h5"], ["'seeds'", "missing"], id="bad-spec"),
    pytest.param(lambda ws, ref: ["run", SMOKE, "--out", ws / "o.h5", "--shard", "3/2"], ["--shard"], id="shard-out-of-range"),
    pytest.param(lambda ws, ref: ["run", SMOKE, "--out", ws / "nodir" / "o.h5"], ["nodir"], id="out-missing-directory"),
    pytest.param(lambda ws, ref: ["run", SMOKE, "--out", _existing_non_hdf5(ws), "--resume"], ["notes.h5", "not an HDF5"],
                 id="resume-non-hdf5"),
    pytest.param(lambda ws, ref: ["run", SMOKE, "--out", ref], ["ref.h5", "already exists"], id="out-exists"),
]


@pytest.mark.parametrize("build, expected", MPI_CASES)
def test_bad_input_under_mpirun_releases_the_workers(workspace, build, expected):
    ws, ref = workspace
    (ws / "spec.yaml").write_text(spec_text(drop=("seeds",)))
    args = build(ws, ref)
    before = tree_hashes(ws)
    try:
        result = mpi(2, *args, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("mpirun -np 2 hung on bad input: the worker was not released")
    assert result.returncode == 2, result.stderr
    lines = alphasweep_lines(result.stderr)
    assert len(lines) == 1, lines
    for fragment in expected:
        assert fragment in lines[0], (fragment, lines[0])
    assert tree_hashes(ws) == before
