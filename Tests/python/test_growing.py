"""Growing a sweep on an existing archive: more replicates, N and s in place (--resume), replicate
ranges run elsewhere and merged, merges across grids, refusal of another experiment, retries
and the crash limit, `plan --against`, and an archive written by an earlier alphasweep."""
import os
import re
import shutil
import subprocess

import h5py
import pytest

from conftest import REPO, SMOKE, bits, mpi_env, read_results, run_cli, run_mpi, sha256

OLD_ARCHIVE = REPO / "Tests" / "fixtures" / "smoke-written-by-8b93fa3.h5"


def spec(directory, name, **lines):
    """jobs/smoke.yaml with whole lines replaced by key (`seeds="replicates: 3..5"` replaces the seeds line)."""
    out = []
    for line in SMOKE.read_text().splitlines():
        key = line.split(":")[0]
        out.append(lines.pop(key) if key in lines else line)
    assert not lines, f"no such keys in smoke.yaml: {list(lines)}"
    path = directory / name
    path.write_text("\n".join(out) + "\n")
    return path


def science(path):
    """{task key: the bits of its result columns} of a results file."""
    return {key: (bits(r["test_loss"]), bits(r["train_loss"]), bits(r["lr"]), r["status"], int(r["lr_at_grid_edge"]))
            for key, r in read_results(path).items()}


def tasks_run(stderr):
    m = re.search(r"(\d+) tasks to run(?: \((\d+) already in)?", stderr)
    assert m, stderr
    return int(m.group(1)), int(m.group(2) or 0)


@pytest.fixture(scope="module")
def six(tmp_path_factory, alphasweep):
    """A single run of the smoke spec with 6 replicates: the reference every grown file must equal."""
    directory = tmp_path_factory.mktemp("six")
    grown = spec(directory, "six.yaml", seeds="seeds: 6")
    out = directory / "six.h5"
    run_cli("run", grown, "--out", out)
    return {"spec": grown, "file": out, "science": science(out)}


def test_three_to_six_replicates_by_resume_equals_a_six_replicate_run(tmp_path, six):
    archive = tmp_path / "archive.h5"
    run_mpi(3, "run", SMOKE, "--out", archive)
    before = science(archive)
    result = run_mpi(3, "run", six["spec"], "--out", archive, "--resume")
    assert tasks_run(result.stderr) == (120, 120), "only the 3 new replicates' tasks ran"
    after = science(archive)
    assert after == six["science"], "bitwise equal to a single 6-replicate run"
    assert all(after[k] == v for k, v in before.items()), "every existing row kept"
    with h5py.File(archive, "r") as f:
        grids = [g.decode() for g in f["provenance/grid"][()]]
        assert [e.decode() for e in f["provenance/event"][()]] == ["run", "resume"]
        assert "replicates: 0..2" in grids[0] and "replicates: 0..5" in grids[1]
        assert "replicates: 0..5" in f.attrs["grid"].decode()
        assert f.attrs["experiment_sha256"].decode()
    print(f"\n3 → 6 replicates by --resume under mpirun: ran 120 of 240 tasks, {len(after)} rows bitwise equal to a single run")


def test_an_n_and_an_s_added_in_place_equal_a_single_run_of_the_grown_spec(tmp_path):
    archive = tmp_path / "archive.h5"
    run_cli("run", SMOKE, "--out", archive)
    grown = spec(tmp_path, "grown.yaml", N="N: [8, 16, 32, 64, 128]", s="s: [0.75, 1.5, 2.0]")
    result = run_mpi(3, "run", grown, "--out", archive, "--resume")
    # 3 s × 5 N × 3 replicates × 5 optimizers = 225 tasks, 120 already there.
    assert tasks_run(result.stderr) == (105, 120)
    reference = tmp_path / "reference.h5"
    run_cli("run", grown, "--out", reference)
    assert science(archive) == science(reference)
    plan = run_cli("plan", grown, "--against", archive)
    assert "0 tasks to run" in plan.stdout, plan.stdout


def test_a_replicate_range_run_elsewhere_merged_with_the_archive_equals_the_full_run(tmp_path, six):
    archive = tmp_path / "archive.h5"
    run_cli("run", SMOKE, "--out", archive)
    later = spec(tmp_path, "later.yaml", seeds="replicates: 3..5")
    part = tmp_path / "part.h5"
    result = run_mpi(3, "run", later, "--out", part)
    assert tasks_run(result.stderr) == (120, 0)
    merged = tmp_path / "merged.h5"
    out = run_cli("merge", archive, part, "--out", merged)
    assert "warning" not in out.stdout, out.stdout
    assert science(merged) == six["science"]
    with h5py.File(merged, "r") as f:
        grids = [g.decode() for g in f["provenance/grid"][()]]
        assert any("replicates: 0..2" in g for g in grids) and any("replicates: 3..5" in g for g in grids)
    inspect = run_cli("inspect", merged)
    assert "240 of 240 done (complete)" in inspect.stdout, inspect.stdout
    assert "0..5  complete" in inspect.stdout, inspect.stdout


