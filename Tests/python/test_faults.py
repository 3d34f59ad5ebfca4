"""Fault injection: whatever happens to a sweep, no finished result is lost or recorded twice,
no results file is damaged, and `--resume` ends in the file an uninterrupted run writes.

Faults: kill -9 of the whole job at ten seeded moments, kill -9 of one worker rank, SIGTERM and
SIGUSR1 (to mpirun and to rank 0), a full disk (tmpfs) and a file-size limit (ulimit -f), a
results file truncated or corrupted on disk, two runs on one file, and tasks that diverge.
"""
import json
import math
import os
import pathlib
import random
import re
import resource
import shutil
import signal
import subprocess
import time

import h5py
import pytest

from conftest import SMOKE, bits, read_results, run_cli, sha256
from fault_helpers import (MPIRUN, BINARY, alphasweep_lines, assert_equal_to_reference, cli, dispatch_batches,
                           durable_state, in_flight_at_kill, kill_tree, mpi, mpi_env, parse_simple_spec,
                           rank_pids, read_journal, start_mpi, start_serial, wait_gone, write_spec)

NP = 3          # one coordinator, two workers
WORKERS = NP - 1


# ---------------------------------------------------------------------------------------------
# Fixtures

# The slow sweep's shape; its replicate count is calibrated so that the uninterrupted run keeps
# two workers busy for about SLOW_TASK_SECONDS / 2 on whatever machine runs the suite: a fixed
# size that lasted seconds once finished in under one after instances got faster.
SLOW_SHAPE = dict(T=64, n=8192, D=512, N="[16, 32, 64, 128]")
SLOW_TASK_SECONDS = 10.0
TASKS_PER_REPLICATE = 2 * 4 * 5   # s values × N values × optimizers


def task_seconds(stderr):
    m = re.search(r"task time ([0-9.]+) s", stderr)
    assert m, stderr
    return float(m.group(1))


@pytest.fixture(scope="module")
def slow(tmp_path_factory, alphasweep):
    """A sweep that lasts several seconds on two workers, and its uninterrupted run."""
    directory = tmp_path_factory.mktemp("faults")
    probe = write_spec(directory, "probe.yaml", seeds=8, **SLOW_SHAPE)
    probes = []
    for attempt in range(2):   # the faster of two: a probe slowed by other work sizes the sweep too short
        out = directory / f"probe{attempt}.h5"
        measured = mpi(NP, "run", probe, "--out", out, timeout=300)
        assert measured.returncode == 0, measured.stderr
        probes.append(task_seconds(measured.stderr) / 8)
        out.unlink()
    per_replicate = min(probes)
    seeds = max(20, min(300, math.ceil(SLOW_TASK_SECONDS / max(per_replicate, 1e-3))))
    spec = write_spec(directory, "slow.yaml", seeds=seeds, **SLOW_SHAPE)
    out = directory / "reference.h5"
    start = time.monotonic()
    result = mpi(NP, "run", spec, "--out", out, timeout=600)
    assert result.returncode == 0, result.stderr
    return {"spec": spec, "dir": directory, "reference": read_results(out), "seconds": time.monotonic() - start,
            "seeds": seeds, "batches": dispatch_batches(parse_simple_spec(spec.read_text()), WORKERS)}


@pytest.fixture(scope="module")
def smoke_reference(tmp_path_factory, alphasweep):
    out = tmp_path_factory.mktemp("faults-smoke") / "smoke.h5"
    run_cli("run", SMOKE, "--out", out)
    return out


def wait_for_rows(out, at_least, process, timeout=60):
    """Waits until the journal of `out` holds `at_least` durable rows (the sweep is under way)."""
    deadline = time.monotonic() + timeout
    journal = pathlib.Path(str(out) + ".journal")
    while time.monotonic() < deadline:
        if journal.exists() and len(read_journal(journal)[1]) >= at_least:
            return
        assert process.poll() is None, f"the run ended (exit {process.returncode}) before {at_least} rows"
        time.sleep(0.01)
    raise AssertionError(f"{out}: fewer than {at_least} rows after {timeout} s")


def resume(spec, out, np=NP):
    """`run --resume` (or a fresh run when the kill came before the file existed)."""
    args = ["run", spec, "--out", out] + (["--resume"] if out.exists() else [])
    result = mpi(np, *args, timeout=300)
    assert result.returncode == 0, result.stderr
    m = re.search(r"(\d+) tasks to run(?: \((\d+) already in)?", result.stderr)
    assert m, result.stderr
    return int(m.group(1)), int(m.group(2) or 0)


