"""Limits: how large a grid the coordinator plans and tracks, and at what memory per task.

Tiny problem sizes (D = 16, n = 16, K = 1, T = 1, N ∈ {2, 4}) make a task cost microseconds,
so the measurements are of the bookkeeping alone: the work queue, the set of tasks done, the
journal, the snapshot rewrites. Peak RSS is measured with /usr/bin/time -f %M (rank 0 runs
under it in an MPMD mpirun), or with getrusage(RUSAGE_CHILDREN) in a fresh wrapper process.

The full 10⁶-task run takes ~30 s on two cores; it runs when ALPHASWEEP_LIMITS_FULL=1.
"""
import os
import pathlib
import resource
import re
import subprocess
import sys
import time

import pytest

from conftest import BINARY, read_results
from fault_helpers import MPIRUN, mpi_env, spec_text

TINY = dict(D="16", n="16", K="1", T="1", N="[2, 4]",
            adam_lr="{log10_min: -1.0, log10_max: 0.0, log10_step: 0.5}",
            matsign_lr="{log10_min: -1.0, log10_max: 0.0, log10_step: 0.5}")
MAX_BYTES_PER_TASK_PLANNED = 200
MAX_BYTES_PER_TASK_TRACKED = 1024
TRACKED_BYTES_PER_TASK_ESTIMATE = 1000  # Coordinator.trackedBytesPerTask: what `run` budgets with


def tiny_spec(directory, s_values, seeds):
    """5 optimizers × s_values × 2 N × seeds tasks."""
    s = ", ".join(f"{0.5 + 0.01 * i:.2f}" for i in range(s_values))
    path = pathlib.Path(directory) / f"tiny-{s_values}x{seeds}.yaml"
    path.write_text(spec_text(s=f"[{s}]", seeds=str(seeds), **TINY))
    return path, 5 * s_values * 2 * seeds