def test_merge_of_a_three_and_a_six_replicate_file_equals_the_six_replicate_run(tmp_path, six):
    three = tmp_path / "three.h5"
    run_cli("run", SMOKE, "--out", three)
    merged = tmp_path / "merged.h5"
    out = run_cli("merge", three, six["file"], "--out", merged)
    assert "120 identical duplicate rows collapsed" in out.stdout, out.stdout
    assert science(merged) == six["science"]


@pytest.mark.parametrize("key,line,shown", [("sigma", "sigma: 0.25", "sigma: archive 0.3, spec 0.25"),
                                            ("T", "T: 12", "T: archive 16, spec 12"),
                                            ("sampler", "sampler: direct", "sampler: archive joint, spec direct")])
def test_another_experiment_is_refused_naming_the_setting_and_nothing_is_written(tmp_path, key, line, shown):
    archive = tmp_path / "archive.h5"
    run_cli("run", SMOKE, "--out", archive)
    other = spec(tmp_path, "other.yaml", **{key: line, "seeds": "seeds: 6"})
    digest, listing = sha256(archive), sorted(p.name for p in tmp_path.iterdir())
    for args in (["run", other, "--out", archive, "--resume"], ["run", other, "--out", tmp_path / "x.h5", "--extend", archive],
                 ["plan", other, "--against", archive]):
        result = run_cli(*args, check=False)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and shown in lines[0] and str(archive) in lines[0], result.stderr
    assert sha256(archive) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
    theirs = tmp_path / "theirs.h5"
    run_cli("run", other, "--out", theirs)
    result = run_cli("merge", archive, theirs, "--out", tmp_path / "m.h5", check=False)
    assert result.returncode == 2 and "holds a different experiment" in result.stderr and key in result.stderr, result.stderr
    assert not (tmp_path / "m.h5").exists()


def test_extend_runs_only_the_missing_tasks_into_another_file(tmp_path, six):
    archive = tmp_path / "archive.h5"
    run_cli("run", SMOKE, "--out", archive)
    digest = sha256(archive)
    part = tmp_path / "new.h5"
    result = run_mpi(3, "run", six["spec"], "--out", part, "--extend", archive)
    assert tasks_run(result.stderr) == (120, 0)
    assert sha256(archive) == digest, "the archive is read, never changed"
    new = science(part)
    assert len(new) == 120 and all(key[3] >= 3 for key in new)
    assert all(six["science"][k] == v for k, v in new.items())


CRASHING = "(s=0.75, N=8, replicate=0)"


def test_a_task_that_crashes_its_worker_is_given_up_after_three_crashes_then_retried(tmp_path, six):
    out = tmp_path / "poison.h5"
    env = dict(mpi_env(), ALPHASWEEP_TEST_CRASH_INSTANCE=CRASHING)
    binary = str(REPO / ".build" / "release" / "alphasweep")
    for attempt in range(3):
        args = [binary, "run", SMOKE, "--out", out] + (["--resume"] if out.exists() else [])
        result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
        assert result.returncode == -9, f"attempt {attempt}: the worker (a thread of this process) dies: {result.stderr}"
        if attempt > 0:
            assert "counted as crashes" in result.stderr, result.stderr
    # Under mpirun too: the worker rank dies, the job ends, the task in flight is counted.
    final = subprocess.run([binary, "run", SMOKE, "--out", out, "--resume"], capture_output=True, text=True, env=env, timeout=300)
    assert final.returncode == 0, final.stderr
    assert "crashed its worker 3 times: recorded failed and skipped" in final.stderr, final.stderr
    rows = read_results(out)
    assert len(rows) == 120
    poisoned = {k: r for k, r in rows.items() if (k[1], k[2], k[3]) == (0.75, 8, 0)}
    assert len(poisoned) == 5
    assert all(r["status"] == "failed" and r["message"] == "crashed its worker 3 times" and r["attempts"] == 3
               for r in poisoned.values()), poisoned
    inspect = run_cli("inspect", out)
    assert "5 not ok" in inspect.stdout, inspect.stdout

    retried = run_cli("run", SMOKE, "--out", out, "--resume", "--retry-failed")
    assert tasks_run(retried.stderr) == (5, 115), retried.stderr
    rows = read_results(out)
    assert all(rows[k]["status"] == "ok" and rows[k]["attempts"] == 4 for k in poisoned)
    reference = {k: v for k, v in six["science"].items() if k[3] < 3}
    assert science(out) == reference, "after the retry: bitwise the single run"


