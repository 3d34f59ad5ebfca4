"""alphasweep on a real single-node Slurm: submit (job array + dependent merge), the batch
scripts' stop-and-resume, and submit's refusal of hostile values."""
import json
import os
import pathlib
import re
import signal
import subprocess
import time

import pytest

from slurm_fixture import (BINARY, REPO, SLURM_LOCAL, SMOKE, alphasweep_binary, assert_same_results,  # noqa: F401
                           local_slurm, multinode_cluster, netns_available, read_results)

SMOKE_TASKS = 120


def run_alphasweep(slurm, *args, check=True, timeout=1200, cwd=None):
    return slurm.run([BINARY, *args], check=check, timeout=timeout, cwd=cwd)


@pytest.fixture(scope="module")
def smoke_reference(tmp_path_factory, alphasweep_binary, local_slurm):
    """One uninterrupted run of jobs/smoke.yaml, outside Slurm."""
    out = tmp_path_factory.mktemp("reference") / "smoke.h5"
    run_alphasweep(local_slurm, "run", SMOKE, "--out", out)
    return out


def test_local_slurm_is_idle_and_up_is_idempotent(local_slurm):
    t0 = time.monotonic()
    again = subprocess.run(["bash", str(SLURM_LOCAL), "up"], capture_output=True, text=True,
                           env=local_slurm.env(ALPHASWEEP_SLURM_DIR=local_slurm.directory), timeout=120)
    assert again.returncode == 0, again.stderr
    assert "already up" in again.stderr
    assert time.monotonic() - t0 < 10
    assert local_slurm.run(["sinfo", "-h", "-o", "%T"]).stdout.split()[0] in {"idle", "mixed", "allocated"}
    env_file = (local_slurm.directory / "env").read_text()
    assert f"SLURM_CONF={local_slurm.conf}" in env_file


def test_submit_array_then_merge_equals_a_single_run(local_slurm, smoke_reference, tmp_path):
    marker = tmp_path / "pwned"
    # A directory name a shell would execute: every layer must pass it as one argument.
    out = tmp_path / f"sub mit $(touch {marker}); it's"
    t0 = time.monotonic()
    result = run_alphasweep(local_slurm, "submit", SMOKE, "--array", "3", "--out", out, "--time", "00:20:00",
                            cwd=tmp_path)
    array_id = int(re.search(r"array job (\d+)", result.stdout + result.stderr).group(1))
    merge_id = int(re.search(r"merge job (\d+)", result.stdout + result.stderr).group(1))

    merge_states = local_slurm.wait(merge_id, timeout=1800)
    elapsed = time.monotonic() - t0
    logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted((out / "logs").glob("*.out")))
    array_states = local_slurm.states(array_id)
    assert merge_states in (["COMPLETED"], []), f"merge job {merge_states}, array {array_states}\n{logs}"
    assert set(array_states) <= {"COMPLETED"}, logs
    print(f"\nsubmit --array 3 of smoke: shards + merge + analyze done {elapsed:.1f} s after submission")

    for i in range(3):
        shard = read_results(out / f"shard-{i}.h5")
        assert 0 < len(shard) < SMOKE_TASKS, f"shard {i} holds {len(shard)} tasks"
    merged = assert_same_results(smoke_reference, out / "merged.h5")
    assert len(merged) == SMOKE_TASKS

    import h5py
    with h5py.File(out / "merged.h5", "r") as f:
        assert "analysis" in f, "merged.h5 carries no /analysis"
    table = json.loads((out / "alpha.json").read_text())
    assert {row["optimizer"] for row in table} == {"GD", "Adam", "MatSign", "SqrtNG", "NG"}
    assert all("alpha" in row for row in table)
    assert any((out / "figures").iterdir())

    commands = (out / "submit-commands.txt").read_text().splitlines()
    assert len(commands) == 2
    assert commands[0].startswith("sbatch --parsable") and "--array=0-2" in commands[0]
    assert f"--dependency=afterok:{array_id}" in commands[1]
    assert not marker.exists()
    jobs = [line.split("\t") for line in (out / "jobs.tsv").read_text().splitlines()]
    assert [row[:4] for row in jobs] == [["array", str(array_id), "0", "0-2"], ["merge", str(merge_id), "0", "0-2"]]