def peak_rss_kib(command, timeout=300):
    """Runs `command` in a fresh wrapper; returns (CompletedProcess-like dict, peak RSS in KiB of
    the largest process it waited for)."""
    wrapper = ("import resource, subprocess, sys, json\n"
               "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "print(json.dumps({'rc': r.returncode, 'out': r.stdout, 'err': r.stderr,\n"
               "                  'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n")
    import json
    result = subprocess.run([sys.executable, "-c", wrapper, *map(str, command)], capture_output=True, text=True,
                            timeout=timeout, env=mpi_env())
    data = json.loads(result.stdout)
    return data, data["rss"]


def rank0_peak_rss_kib(directory, spec, out, workers=2, timeout=300):
    """Runs the sweep with rank 0 under /usr/bin/time (MPMD: rank 0, then the workers)."""
    if not pathlib.Path("/usr/bin/time").exists():
        pytest.skip("/usr/bin/time is not installed")
    report = pathlib.Path(directory) / f"{pathlib.Path(out).stem}.rss"
    args = ["run", str(spec), "--out", str(out), "--log-interval", "600"]
    command = [*MPIRUN, "-np", "1", "/usr/bin/time", "-f", "%M", "-o", str(report), str(BINARY), *args,
               ":", "-np", str(workers), str(BINARY), *args]
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=mpi_env())
    seconds = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    return int(report.read_text().split()[-1]), seconds


def test_plan_of_a_million_tasks_is_fast_and_small(tmp_path, capsys):
    small, small_tasks = tiny_spec(tmp_path, 10, 100)
    big, big_tasks = tiny_spec(tmp_path, 100, 1000)
    assert big_tasks == 1_000_000
    base, base_rss = peak_rss_kib([BINARY, "plan", small])
    start = time.monotonic()
    data, rss = peak_rss_kib([BINARY, "plan", big])
    seconds = time.monotonic() - start
    assert data["rc"] == 0, data["err"]
    assert "1000000 tasks = 5 optimizers × 100 s × 2 N × 1000 replicates (200000 instances)" in data["out"]
    per_task = (rss - base_rss) * 1024 / (big_tasks - small_tasks)
    with capsys.disabled():
        print(f"\nplan of 10⁶ tasks: {seconds:.2f} s, peak RSS {rss / 1024:.0f} MiB "
              f"(10⁴ tasks: {base_rss / 1024:.0f} MiB) → {per_task:.0f} bytes per task")
    assert per_task < MAX_BYTES_PER_TASK_PLANNED
    assert seconds < 30


def test_a_hundred_thousand_tasks_run_with_small_linear_memory_and_no_per_task_files(tmp_path, capsys):
    """2·10⁴ and 10⁵ tiny tasks on three ranks: rank 0's peak RSS grows linearly with a small
    slope; the directory holds the results file and nothing else; every task is there once."""
    figures = []
    for s_values, seeds in ((20, 100), (100, 100)):
        directory = tmp_path / f"run{s_values}"
        directory.mkdir()
        spec, tasks = tiny_spec(directory, s_values, seeds)
        out = directory / "tiny.h5"
        rss, seconds = rank0_peak_rss_kib(directory, spec, out)
        names = sorted(p.name for p in directory.iterdir())
        assert names == sorted([spec.name, "tiny.h5", "tiny.rss"]), names   # no per-task files, nothing left over
        rows = read_results(out)                                            # asserts every key once
        assert len(rows) == tasks
        figures.append((tasks, rss, seconds, out.stat().st_size))
    (small, small_rss, _, _), (big, big_rss, big_seconds, big_size) = figures
    per_task = (big_rss - small_rss) * 1024 / (big - small)
    with capsys.disabled():
        print("\ntiny-task runs on 3 ranks (rank 0's peak RSS):")
        for tasks, rss, seconds, size in figures:
            print(f"  {tasks:>7} tasks  {seconds:5.1f} s  rank 0 peak {rss / 1024:6.1f} MiB  file {size / 1e6:5.2f} MB")
        print(f"  slope {per_task:.0f} bytes per task tracked")
    assert per_task < MAX_BYTES_PER_TASK_TRACKED
    assert per_task < TRACKED_BYTES_PER_TASK_ESTIMATE, "run's memory budget per task is too small"
    assert big_seconds < 120


def test_a_grid_too_large_for_rank_0s_memory_is_refused_before_anything_is_written(tmp_path):
    """Under a 1 GiB address-space limit (`ulimit -v`, one of the limits `run` heeds with the
    node's memory and its cgroup's), a run whose tasks would need more than 80 % of it to track
    is refused at once, naming the spec, the estimate and the way out (shards)."""
    limit = 1 << 30
    spec, tasks = tiny_spec(tmp_path, 100, 1600)
    assert tasks * TRACKED_BYTES_PER_TASK_ESTIMATE > 0.8 * limit
    out = tmp_path / "huge.h5"
    started = time.monotonic()
    result = subprocess.run([str(BINARY), "run", str(spec), "--out", str(out)], capture_output=True, text=True,
                            timeout=60, env=mpi_env(),
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(spec) in lines[0] and f"{tasks} tasks" in lines[0] and "--shard" in lines[0], lines
    assert "it may use 1.1 GB" in lines[0], lines
    assert time.monotonic() - started < 10, "the refusal must come before planning the grid"
    assert sorted(p.name for p in tmp_path.iterdir()) == [spec.name]


@pytest.mark.skipif(os.environ.get("ALPHASWEEP_LIMITS_FULL") != "1", reason="set ALPHASWEEP_LIMITS_FULL=1 (≈30 s)")
def test_a_million_tasks_run_and_resume(tmp_path, capsys):
    spec, tasks = tiny_spec(tmp_path, 100, 1000)
    out = tmp_path / "million.h5"
    rss, seconds = rank0_peak_rss_kib(tmp_path, spec, out, timeout=900)
    result = subprocess.run([*MPIRUN, "-np", "3", str(BINARY), "run", str(spec), "--out", str(out), "--resume"],
                            capture_output=True, text=True, timeout=900, env=mpi_env())
    assert result.returncode == 0 and "0 tasks to run (1000000 already in" in result.stderr, result.stderr
    with capsys.disabled():
        print(f"\n10⁶ tiny tasks on 3 ranks: {seconds:.1f} s, rank 0 peak RSS {rss / 1024:.0f} MiB "
              f"({rss * 1024 / tasks:.0f} bytes per task), file {out.stat().st_size / 1e6:.1f} MB")
    assert rss * 1024 / tasks < MAX_BYTES_PER_TASK_TRACKED