def assert_directory_clean(directory, keep):
    """Nothing but the results files left: no journal, lock or temporary after a clean close."""
    names = sorted(p.name for p in pathlib.Path(directory).iterdir())
    leftovers = [n for n in names if n not in keep and re.search(r"\.(journal|lock)$|\.tmp-\d+$", n)]
    assert not leftovers, leftovers


def print_table(capsys, title, header, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    with capsys.disabled():
        print(f"\n{title}")
        for row in [header] + rows:
            print("  " + "  ".join(str(x).rjust(w) for x, w in zip(row, widths)))


# ---------------------------------------------------------------------------------------------
# kill -9 of the whole job

def test_kill9_of_the_whole_job_at_ten_moments_then_resume(slow, tmp_path, capsys):
    """Ten SIGKILLs of mpirun and every rank at seeded moments; each resume completes the file
    bitwise equal to the uninterrupted run, every task once; the work lost is the work in flight."""
    rng = random.Random(20260606)
    total = len(slow["reference"])
    report = []
    for i in range(10):
        delay = round(rng.uniform(0.15, 0.95) * slow["seconds"], 3)
        out = tmp_path / f"kill{i}.h5"
        job = start_mpi(NP, "run", slow["spec"], "--out", out, "--log-interval", "0",
                        stderr_path=tmp_path / f"kill{i}.err")
        time.sleep(delay)
        pids = kill_tree(job.pid)
        job.wait(timeout=30)
        wait_gone(pids)

        durable, snapshot_rows, journal_rows = durable_state(out) if out.exists() else ({}, 0, 0)
        for key, row in durable.items():   # every durable row is a finished result, bitwise right
            assert key in slow["reference"], key
            assert bits(row["test_loss"]) == bits(slow["reference"][key]["test_loss"]), key
        flight = in_flight_at_kill(slow["batches"], durable.keys(), WORKERS)
        assert flight["lost_batches"] <= WORKERS, flight   # at most the batches the workers held
        assert flight["torn_batches"] == 0, flight

        to_run, already = resume(slow["spec"], out)
        assert already == len(durable), "resume must start from exactly what was durable at the kill"
        assert to_run + already == total
        assert_equal_to_reference(out, slow["reference"])
        assert_directory_clean(tmp_path, keep=[])
        report.append({"kill": i + 1, "delay_s": delay, "durable_at_kill": len(durable),
                       "in_snapshot": snapshot_rows, "in_journal": journal_rows,
                       "lost_in_flight": flight["lost_tasks"], "batches_in_flight": flight["lost_batches"],
                       "rerun_by_resume": to_run, "finished_lost": 0, "duplicated": 0})
    (tmp_path / "kill9-report.json").write_text(json.dumps(report, indent=1))
    print_table(capsys, f"kill -9 of the whole job ({NP} ranks, {total} tasks; reference run {slow['seconds']:.1f} s)",
                ["kill", "delay s", "durable", "snapshot", "journal", "lost in flight ≤", "batches", "rerun",
                 "lost", "dup"],
                [[r["kill"], r["delay_s"], r["durable_at_kill"], r["in_snapshot"], r["in_journal"],
                  r["lost_in_flight"], r["batches_in_flight"], r["rerun_by_resume"], r["finished_lost"],
                  r["duplicated"]] for r in report])
    assert any(r["durable_at_kill"] > 0 for r in report) and any(r["durable_at_kill"] < total for r in report)


def test_crash_loop_through_checkpoints_never_loses_a_durable_row(tmp_path, capsys):
    """50 000 tiny tasks (D = 16, n = 16) on one rank, which records every instance's five
    rows as it goes: the journal is folded into a new snapshot whenever it holds ≥ 1000 rows
    and as many as the snapshot, so kills fall before, between and after checkpoints, journal
    resets and resume's own rewrite. Kill, resume, kill, …: what was durable stays durable,
    and the end equals an uninterrupted run."""
    tiny = dict(D="16", n="16", K="1", T="1", N="[2, 4]", seeds="100",
                s="[" + ", ".join(f"{0.5 + 0.01 * i:.2f}" for i in range(50)) + "]",
                adam_lr="{log10_min: -1.0, log10_max: 0.0, log10_step: 0.5}",
                matsign_lr="{log10_min: -1.0, log10_max: 0.0, log10_step: 0.5}")
    spec = write_spec(tmp_path, "tiny.yaml", **tiny)
    reference_path = tmp_path / "reference.h5"
    assert mpi(NP, "run", spec, "--out", reference_path, timeout=300).returncode == 0
    reference = read_results(reference_path)
    out = tmp_path / "loop.h5"
    rng = random.Random(7)
    durable_before, history = {}, []
    for attempt in range(6):
        args = ["run", spec, "--out", out] + (["--resume"] if out.exists() else [])
        job = start_serial(*args)
        time.sleep(rng.uniform(0.7, 2.0))
        pids = kill_tree(job.pid)
        job.wait(timeout=30)
        wait_gone(pids)
        durable, in_snapshot, in_journal = durable_state(out) if out.exists() else ({}, 0, 0)
        lost = set(durable_before) - set(durable)
        assert not lost, f"kill {attempt + 1}: {len(lost)} rows that were durable are gone"
        for key, row in durable.items():
            assert bits(row["test_loss"]) == bits(reference[key]["test_loss"]), key
        history.append((attempt + 1, len(durable), in_snapshot, in_journal))
        durable_before = durable
    resume(spec, out)
    assert_equal_to_reference(out, reference)
    print_table(capsys, "crash loop, 50 000 tiny tasks on one rank (checkpoints at ≥ 1000 journal rows)",
                ["kill", "durable", "in snapshot", "in journal"], [list(h) for h in history])
    assert any(h[2] > 0 for h in history), "no kill came after a checkpoint: lengthen the delays"


# ---------------------------------------------------------------------------------------------
# kill -9 of one worker

def test_kill9_of_one_worker_ends_the_run_with_an_error_and_the_file_resumes(slow, tmp_path, capsys):
    out = tmp_path / "worker.h5"
    job = start_mpi(NP, "run", slow["spec"], "--out", out, stderr_path=tmp_path / "worker.err")
    ranks = rank_pids(job.pid, NP)
    wait_for_rows(out, 30, job)
    os.kill(ranks[2], signal.SIGKILL)
    killed = time.monotonic()
    try:
        code = job.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_tree(job.pid)
        pytest.fail("the job hung after a worker died")
    wait_gone(list(ranks.values()))
    stderr = (tmp_path / "worker.err").read_text()
    assert code != 0, stderr
    assert "rank 2" in stderr and "signal 9" in stderr, stderr   # mpirun says which rank died and why

    check = cli("inspect", out)                                    # the file is valid and readable
    assert check.returncode == 0, check.stderr
    durable, _, _ = durable_state(out)
    assert 30 <= len(durable) < len(slow["reference"])
    to_run, already = resume(slow["spec"], out)
    assert already == len(durable) and to_run + already == len(slow["reference"])
    assert_equal_to_reference(out, slow["reference"])
    with capsys.disabled():
        print(f"\nkill -9 of rank 2: job ended after {time.monotonic() - killed:.1f} s with exit {code}; "
              f"{len(durable)} rows durable, resume ran {to_run}, final file bitwise equal to the reference")


# ---------------------------------------------------------------------------------------------
# SIGTERM / SIGUSR1

@pytest.mark.parametrize("signum, target", [
    (signal.SIGTERM, "mpirun"), (signal.SIGUSR1, "mpirun"), (signal.SIGTERM, "rank0"), (signal.SIGUSR1, "rank0"),
], ids=["SIGTERM-mpirun", "SIGUSR1-mpirun", "SIGTERM-rank0", "SIGUSR1-rank0"])
def test_stop_signal_closes_the_file_within_five_seconds(slow, tmp_path, signum, target, capsys):
    out = tmp_path / "signal.h5"
    errors = tmp_path / "signal.err"
    job = start_mpi(NP, "run", slow["spec"], "--out", out, stderr_path=errors)
    ranks = rank_pids(job.pid, NP)
    wait_for_rows(out, 30, job)
    sent = time.monotonic()
    os.kill(job.pid if target == "mpirun" else ranks[0], signum)
    try:
        code = job.wait(timeout=20)
    except subprocess.TimeoutExpired:
        kill_tree(job.pid)
        pytest.fail(f"{signal.Signals(signum).name} to {target}: the job did not end within 20 s")
    seconds = time.monotonic() - sent
    stderr = errors.read_text()
    assert code == 1, stderr
    assert seconds <= 5, f"closing took {seconds:.1f} s"
    name = signal.Signals(signum).name
    assert f"stopped by {name}" in stderr and "--resume" in stderr, stderr
    assert not pathlib.Path(str(out) + ".journal").exists(), "the file was not closed (journal left)"
    assert not pathlib.Path(str(out) + ".lock").exists(), "the writer lock was not released"
    closed = read_results(out)   # a clean snapshot on its own
    assert 30 <= len(closed) < len(slow["reference"])
    to_run, already = resume(slow["spec"], out)
    assert already == len(closed)
    assert_equal_to_reference(out, slow["reference"])
    with capsys.disabled():
        print(f"\n{name} to {target}: closed in {seconds:.1f} s, exit {code}, {len(closed)} rows in a clean "
              f"snapshot, resume ran {to_run}, final file bitwise equal to the reference")


# ---------------------------------------------------------------------------------------------
# Disk full

@pytest.fixture
def small_tmpfs(tmp_path):
    directory = tmp_path / "tmpfs"
    directory.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(directory)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs ({mounted.stderr.strip()}); the ulimit -f test covers disk full")
    yield directory
    subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def assert_no_space_error(result_code, stderr, path):
    lines = alphasweep_lines(stderr)
    errors = [line for line in lines if "No space left" in line]
    assert result_code == 1, stderr
    assert len(errors) == 1 and str(path) in errors[0], lines
    assert "Fatal error" not in stderr


def assert_flushed_rows_intact(out, reference):
    durable, _, _ = durable_state(out)
    assert durable, "nothing was flushed before the disk filled"
    for key, row in durable.items():
        assert bits(row["test_loss"]) == bits(reference[key]["test_loss"]), key
    check = cli("inspect", out)
    assert check.returncode == 0, check.stderr
    assert f"{len(durable)} of {len(reference)} done" in check.stdout, check.stdout
    return durable


def test_disk_full_on_a_small_tmpfs(slow, small_tmpfs, capsys):
    out = small_tmpfs / "full.h5"
    result = mpi(NP, "run", slow["spec"], "--out", out, timeout=120)
    assert_no_space_error(result.returncode, result.stderr, small_tmpfs / "full.h5")
    durable = assert_flushed_rows_intact(out, slow["reference"])

    # Still full: resume must fail the same clear way and change nothing.
    before = {p.name: sha256(p) for p in small_tmpfs.iterdir()}
    again = mpi(NP, "run", slow["spec"], "--out", out, "--resume", timeout=120)
    assert again.returncode == 1 and "No space left" in again.stderr, again.stderr
    assert len(durable_state(out)[0]) == len(durable)
    assert {p.name: sha256(p) for p in small_tmpfs.iterdir() if p.name in before} == before

    subprocess.run(["mount", "-o", "remount,size=8m", str(small_tmpfs)], check=True)
    to_run, already = resume(slow["spec"], out)
    assert already == len(durable)
    assert_equal_to_reference(out, slow["reference"])
    with capsys.disabled():
        print(f"\ndisk full (96 KiB tmpfs): {[l for l in alphasweep_lines(result.stderr) if 'No space' in l][0]!r}; {len(durable)} rows intact; "
              f"resume while full refused the same way; after growing the tmpfs resume ran {to_run}, bitwise equal")


def test_file_size_limit_ulimit_f(slow, tmp_path, capsys):
    """A file-size limit (ulimit -f) on rank 0. It is set with prlimit once the ranks run:
    Open MPI's own start-up (PMIx shared-memory files) fails under a limit this small, so
    `ulimit -f 48` before mpirun never gets as far as alphasweep."""
    out = tmp_path / "limited.h5"
    limit = 48 * 1024
    errors = tmp_path / "limited.err"
    job = start_mpi(NP, "run", slow["spec"], "--out", out, stderr_path=errors)
    ranks = rank_pids(job.pid, NP)
    wait_for_rows(out, 1, job)   # past MPI_Init: the file and its journal exist
    resource.prlimit(ranks[0], resource.RLIMIT_FSIZE, (limit, limit))
    try:
        code = job.wait(timeout=120)
    except subprocess.TimeoutExpired:
        kill_tree(job.pid)
        pytest.fail("the run hung at the file-size limit")
    stderr = errors.read_text()
    assert_no_space_error(code, stderr, out)
    assert "File too large" in stderr
    durable = assert_flushed_rows_intact(out, slow["reference"])
    assert len(durable) < len(slow["reference"])
    to_run, already = resume(slow["spec"], out)
    assert already == len(durable)
    assert_equal_to_reference(out, slow["reference"])
    with capsys.disabled():
        print(f"\nfile-size limit 48 KiB: {[l for l in alphasweep_lines(stderr) if 'No space' in l][0]!r}; "
              f"{len(durable)} rows intact; resume ran {to_run}, bitwise equal")


# ---------------------------------------------------------------------------------------------
# Damaged results files

def _chunk_offsets(path):
    """Byte offsets inside the file of the first chunk of every dataset, and of /spec."""
    offsets = {}
    with h5py.File(path, "r") as f:
        offsets["spec"] = f["spec"].id.get_offset()
        for group in ("results", "provenance"):
            for name in f[group]:
                info = f[group][name].id.get_chunk_info(0)
                offsets[f"{group}/{name}"] = info.byte_offset + info.size // 2
    return {k: v for k, v in offsets.items() if v is not None}


def _damages(reference):
    data = pathlib.Path(reference).read_bytes()
    size = len(data)
    cases = [(f"truncated-to-{n}", data[:n]) for n in (0, 1, 100, 2048, size // 2, size - 1)]
    sampled = ("results/test_loss", "results/optimizer", "results/status", "provenance/event", "provenance/mpi_library")
    for name, offset in sorted(_chunk_offsets(reference).items()):
        if name not in sampled and name != "spec":
            continue
        damaged = bytearray(data)
        damaged[offset] ^= 0x5A
        cases.append((f"flip-in-{name}", bytes(damaged)))
    rng = random.Random(6)
    for _ in range(10):
        offset = rng.randrange(size)
        damaged = bytearray(data)
        damaged[offset] ^= 1 << rng.randrange(8)
        cases.append((f"flip-at-{offset}", bytes(damaged)))
    cases.append(("zeroed-block", data[:size // 3] + bytes(4096) + data[size // 3 + 4096:]))
    # Damaged link names: a failed lookup must not pass for "this optional group is absent".
    for name in (b"provenance", b"mpi_library", b"event", b"test_loss"):
        for offset in [m.start() for m in re.finditer(re.escape(name), data)]:
            damaged = bytearray(data)
            damaged[offset + 1] ^= 0x01
            cases.append((f"flip-in-name-{name.decode()}@{offset}", bytes(damaged)))
    # Values changed behind HDF5's back (its own checksums rewritten, ours not): only the
    # crc32 attributes of /results, /provenance and /spec can tell.
    for target, value in (("results/test_loss", 0.125), ("provenance/mpi_library", b"tampered")):
        copy = pathlib.Path(reference).with_suffix(".tamper.h5")
        shutil.copy(reference, copy)
        with h5py.File(copy, "r+") as f:
            f[target][0] = value
        cases.append((f"rewritten-{target}", copy.read_bytes()))
        copy.unlink()
    return cases


def test_damaged_results_file_is_reported_never_crashes_never_overwritten(smoke_reference, tmp_path, capsys):
    """Each damaged copy goes through inspect, analyze, merge and run --resume. A command either
    reports the damage (exit 2, one line naming the file, the file unchanged) or, when the
    damage hit bytes that hold nothing, gives exactly the answer it gives for the intact file."""
    reference_rows = read_results(smoke_reference)
    intact_inspect = cli("inspect", smoke_reference).stdout
    intact_analysis = json.loads(cli("analyze", smoke_reference, "--format", "json", "--no-store",
                                     "--resamples", "200", "--no-theory").stdout)
    other = tmp_path / "other.h5"
    shutil.copy(smoke_reference, other)
    outcomes = []

    def attempt(label, damaged, command):
        path = tmp_path / "damaged.h5"
        for leftover in tmp_path.glob("damaged.h5*"):
            leftover.unlink()
        for leftover in tmp_path.glob("merged.h5*"):
            leftover.unlink()
        path.write_bytes(damaged)
        before = sha256(path)
        args = {"inspect": ["inspect", path],
                "analyze": ["analyze", path, "--format", "json", "--resamples", "200", "--no-theory"],
                "merge": ["merge", path, other, "--out", tmp_path / "merged.h5"],
                "resume": ["run", SMOKE, "--out", path, "--resume"]}[command]
        result = cli(*args, timeout=60)
        lines = [l for l in result.stderr.splitlines() if l.startswith("alphasweep:") and "progress" not in l]
        assert result.returncode in (0, 2), f"{label} {command}: exit {result.returncode}: {result.stderr}"
        assert "Fatal error" not in result.stderr, f"{label} {command} crashed: {result.stderr}"
        if result.returncode == 2:
            assert len(result.stderr.strip().splitlines()) == 1, f"{label} {command}: {result.stderr}"
            assert str(path) in lines[0], f"{label} {command}: the message does not name the file: {lines[0]}"
            assert sha256(path) == before, f"{label} {command}: the damaged file was changed"
            assert not (tmp_path / "merged.h5").exists()
            outcomes.append((label, command, "refused", lines[0].split(": ", 2)[-1][:70]))
            return
        # Exit 0: the damage must have been harmless, the answer the intact file's.
        if command == "inspect":
            def normal(text):
                return text.replace(str(smoke_reference), "F").replace(str(path), "F")
            assert normal(result.stdout) == normal(intact_inspect), label
        elif command == "analyze":
            assert json.loads(result.stdout) == intact_analysis, label
        elif command == "merge":
            assert read_results(tmp_path / "merged.h5").keys() == reference_rows.keys()
            with h5py.File(tmp_path / "merged.h5") as merged, h5py.File(smoke_reference) as intact:
                for name in intact["provenance"]:
                    assert list(merged["provenance"][name][()][:1]) == list(intact["provenance"][name][()]), (label, name)
        elif command == "resume":
            with h5py.File(path) as resumed, h5py.File(smoke_reference) as intact:
                for name in intact["provenance"]:
                    assert list(resumed["provenance"][name][()][:1]) == list(intact["provenance"][name][()]), (label, name)
            assert "0 tasks to run" in result.stderr
        outcomes.append((label, command, "harmless", ""))

    cases = _damages(smoke_reference)
    for label, damaged in cases:
        for command in ("inspect", "analyze", "merge", "resume"):
            attempt(label, damaged, command)
    refused = sum(1 for o in outcomes if o[2] == "refused")
    summary = {}
    for label, command, verdict, _ in outcomes:
        summary.setdefault(label, {})[command] = verdict
    print_table(capsys, f"damaged results files: {len(cases)} damages × 4 commands, {refused} refused, "
                        f"{len(outcomes) - refused} harmless (identical answers), 0 crashes, 0 overwritten",
                ["damage", "inspect", "analyze", "merge", "resume", "message"],
                [[label, v.get("inspect"), v.get("analyze"), v.get("merge"), v.get("resume"),
                  next((o[3] for o in outcomes if o[0] == label and o[3]), "")] for label, v in summary.items()])
    assert all(summary[f"truncated-to-{n}"]["resume"] == "refused" for n in (0, 1, 100, 2048))


def test_damaged_journal_tail_is_reported_and_resume_recovers(slow, tmp_path):
    """A journal with a damaged record (a crash mid-write, or a bad sector): readers keep the
    rows before it and say what they ignored; resume reruns the rest and ends bitwise equal."""
    out = tmp_path / "journal.h5"
    job = start_mpi(NP, "run", slow["spec"], "--out", out)
    wait_for_rows(out, 60, job)
    pids = kill_tree(job.pid)
    job.wait(timeout=30)
    wait_gone(pids)
    journal = pathlib.Path(str(out) + ".journal")
    data = bytearray(journal.read_bytes())
    _, rows, _ = read_journal(journal)
    middle = 84 + (len(data) - 84) // 2
    data[middle] ^= 0xFF
    journal.write_bytes(bytes(data))
    _, kept, ignored = read_journal(journal)
    assert 0 < len(kept) < len(rows) and ignored > 0

    check = cli("inspect", out)
    assert check.returncode == 0, check.stderr
    assert f"ignored {ignored} bytes" in check.stdout and "fails its checksum" in check.stdout, check.stdout
    result = mpi(NP, "run", slow["spec"], "--out", out, "--resume", timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"{len(kept)} already in" in result.stderr
    assert "journal" in result.stderr and f"{ignored} bytes" in result.stderr, \
        "resume must say that it drops a damaged journal tail"
    assert_equal_to_reference(out, slow["reference"])


# ---------------------------------------------------------------------------------------------
# Two runs on one file

def test_second_run_on_the_same_file_is_refused_and_the_first_completes(slow, tmp_path):
    seeds = 5 * slow["seeds"]   # a superset of the reference's replicates, running long enough
    spec = write_spec(tmp_path, "longer.yaml", seeds=seeds, **SLOW_SHAPE)
    out = tmp_path / "shared.h5"
    errors = tmp_path / "first.err"
    first = start_mpi(NP, "run", spec, "--out", out, stderr_path=errors)
    wait_for_rows(out, 15, first)
    commands = {
        "merge": [str(BINARY), "merge", str(out), str(slow["dir"] / "reference.h5"), "--out", str(tmp_path / "m.h5")],
        "run": [str(BINARY), "run", str(spec), "--out", str(out)],
        "run --resume": [str(BINARY), "run", str(spec), "--out", str(out), "--resume"],
        "mpirun run --resume": [*MPIRUN, "-np", "2", str(BINARY), "run", str(spec), "--out", str(out), "--resume"],
    }
    attempts = {name: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       env=mpi_env()) for name, command in commands.items()}
    results = {name: (p.wait(timeout=60), p.communicate()[1]) for name, p in attempts.items()}
    assert first.poll() is None, "the first run ended before the second ones were refused: use a longer sweep"
    for name, (code, stderr) in results.items():
        lines = alphasweep_lines(stderr)
        assert code == 2, (name, stderr)
        assert len(lines) == 1 and "in use" in lines[0] and str(out) in lines[0], (name, lines)
    assert first.wait(timeout=300) == 0, errors.read_text()
    assert not (tmp_path / "m.h5").exists()
    rows = read_results(out)
    assert len(rows) == seeds * TASKS_PER_REPLICATE and {key[3] for key in rows} == set(range(seeds))
    for key, row in slow["reference"].items():   # the first replicates are the reference's
        assert bits(rows[key]["test_loss"]) == bits(row["test_loss"]), key


# ---------------------------------------------------------------------------------------------
# Diverging tasks

def test_diverging_tasks_are_recorded_the_sweep_goes_on_and_analyze_excludes_them(tmp_path):
    """Adam with learning rates 10^200…10^201 overflows to a non-finite loss for every lr."""
    spec = write_spec(tmp_path, "diverge.yaml", adam_lr="{log10_min: 200, log10_max: 201, log10_step: 0.5}")
    out = tmp_path / "diverge.h5"
    result = mpi(NP, "run", spec, "--out", out, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = read_results(out)
    assert len(rows) == 120
    statuses = {key: row["status"] for key, row in rows.items()}
    assert all(s == "diverged" for key, s in statuses.items() if key[0] == "Adam")
    assert all(s == "ok" for key, s in statuses.items() if key[0] != "Adam")

    table = cli("analyze", out, "--resamples", "200", "--no-store")
    assert table.returncode == 0, table.stderr
    assert "excluded 24 diverged tasks" in table.stdout
    report = json.loads(cli("analyze", out, "--format", "json", "--resamples", "200", "--no-store").stdout)
    for entry in report:
        if entry["optimizer"] == "Adam":
            assert entry["excluded_diverged"] == 12 and entry["alpha"] is None
            assert any("diverged" in note for note in entry["notes"])
        else:
            assert entry["excluded_diverged"] == 0 and entry["alpha"] is not None


def test_finite_but_exploded_losses_are_kept_and_flagged_at_the_grid_edge(tmp_path):
    """lr = 10^8…10^9 makes Adam's loss explode to ~1e11–1e13 but stay finite: by the product's
    definition (SPEC-free: `diverged` means a non-finite loss) these are `ok` rows whose chosen
    lr sits at the grid edge, and analyze warns about the edge rather than excluding them."""
    spec = write_spec(tmp_path, "huge-lr.yaml", adam_lr="{log10_min: 8, log10_max: 9, log10_step: 0.5}")
    out = tmp_path / "huge.h5"
    assert mpi(NP, "run", spec, "--out", out, timeout=120).returncode == 0
    adam = [row for key, row in read_results(out).items() if key[0] == "Adam"]
    assert all(row["status"] == "ok" and row["lr_at_grid_edge"] == 1 for row in adam)
    assert min(row["test_loss"] for row in adam) > 1e6
    table = cli("analyze", out, "--resamples", "200", "--no-store", "--details").stdout
    assert "Adam s=0.75: 12 tasks chose a learning rate at the grid edge" in table