def test_submit_throttles_the_array_with_max_running(local_slurm, smoke_reference, tmp_path):
    out = tmp_path / "throttled"
    result = run_alphasweep(local_slurm, "submit", SMOKE, "--array", "3", "--max-running", "1", "--out", out,
                            "--time", "00:20:00", cwd=tmp_path)
    array_id = int(re.search(r"array job (\d+)", result.stdout).group(1))
    merge_id = int(re.search(r"merge job (\d+)", result.stdout).group(1))
    assert "at most 1 running at once" in result.stdout, result.stdout
    shown = local_slurm.run(["scontrol", "show", "job", str(array_id)], check=False).stdout
    assert "ArrayTaskThrottle=1" in shown or not shown.strip(), shown
    most_running = 0
    deadline = time.monotonic() + 900
    while local_slurm.states(merge_id) and set(local_slurm.states(merge_id)) & {"PENDING", "RUNNING", "COMPLETING"}:
        assert time.monotonic() < deadline, local_slurm.states(array_id)
        most_running = max(most_running, local_slurm.states(array_id).count("RUNNING"))
        time.sleep(0.3)
    assert most_running <= 1, f"{most_running} shards ran at once under --max-running 1"
    assert "--array=0-2%1" in (out / "submit-commands.txt").read_text()
    assert len(assert_same_results(smoke_reference, out / "merged.h5")) == SMOKE_TASKS


def test_submit_splits_an_array_larger_than_the_clusters_max_array_size(smoke_reference, alphasweep_binary, tmp_path):
    """A cluster of its own with MaxArraySize=2: 5 shards become array jobs of shards 0-1, 2-3
    and 4, chained by --max-running 2, and the merge waits for all three."""
    reason = netns_available()
    if reason:
        pytest.skip(reason)
    settings = {"ALPHASWEEP_SLURM_DIR": "/tmp/alphasweep-slurm-maxarray", "ALPHASWEEP_SLURM_NS": "asm",
                "ALPHASWEEP_SLURM_NET": "10.77.5", "ALPHASWEEP_SLURM_MAX_ARRAY_SIZE": "2"}
    with multinode_cluster(settings, ["asmn1", "asmn2"]) as slurm:
        config = slurm.run(["scontrol", "show", "config"]).stdout
        assert re.search(r"(?m)^MaxArraySize\s*=\s*2$", config), config
        out = tmp_path / "split"
        result = slurm.run([BINARY, "submit", SMOKE, "--array", "5", "--max-running", "2", "--out", out,
                            "--time", "00:20:00"], cwd=tmp_path)
        assert "5 shards exceed MaxArraySize 2 (scontrol show config): 3 array jobs" in result.stdout, result.stdout
        arrays = [int(j) for j in re.findall(r"submitted array job (\d+)", result.stdout)]
        merge_id = int(re.search(r"merge job (\d+)", result.stdout).group(1))
        assert len(arrays) == 3
        states = slurm.wait(merge_id, timeout=900)
        logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted((out / "logs").glob("*.out")))
        assert states in (["COMPLETED"], []), logs
        for shard in range(5):
            assert f"shard {shard}/5 of" in logs, logs
        jobs = [line.split("\t")[:4] for line in (out / "jobs.tsv").read_text().splitlines()]
        assert jobs == [["array", str(arrays[0]), "0", "0-1"], ["array", str(arrays[1]), "2", "2-3"],
                        ["array", str(arrays[2]), "4", "4"], ["merge", str(merge_id), "0", "0-4"]], jobs
        commands = (out / "submit-commands.txt").read_text().splitlines()
        assert f"--dependency=afterany:{arrays[0]}" in commands[1] and f"--dependency=afterany:{arrays[1]}" in commands[2]
        assert len(assert_same_results(smoke_reference, out / "merged.h5")) == SMOKE_TASKS