def test_a_crash_under_mpirun_is_counted(tmp_path):
    out = tmp_path / "poison.h5"
    env = dict(mpi_env(), ALPHASWEEP_TEST_CRASH_INSTANCE=CRASHING)
    command = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2", "-x", "ALPHASWEEP_TEST_CRASH_INSTANCE",
               str(REPO / ".build" / "release" / "alphasweep"), "run", SMOKE, "--out", out]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode != 0, result.stderr
    with h5py.File(out, "r") as f:
        crashes = dict(zip([o.decode() for o in f["attempts/optimizer"][()]], f["attempts/crashes"][()])) \
            if "attempts" in f else {}
    journal = out.with_name(out.name + ".journal")
    if not crashes:   # rank 0 was killed before closing: the journal holds the work in flight
        assert journal.exists(), result.stderr
        resumed = run_cli("run", SMOKE, "--out", out, "--resume", env=dict(env), check=False)
        assert "counted as crashes" in resumed.stderr, resumed.stderr
    else:
        assert set(crashes.values()) == {1}, crashes


def test_failed_tasks_are_retried_on_request(tmp_path, six):
    out = tmp_path / "failing.h5"
    env = dict(mpi_env(), ALPHASWEEP_TEST_FAIL_INSTANCE=CRASHING)
    run_cli("run", SMOKE, "--out", out, env=env)
    rows = read_results(out)
    failed = [k for k, r in rows.items() if r["status"] == "failed"]
    assert len(failed) == 5 and all(rows[k]["attempts"] == 1 for k in failed)
    plain = run_cli("run", SMOKE, "--out", out, "--resume")
    assert tasks_run(plain.stderr) == (0, 120), "without --retry-failed nothing runs again"
    bad = run_cli("run", SMOKE, "--out", out, "--retry-failed", check=False)
    assert bad.returncode == 2 and "--retry-failed: needs --resume" in bad.stderr
    run_cli("run", SMOKE, "--out", out, "--resume", "--retry-failed")
    rows = read_results(out)
    assert all(rows[k]["status"] == "ok" and rows[k]["attempts"] == 2 for k in failed)
    assert science(out) == {k: v for k, v in six["science"].items() if k[3] < 3}


def test_analyze_reports_cells_with_different_replicate_counts(tmp_path):
    archive = tmp_path / "archive.h5"
    run_cli("run", SMOKE, "--out", archive)
    wider = spec(tmp_path, "wider.yaml", s="s: [2.0]", seeds="seeds: 2")
    run_cli("run", wider, "--out", archive, "--resume")
    import json
    rows = json.loads(run_cli("analyze", archive, "--format", "json", "--no-store", "--no-theory",
                              "--resamples", "200").stdout)
    counts = {(r["optimizer"], r["s"]): r["n_replicates"] for r in rows}
    assert counts[("GD", 2.0)] == 2 and counts[("GD", 0.75)] == 3, counts
    table = run_cli("analyze", archive, "--no-store", "--no-theory", "--resamples", "200")
    assert "cells differ in complete replicates (2…3)" in table.stdout + table.stderr
    assert "missing" not in table.stdout.lower(), "tasks outside both grids are not missing"


def test_an_archive_written_by_an_earlier_alphasweep_opens_and_grows(tmp_path):
    archive = tmp_path / "old.h5"
    shutil.copy(OLD_ARCHIVE, archive)
    old = science(archive)
    with h5py.File(archive, "r") as f:
        assert "experiment_sha256" not in f.attrs and "grid" not in f["provenance"]
    assert "120 of 120 done (complete)" in run_cli("inspect", archive).stdout
    run_cli("analyze", archive, "--no-store", "--no-theory", "--resamples", "200")
    grown = spec(tmp_path, "grown.yaml", seeds="seeds: 5")
    result = run_cli("run", grown, "--out", archive, "--resume")
    assert tasks_run(result.stderr) == (80, 120)
    now = science(archive)
    assert all(now[k] == v for k, v in old.items()), "the old rows are kept bitwise"
    fresh = tmp_path / "fresh.h5"
    run_cli("run", spec(tmp_path, "late.yaml", seeds="replicates: 3..4"), "--out", fresh)
    assert all(now[k] == v for k, v in science(fresh).items()), "the new rows are what this build computes"
    with h5py.File(archive, "r") as f:
        grids = [g.decode() for g in f["provenance/grid"][()]]
        assert "replicates: 0..2" in grids[0] and "replicates: 0..4" in grids[1], grids
    merged = tmp_path / "merged.h5"
    run_cli("merge", OLD_ARCHIVE, fresh, "--out", merged)
    assert len(read_results(merged)) == 200
