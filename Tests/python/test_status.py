"""`alphasweep status FILE.h5` watching a real run under mpirun, and the per-task trace
(host, start time, wall time, peak RSS; per run the Slurm ids and each rank's peak RSS) as
h5py and `inspect` show it."""
import os
import re
import subprocess
import time

import pytest

from conftest import BINARY, SMOKE, mpi_env, read_results, run_cli

h5py = pytest.importorskip("h5py")

SLURM = {"SLURM_JOB_ID": "812", "SLURM_ARRAY_JOB_ID": "810", "SLURM_ARRAY_TASK_ID": "2", "SLURM_STEP_ID": "0"}


def slow_spec(directory):
    """The smoke experiment made a few seconds long: 360 tasks, larger instances."""
    lines = {"D": "D: 512", "N": "N: [16, 32, 64, 128, 256, 384]", "seeds": "seeds: 6", "n": "n: 8192", "T": "T: 160"}
    out = [lines.pop(line.split(":")[0], line) for line in SMOKE.read_text().splitlines()]
    assert not lines
    path = directory / "slow.yaml"
    path.write_text("\n".join(out) + "\n")
    return path


def status(path, *extra):
    return subprocess.run([str(BINARY), "status", str(path), *extra], capture_output=True, text=True, timeout=60)


def test_status_during_a_run_sees_progress_and_the_writer_and_never_disturbs_it(tmp_path, alphasweep):
    out = tmp_path / "slow.h5"
    env = dict(mpi_env(), **SLURM)
    command = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", "3", str(BINARY), "run",
               str(slow_spec(tmp_path)), "--out", str(out)]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    mid_run, polls, deadline = None, 0, time.monotonic() + 600
    try:
        # Bounded: at most 2400 polls and 10 minutes.
        while run.poll() is None and polls < 2400 and time.monotonic() < deadline:
            polls += 1
            result = status(out)
            if result.returncode == 0 and ": running — writer pid" in result.stdout:
                done = int(re.search(r"done\s+(\d+) / 360 tasks", result.stdout).group(1))
                if 0 < done < 360 and "  rank  host" in result.stdout:
                    mid_run = result.stdout
                    watched = status(out, "--watch", "--interval", "0.2", "--max-redraws", "3")
                    assert watched.returncode == 0, watched.stderr
                    assert watched.stdout.count("done ") == 3, watched.stdout
                    break
            time.sleep(0.05)
        stdout, stderr = run.communicate(timeout=900)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, stderr
    assert mid_run, f"no status screen caught the run in progress after {polls} polls"
    print("\n" + mid_run)
    pid = int(re.search(r"writer pid (\d+) on (\S+)", mid_run).group(1))
    assert pid != os.getpid()
    assert re.search(r"rate\s+\d+ tasks in the last (minute|\d+ s); ETA", mid_run), mid_run
    assert "failures  0 not ok" in mid_run
    assert "Slurm job 812 (array 810_2) step 0" in mid_run
    ranks = re.findall(r"^\s+([12])\s+\S+\s+(\d+)\s+", mid_run, flags=re.M)
    assert {r for r, _ in ranks} <= {"1", "2"} and ranks, mid_run

    # The watched run is whole: every task once, nothing left beside the file.
    assert len(read_results(out)) == 360
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.h5", "slow.yaml"]
    final = status(out)
    assert final.returncode == 0 and ": complete" in final.stdout and "done      360 / 360" in final.stdout, final.stdout
    assert "rate" not in final.stdout, "no rate or ETA once the writer is gone"

    # The trace, with h5py: per task host, start (UTC, ms) and peak RSS; per run the Slurm ids
    # and each rank's peak RSS.
    with h5py.File(out, "r") as f:
        results = f["results"]
        hosts = set(results["host"].asstr()[...])
        started = results["started_utc"].asstr()[...]
        rss = results["peak_rss_bytes"][...]
        provenance = f["provenance"]
        assert provenance["slurm_job_id"].asstr()[0] == "812"
        assert provenance["slurm_array_job_id"].asstr()[0] == "810"
        assert provenance["slurm_array_task_id"].asstr()[0] == "2"
        assert provenance["slurm_step_id"].asstr()[0] == "0"
        peaks = dict(pair.split("=") for pair in provenance["peak_rss_mib_by_rank"].asstr()[0].split(","))
    assert hosts == {os.uname().nodename}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s) for s in started)
    assert (rss > 10 << 20).all(), "a rank that ran a task has more than 10 MiB resident"
    assert set(peaks) == {"1", "2"}
    rows = read_results(out)
    for rank in ("1", "2"):
        mine = [r["peak_rss_bytes"] for r in rows.values() if r["rank"] == int(rank)]
        assert float(peaks[rank]) == pytest.approx(max(mine) / 2**20, abs=0.05)
    # One checksum per record layout, each over that layout's columns as stored (zlib.crc32
    # chained in column order): what an alphasweep that knows only the earlier layouts checks.
    import zlib
    import numpy as np
    layouts = {"crc32": ["optimizer", "s", "N", "replicate", "test_loss", "train_loss", "lr", "lr_at_grid_edge",
                         "status", "message", "wall_seconds", "rank"],
               "crc32_added": ["attempts"], "crc32_added_3": ["host", "started_utc", "peak_rss_bytes"]}
    with h5py.File(out, "r") as f:
        for attribute, names in layouts.items():
            crc = 0
            for name in names:
                crc = zlib.crc32(np.ascontiguousarray(f["results"][name][...]).tobytes(), crc)
            assert int(f["results"].attrs[attribute]) == crc, attribute
    inspect = run_cli("inspect", out).stdout
    assert "slurm job 812 (array 810_2) step 0" in inspect
    assert "peak RSS MiB by rank 1=" in inspect
    assert re.search(r"trace \(per host\).*\n\s+" + re.escape(os.uname().nodename) + r"\s+360\s", inspect), inspect


def test_status_of_a_finished_file_reads_only(tmp_path, alphasweep):
    out = tmp_path / "smoke.h5"
    run_cli("run", SMOKE, "--out", out)
    before = out.read_bytes()
    result = status(out)
    assert result.returncode == 0, result.stderr
    assert "complete" in result.stdout and "done      120 / 120 tasks (100.0 %)" in result.stdout
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["smoke.h5"], "status leaves no lock or temporary file"


def test_status_refuses_bad_input_in_one_line(tmp_path, alphasweep):
    missing = status(tmp_path / "missing.h5")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "missing.h5: no such file" in missing.stderr
    (tmp_path / "notes.h5").write_text("not hdf5")
    foreign = status(tmp_path / "notes.h5")
    assert foreign.returncode == 2 and "not an HDF5 file" in foreign.stderr
    interval = status(tmp_path / "notes.h5", "--watch", "--interval", "0")
    assert interval.returncode == 2 and "--interval" in interval.stderr