def test_submit_extend_grows_an_archive_into_a_merged_file(local_slurm, tmp_path):
    """submit GROWN --extend ARCHIVE: the array runs only the missing tasks, balanced over K
    shards; the merge job merges them with the archive; the archive is never modified."""
    archive = tmp_path / "archive.h5"
    run_alphasweep(local_slurm, "run", SMOKE, "--out", archive)
    digest = archive.read_bytes()
    grown = tmp_path / "grown.yaml"
    grown.write_text(SMOKE.read_text().replace("seeds: 3", "seeds: 6"))
    reference = tmp_path / "reference.h5"
    run_alphasweep(local_slurm, "run", grown, "--out", reference)
    out = tmp_path / "grow"
    result = run_alphasweep(local_slurm, "submit", grown, "--array", "2", "--extend", archive, "--out", out,
                            "--time", "00:20:00", cwd=tmp_path)
    merge_id = int(re.search(r"merge job (\d+)", result.stdout + result.stderr).group(1))
    states = local_slurm.wait(merge_id, timeout=1800)
    logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted((out / "logs").glob("*.out")))
    assert states in (["COMPLETED"], []), logs
    for i in range(2):
        shard = read_results(out / f"shard-{i}.h5")
        assert 0 < len(shard) < SMOKE_TASKS and all(key[3] >= 3 for key in shard), f"shard {i}: {len(shard)} rows"
    merged = assert_same_results(reference, out / "merged.h5")
    assert len(merged) == 2 * SMOKE_TASKS
    assert archive.read_bytes() == digest, "the archive itself is never modified by a job"
    bad = run_alphasweep(local_slurm, "submit", grown, "--array", "2", "--extend", tmp_path / "none.h5",
                         "--out", tmp_path / "x", check=False)
    assert bad.returncode == 2 and "none.h5" in bad.stderr, bad.stderr


def test_sweep_sbatch_stopped_by_usr1_resumes_to_the_uninterrupted_result(local_slurm, alphasweep_binary, tmp_path):
    # Smoke with wider models and more replicates (about 20 s on one core), so that the job is
    # still running when the signal comes.
    text = SMOKE.read_text()
    for key, value in (("D", "1024"), ("N", "[128, 256, 512]"), ("seeds", "30")):
        text = re.sub(rf"(?m)^{key}:.*$", f"{key}: {value}", text)
    spec = tmp_path / "longer.yaml"
    spec.write_text(text)
    total = 2 * 3 * 30 * 5
    reference = tmp_path / "reference.h5"
    t0 = time.monotonic()
    run_alphasweep(local_slurm, "run", spec, "--out", reference)
    reference_seconds = time.monotonic() - t0

    out = tmp_path / "sweep.h5"
    env = local_slurm.env(SPEC=spec, OUT=out, ALPHASWEEP=BINARY, DRAIN_SECONDS=30)
    script = REPO / "jobs" / "sweep.sbatch"
    first = local_slurm.sbatch("--ntasks=2", "--time=00:20:00", script, env=env, cwd=tmp_path)
    local_slurm.wait(first, timeout=600, until=lambda s: s != ["PENDING"])
    # Mid-sweep: signal after about a third of the uninterrupted run's time (the job has one
    # worker, like the reference run); the assertions below check it was indeed mid-sweep.
    deadline = time.monotonic() + 300
    while not out.exists():  # the run created its results file
        assert local_slurm.states(first) == ["RUNNING"] and time.monotonic() < deadline, local_slurm.states(first)
        time.sleep(0.2)
    time.sleep(max(2.0, reference_seconds / 3))
    assert local_slurm.states(first) == ["RUNNING"], f"job {first} ended before the signal: make the spec longer"
    t_signal = time.monotonic()
    local_slurm.run(["scancel", "--signal=USR1", "--batch", str(first)])
    states = local_slurm.wait(first, timeout=600)
    stop_seconds = time.monotonic() - t_signal
    log = (tmp_path / f"alphasweep-{first}.out").read_text()
    assert states in (["FAILED"], []), f"{states}\n{log}"
    assert "received SIGUSR1" in log, log
    # 20 minutes left at the signal: a stop on request, not the time limit's warning.
    assert "stopped on request (SIGUSR1 with" in log and "requeueing" not in log, log

    partial = assert_same_results(reference, out, subset=True)
    assert 0 < len(partial) < total, f"{len(partial)} of {total} rows after the stop\n{log}"
    print(f"\nsweep.sbatch stopped {stop_seconds:.1f} s after USR1 with {len(partial)}/{total} tasks")

    second = local_slurm.sbatch("--ntasks=2", "--time=00:20:00", script, env=env, cwd=tmp_path)
    states = local_slurm.wait(second, timeout=1800)
    log = (tmp_path / f"alphasweep-{second}.out").read_text()
    assert states in (["COMPLETED"], []), f"{states}\n{log}"
    assert "resuming" in log
    assert len(assert_same_results(reference, out)) == total


@pytest.mark.parametrize("partition", ["debug; touch {marker}", "$(touch {marker})", "`touch {marker}`",
                                       "debug --wrap='touch {marker}'"])
def test_submit_refuses_a_hostile_partition_and_runs_nothing(local_slurm, alphasweep_binary, tmp_path, partition):
    marker = tmp_path / "pwned"
    out = tmp_path / "out"
    before = local_slurm.job_ids()
    result = run_alphasweep(local_slurm, "submit", SMOKE, "--array", "2", "--out", out,
                            "--partition", partition.format(marker=marker), check=False, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--partition" in result.stderr
    time.sleep(1)
    assert not marker.exists()
    assert not out.exists()
    assert local_slurm.job_ids() <= before


def widened_smoke(directory, seeds):
    """jobs/smoke.yaml with wider models: about 0.3–0.7 s of one core per replicate."""
    text = SMOKE.read_text()
    for key, value in (("D", "1024"), ("N", "[128, 256, 512]"), ("seeds", str(seeds))):
        text = re.sub(rf"(?m)^{key}:.*$", f"{key}: {value}", text)
    spec = directory / f"widened-{seeds}.yaml"
    spec.write_text(text)
    return spec


def wait_for_log(path, text, timeout, slurm, job):
    deadline = time.monotonic() + timeout
    while not (path.exists() and text in path.read_text()):
        assert time.monotonic() < deadline, f"no '{text}' in {path} after {timeout} s: {slurm.states(job)}"
        time.sleep(0.5)


# Slurm 22.05 may start the requeued job within seconds, while the old batch step is still
# being cleaned up; the new srun then fails to launch ("step aborted before step completely
# launched") yet exits 0. The batch script tells that from a finished run by the run's receipt
# and launches again (test_a_launch_that_ran_nothing_...), so the job no longer ends COMPLETED
# with the sweep unfinished.
def test_time_limit_stop_requeues_up_to_the_limit_and_says_why(local_slurm, alphasweep_binary, tmp_path):
    """--time=3 with the warning 170 s before the end: USR1 comes 10-40 s into each run (Slurm
    checks time limits every 30 s). ALPHASWEEP_REQUEUE_LIMIT=1: the first stop requeues the
    job, the second one does not."""
    spec = widened_smoke(tmp_path, 600)   # minutes of one core (with the heap policy and wishart-era speed-ups): outlasts two stops
    out = tmp_path / "limited.h5"
    env = local_slurm.env(SPEC=spec, OUT=out, ALPHASWEEP=BINARY, DRAIN_SECONDS=5, ALPHASWEEP_REQUEUE_LIMIT=1)
    script = REPO / "jobs" / "sweep.sbatch"
    job = local_slurm.sbatch("--ntasks=2", "--time=3", "--signal=B:USR1@170", script, env=env, cwd=tmp_path)
    log = tmp_path / f"alphasweep-{job}.out"
    wait_for_log(log, "requeueing", 240, local_slurm, job)
    text = log.read_text()
    assert "stopped by the time limit (SIGUSR1 with" in text, text
    assert "time-limit requeue 1 of 1" in text, text
    record = pathlib.Path(str(out) + ".requeues").read_text().splitlines()
    assert len(record) == 1 and f"job={job} time-limit requeue 1 of 1" in record[0], record
    # Slurm holds a requeued job for a while before it may start again: once the first run is
    # gone and the job is PENDING again, let it start now (a start while the old batch step is
    # still being cleaned up would be refused: "Job credential revoked").
    deadline = time.monotonic() + 120
    while local_slurm.states(job) != ["PENDING"] or rank_zero_of(out) is not None or "run exited" not in log.read_text():
        assert time.monotonic() < deadline, local_slurm.states(job)
        time.sleep(0.5)
    time.sleep(2)
    local_slurm.run(["scontrol", "update", f"JobId={job}", "StartTime=now"])
    while "RUNNING" not in local_slurm.states(job):
        assert time.monotonic() < deadline, local_slurm.states(job)
        time.sleep(0.5)
    shown = local_slurm.run(["scontrol", "show", "job", str(job)]).stdout
    assert "Comment=alphasweep: time-limit requeue 1 of 1" in shown, shown
    assert "Restarts=1" in shown, shown
    wait_for_log(log, "requeue limit reached", 240, local_slurm, job)
    states = local_slurm.wait(job, timeout=120)
    text = log.read_text()
    assert states in (["FAILED"], []), f"{states}\n{text}"
    assert text.count("resuming it") == 1, text
    assert len(pathlib.Path(str(out) + ".requeues").read_text().splitlines()) == 1
    done = read_results(out) if out.exists() else {}
    assert 0 < len(done) < 2 * 3 * 200 * 5, len(done)


def test_a_launch_that_ran_nothing_is_launched_again_and_never_completed(local_slurm, smoke_reference, tmp_path):
    """A step that exits 0 without running the sweep (what srun does when Slurm refuses the
    launch) is retried: here the binary's first step (SLURM_STEP_ID 0) is a wrapper that exits 0
    at once; the script must launch again and finish the sweep. With one attempt allowed the
    job fails instead of ending COMPLETED with nothing done."""
    wrapper = tmp_path / "first-step-runs-nothing"
    wrapper.write_text(f'#!/bin/sh\n[ "${{SLURM_STEP_ID:-}}" = 0 ] && exit 0\nexec {BINARY} "$@"\n')
    wrapper.chmod(0o755)
    script = REPO / "jobs" / "sweep.sbatch"
    for attempts, expected in ((3, "COMPLETED"), (1, "FAILED")):
        out = tmp_path / f"attempts-{attempts}.h5"
        env = local_slurm.env(SPEC=SMOKE, OUT=out, ALPHASWEEP=wrapper, ALPHASWEEP_LAUNCHER="srun",
                              ALPHASWEEP_LAUNCH_ATTEMPTS=attempts)
        job = local_slurm.sbatch("--ntasks=2", "--time=00:10:00", script, env=env, cwd=tmp_path)
        states = local_slurm.wait(job, timeout=300)
        log = (tmp_path / f"alphasweep-{job}.out").read_text()
        assert states in ([expected], []), f"{states}\n{log}"
        assert "the launcher exited 0 but the run did not finish" in log or attempts == 1, log
        assert not list(tmp_path.glob(f".{out.name}.receipt.*")), "receipt left behind"
        if expected == "COMPLETED":
            assert "launching again in 10 s (attempt 2 of 3)" in log, log
            assert "complete: 120 task(s) run into" in log, log
            assert len(assert_same_results(smoke_reference, out)) == SMOKE_TASKS
        else:
            assert "the launcher exited 0 but the run never finished (1 launch(es)): failing the job" in log, log
            assert not out.exists()


def test_run_receipt_must_be_an_existing_regular_file(alphasweep_binary, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "receipt-link"
    link.symlink_to(victim)
    for receipt, why in ((link, "symbolic link"), (tmp_path / "missing", "No such file"), (tmp_path, "")):
        result = subprocess.run([BINARY, "run", SMOKE, "--out", tmp_path / "r.h5", "--receipt", receipt],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, result.stderr
        assert "--receipt" in result.stderr and why in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert victim.read_text() == "precious\n"
    assert not (tmp_path / "r.h5").exists()


def rank_zero_of(out):
    """PID of rank 0 of the run writing `out` (its SLURM_PROCID is 0), or None."""
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if str(out) not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
            if os.readlink(entry / "exe") != str(BINARY.resolve()):
                continue
            if b"SLURM_PROCID=0" in (entry / "environ").read_bytes().split(b"\0"):
                return int(entry.name)
        except OSError:
            continue
    return None


@pytest.mark.parametrize("fault", ["crash", "scancel"])
def test_crash_and_cancel_are_told_from_a_time_limit_and_never_requeued(local_slurm, alphasweep_binary, tmp_path,
                                                                         fault):
    spec = widened_smoke(tmp_path, 30)
    out = tmp_path / f"{fault}.h5"
    env = local_slurm.env(SPEC=spec, OUT=out, ALPHASWEEP=BINARY, DRAIN_SECONDS=5, ALPHASWEEP_REQUEUE_LIMIT=3)
    job = local_slurm.sbatch("--ntasks=2", "--time=00:20:00", REPO / "jobs" / "sweep.sbatch", env=env, cwd=tmp_path)
    log = tmp_path / f"alphasweep-{job}.out"
    deadline = time.monotonic() + 120
    while rank_zero_of(out) is None or not out.exists():
        assert time.monotonic() < deadline and local_slurm.states(job) in (["PENDING"], ["RUNNING"]), \
            (local_slurm.states(job), log.read_text() if log.exists() else "")
        time.sleep(0.3)
    if fault == "crash":
        os.kill(rank_zero_of(out), signal.SIGKILL)
        expected = "without a stop request (a crash or bad input): not requeued"
    else:
        local_slurm.run(["scancel", str(job)])
        expected = "stopped by SIGTERM (scancel or preemption"
    wait_for_log(log, expected, 120, local_slurm, job)
    states = local_slurm.wait(job, timeout=120)
    text = log.read_text()
    assert "requeueing" not in text and "time limit" not in text, text
    assert not pathlib.Path(str(out) + ".requeues").exists()
    assert states in (["FAILED"], ["CANCELLED"], []), f"{states}\n{text}"


def test_status_shows_each_shard_and_resubmit_reruns_only_the_failed_one(local_slurm, smoke_reference, tmp_path):
    """3 shards, one at a time (--max-running 1); shard 2 is cancelled while it waits, which also
    removes the merge (its dependency can no longer be met). `status DIR` says so and names the
    command; `submit --resubmit DIR` runs shard 2 alone and a new merge."""
    out = tmp_path / "status"
    result = run_alphasweep(local_slurm, "submit", SMOKE, "--array", "3", "--max-running", "1", "--out", out,
                            "--time", "00:20:00", cwd=tmp_path)
    array_id = int(re.search(r"array job (\d+)", result.stdout).group(1))
    merge_id = int(re.search(r"merge job (\d+)", result.stdout).group(1))
    local_slurm.run(["scancel", f"{array_id}_2"])
    early = run_alphasweep(local_slurm, "status", out)
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(r"(?m)^(\d+)\s+(\w+)\s", early.stdout)}
    assert set(rows) == {0, 1, 2} and set(rows.values()) <= {"pending", "running", "done", "failed"}, early.stdout
    local_slurm.wait(array_id, timeout=600)
    local_slurm.wait(merge_id, timeout=120)

    status = run_alphasweep(local_slurm, "status", out)
    text = status.stdout
    rows = {int(m.group(1)): (m.group(2), m.group(3)) for m in re.finditer(r"(?m)^(\d+)\s+(\w+)\s+(\d+/\d+)", text)}
    assert rows[0][0] == "done" and rows[1][0] == "done" and rows[2][0] == "failed", text
    expected = sum(int(rows[i][1].split("/")[1]) for i in range(3))
    assert expected == SMOKE_TASKS, text
    assert rows[2][1].startswith("0/"), text
    assert f"{array_id}_2" in text and "CANCELLED" in text, text
    assert "alphasweep submit --resubmit" in text, text

    dry = run_alphasweep(local_slurm, "submit", "--resubmit", out, "--dry-run")
    assert "--array=2%1" in dry.stdout and "would resubmit shard(s) 2" in dry.stdout, dry.stdout
    again = run_alphasweep(local_slurm, "submit", "--resubmit", out)
    new_merge = int(re.search(r"merge job (\d+)", again.stdout).group(1))
    states = local_slurm.wait(new_merge, timeout=900)
    logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted((out / "logs").glob("*.out")))
    assert states in (["COMPLETED"], []), logs
    assert len(assert_same_results(smoke_reference, out / "merged.h5")) == SMOKE_TASKS
    # A line as jobs/array.sbatch appends it after a time-limit requeue of shard 0.
    (out / "shard-0.h5.requeues").write_text(f"2026-12-02T03:00:00 job={array_id}_0 time-limit requeue 1 of 3\n")
    final = run_alphasweep(local_slurm, "status", out).stdout
    assert re.search(r"(?m)^shards\s+3: 3 done, 0 running, 0 pending, 0 failed$", final), final
    assert re.search(r"(?m)^0\s+done\s.*requeued 1× after a time limit$", final), final
    assert "--resubmit" not in final, final
    nothing = run_alphasweep(local_slurm, "submit", "--resubmit", out)
    assert "nothing to resubmit" in nothing.stdout, nothing.stdout
    # A results file is not a directory: the file view answers.
    merged = run_alphasweep(local_slurm, "status", out / "merged.h5")
    assert re.search(r"(?m)^done\s+\d+ / \d+ tasks \(100\.0 %\)", merged.stdout), merged.stdout
    bad = run_alphasweep(local_slurm, "status", tmp_path, check=False)
    assert bad.returncode == 2 and "plan.json" in bad.stderr, bad.stderr
