"""Hostile yet realistic conditions: links and odd files where alphasweep writes, files that
declare more than they hold, tight memory, read-only archives as root, stop signals in the
middle of a task, crafted journals, and a seeded fuzz of the results-file reader. Every case:
exit 2 (bad input) or 1 (not enough of a resource) with one stderr line, in bounded time,
every pre-existing file byte-identical, no process left behind."""
import os
import pathlib
import random
import resource
import shutil
import signal
import stat
import struct
import subprocess
import time
import zlib

import h5py
import numpy as np
import pytest

from conftest import BINARY, SMOKE, mpi_env, read_results, run_cli
from fault_helpers import alphasweep_lines, spec_text


def snapshot(directory):
    """Every entry under a directory: its kind, link target or bytes (links are not followed)."""
    out = {}
    for path in sorted(pathlib.Path(directory).rglob("*")):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            out[str(path.relative_to(directory))] = ("link", os.readlink(path))
        elif stat.S_ISREG(st.st_mode):
            out[str(path.relative_to(directory))] = ("file", path.read_bytes())
        else:
            out[str(path.relative_to(directory))] = ("other", stat.S_IFMT(st.st_mode))
    return out


def refused(result, code, *fragments):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == code, f"exit {result.returncode}: {result.stderr}"
    assert len(lines) == 1 and lines[0].startswith("alphasweep: "), lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert "Backtrace" not in result.stderr and "Fatal error" not in result.stderr


def cli(*args, timeout=60, env=None, preexec_fn=None, cwd=None):
    return subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=env or mpi_env(), preexec_fn=preexec_fn, cwd=cwd)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, alphasweep):
    out = tmp_path_factory.mktemp("hostile") / "archive.h5"
    run_cli("run", SMOKE, "--out", out)
    return out


# ---------------------------------------------------------------------------------------------
# 1. Links and odd files where alphasweep writes: the rule is refuse (never follow)

SIDE_FILES = ["out.h5", "out.h5.lock", "out.h5.journal"]
COMMANDS = {
    "run": lambda ws, arch: ["run", SMOKE, "--out", ws / "out.h5"],
    "resume": lambda ws, arch: ["run", SMOKE, "--out", ws / "out.h5", "--resume"],
    "analyze": lambda ws, arch: ["analyze", ws / "out.h5", "--no-theory", "--resamples", "100"],
    "merge": lambda ws, arch: ["merge", arch, arch.parent / "copy.h5", "--out", ws / "out.h5"],
}


def plant(ws, name, kind, archive):
    """Puts a link (to a victim file), a dangling link, a FIFO or a directory at `name`."""
    victim = ws / "victim.txt"
    victim.write_text("precious\n")
    path = ws / name
    if name != "out.h5" and kind != "directory":
        shutil.copy(archive, ws / "out.h5")   # the results file itself is a good one
    if kind == "link":
        path.symlink_to(victim if name != "out.h5" else archive)
    elif kind == "dangling-link":
        path.symlink_to(ws / "does-not-exist")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()


@pytest.mark.parametrize("name", SIDE_FILES)
@pytest.mark.parametrize("kind", ["link", "dangling-link", "fifo", "directory"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_side_file_that_is_a_link_or_odd_is_refused_and_nothing_is_touched(tmp_path, archive, name, kind, command):
    shutil.copy(archive, archive.parent / "copy.h5")
    plant(tmp_path, name, kind, archive)
    if command == "run" and name == "out.h5":
        pass
    before, outside = snapshot(tmp_path), archive.read_bytes()
    result = cli(*COMMANDS[command](tmp_path, archive), timeout=60)
    assert result.returncode == 2, f"{command} with {name} a {kind}: {result.stderr}"
    assert len(alphasweep_lines(result.stderr)) == 1, result.stderr
    assert snapshot(tmp_path) == before, "every entry (links, their targets, the results file) unchanged"
    assert archive.read_bytes() == outside, "the archive a link points to is untouched"


@pytest.mark.parametrize("command", ["run", "resume", "analyze", "merge"])
def test_a_link_at_the_temporary_snapshot_or_journal_name_is_never_written_through(tmp_path, archive, command):
    """The temporary files are named FILE.h5.tmp-PID and FILE.h5.journal.tmp-PID. The child
    plants links at exactly those names between fork and exec (its pid is the binary's); the
    writer removes a name before creating it with O_EXCL|O_NOFOLLOW, so the link goes and its
    target stays as it was."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out.h5"
    if command in ("resume", "analyze"):
        shutil.copy(archive, out)
    args = {"run": ["run", SMOKE, "--out", out, "--quiet"], "resume": ["run", SMOKE, "--out", out, "--resume", "--quiet"],
            "analyze": ["analyze", out, "--no-theory", "--resamples", "100"],
            "merge": ["merge", archive, shutil.copy(archive, tmp_path / "copy.h5"), "--out", out]}[command]

    def plant():
        for name in (f"out.h5.tmp-{os.getpid()}", f"out.h5.journal.tmp-{os.getpid()}"):
            os.symlink(victim, tmp_path / name)

    result = cli(*args, timeout=120, preexec_fn=plant)
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "precious\n"
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name], "no temporary name left behind"
    assert len(read_results(out)) == 120


def test_figures_are_not_written_through_links(tmp_path, archive):
    figures = tmp_path / "figures"
    figures.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (figures / "loss_vs_N.svg").symlink_to(victim)
    copy = tmp_path / "a.h5"
    shutil.copy(archive, copy)
    run_cli("analyze", copy, "--no-store", "--no-theory", "--resamples", "100", "--figures", figures)
    assert victim.read_text() == "precious\n", "a figure replaces a link, never writes through it"
    assert (figures / "loss_vs_N.svg").is_file() and not (figures / "loss_vs_N.svg").is_symlink()


# ---------------------------------------------------------------------------------------------
# 2. Files that declare more than they hold

def crafted(path, archive, edit):
    shutil.copy(archive, path)
    with h5py.File(path, "r+") as f:
        edit(f)
    return path


def huge_rows(f):
    for name in list(f["results"]):
        dtype = f["results"][name].dtype
        del f["results"][name]
        f["results"].create_dataset(name, shape=(2 ** 40,), maxshape=(None,), chunks=(65536,), dtype=dtype)


def huge_string(f):
    del f["results"]["message"]
    f["results"].create_dataset("message", shape=(120,), dtype="S1000000000", chunks=(1,))


def huge_spec(f):
    del f["spec"]
    f.create_dataset("spec", shape=(), dtype="S1000000000")


def huge_provenance(f):
    del f["provenance"]["event"]
    f["provenance"].create_dataset("event", shape=(2 ** 38,), dtype="S8", chunks=(1024,))


@pytest.mark.parametrize("edit", [huge_rows, huge_string, huge_spec, huge_provenance], ids=lambda e: e.__name__)
@pytest.mark.parametrize("command", ["inspect", "analyze", "merge", "resume"])
def test_a_file_that_declares_more_than_it_holds_is_refused_without_allocating(tmp_path, archive, edit, command):
    bad = crafted(tmp_path / "bad.h5", archive, edit)
    assert bad.stat().st_size < 10_000_000
    args = {"inspect": ["inspect", bad], "analyze": ["analyze", bad, "--no-store"],
            "merge": ["merge", bad, archive, "--out", tmp_path / "m.h5"],
            "resume": ["run", SMOKE, "--out", bad, "--resume"]}[command]
    before = snapshot(tmp_path)
    limit = 2 << 30   # 2 GiB of address space: far below what the declared sizes would need
    result = cli(*args, timeout=60, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    refused(result, 2, str(bad))
    assert snapshot(tmp_path) == before


def test_readers_of_a_shard_of_a_fifty_million_task_sweep_need_little_memory(tmp_path):
    lines = {"D": "16", "K": "1", "n": "32", "T": "1", "N": "[2, 3, 4, 5, 6, 7, 8, 9, 10, 11]",
             "s": "[" + ", ".join(str(0.5 + i / 100) for i in range(100)) + "]", "seeds": "10000",
             "adam_lr": "{log10_min: 0, log10_max: 0, log10_step: 1}", "matsign_lr": "{log10_min: 0, log10_max: 0, log10_step: 1}"}
    spec = tmp_path / "huge.yaml"
    spec.write_text(spec_text(**lines))
    out = tmp_path / "shard.h5"
    started = time.monotonic()
    cli("run", spec, "--out", out, "--shard", "0/10000", "--quiet", timeout=300)
    run_seconds = time.monotonic() - started
    figures = {}
    for command in (["inspect", out], ["plan", spec, "--shards", "10000"], ["analyze", out, "--no-store", "--no-theory",
                                                                              "--resamples", "100", "--format", "csv"]):
        started = time.monotonic()
        result = subprocess.run(["/usr/bin/time", "-f", "%M", str(BINARY), *map(str, command)], capture_output=True, text=True,
                                timeout=300, env=mpi_env())
        assert result.returncode == 0, result.stderr
        figures[command[0]] = (time.monotonic() - started, int(result.stderr.strip().splitlines()[-1]) / 1024)
    print(f"\n5·10⁷-task spec, shard 0/10000 (5000 tasks): run {run_seconds:.1f} s; "
          + ", ".join(f"{k} {t:.1f} s {m:.0f} MiB" for k, (t, m) in figures.items()))
    assert figures["inspect"][1] < 300 and figures["plan"][1] < 300


# ---------------------------------------------------------------------------------------------
# 3. Tight memory

def test_every_address_space_limit_ends_the_run_at_once_or_lets_it_finish(tmp_path):
    """ulimit -v from far too small to ample: each run either is refused at once (exit 1, one
    line, nothing written) or finishes the smoke sweep; never a spin in OpenBLAS's allocator,
    a trap or a hang. The smallest limit must be refused and the largest must run."""
    outcomes = {}
    for mib in (150, 250, 350, 450, 600, 900):
        limit = mib << 20
        out = tmp_path / f"o{mib}.h5"
        started = time.monotonic()
        result = cli("run", SMOKE, "--out", out, "--quiet", timeout=180,
                     preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
        if result.returncode == 1:
            refused(result, 1, "ulimit -v", "raise the limit")
            assert time.monotonic() - started < 30, "refused at once, before any task"
            assert not out.exists() and not list(tmp_path.glob(f"o{mib}.h5*"))
        else:
            assert result.returncode == 0, f"ulimit -v {mib} MiB: exit {result.returncode}: {result.stderr}"
            assert len(read_results(out)) == 120
        outcomes[mib] = result.returncode
    print("\nulimit -v (MiB) → exit:", outcomes)
    assert outcomes[150] == 1 and outcomes[900] == 0, outcomes


def test_an_instance_larger_than_the_node_is_refused_naming_it(tmp_path):
    spec = tmp_path / "wide.yaml"
    # D·N alone is 69 GB: larger than any node this suite runs on.
    spec.write_text(spec_text(D="1048576", N="[16, 8192]", n="8192"))
    result = cli("run", spec, "--out", tmp_path / "o.h5")
    refused(result, 2, "N=8192", "GB", "each of the")
    assert not (tmp_path / "o.h5").exists()
    plan = cli("plan", spec)
    assert plan.returncode == 0 and "does not fit" in plan.stdout, plan.stdout


def test_sigterm_ends_a_one_rank_run_in_the_middle_of_a_task(tmp_path):
    spec = tmp_path / "long.yaml"
    spec.write_text(spec_text(D="4096", n="16384", N="[16, 2048]", seeds="2"))
    out = tmp_path / "long.h5"
    process = subprocess.Popen([str(BINARY), "run", spec, "--out", out, "--drain-seconds", "1"], stderr=subprocess.PIPE,
                               text=True, env=mpi_env())
    time.sleep(2.0)   # inside one of the first (N=2048) instances, seconds each
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 1, stderr
    assert time.monotonic() - sent < 8, "the drain time, then the task in flight is abandoned"
    assert "SIGTERM received" in stderr and "rerun with --resume" in stderr
    assert not out.with_name("long.h5.lock").exists() or not os.path.getsize(out.with_name("long.h5.lock"))
    run_cli("inspect", out)


def alphasweep_processes(marker):
    found = subprocess.run(["pgrep", "-f", f"alphasweep run .*{marker}"], capture_output=True, text=True).stdout.split()
    return [pid for pid in found if int(pid) != os.getpid()]


@pytest.fixture(scope="module")
def twenty_second_sweep(tmp_path_factory):
    """A sweep of about 20 s on 2 workers (N = 2048 instances take seconds each), and its
    single-process result."""
    directory = tmp_path_factory.mktemp("twenty")
    spec = directory / "mid.yaml"
    spec.write_text(spec_text(D="4096", n="16384", N="[256, 1024, 2048]", seeds="2"))
    reference = directory / "reference.h5"
    run_cli("run", spec, "--out", reference, "--quiet")
    return spec, read_results(reference)


@pytest.mark.parametrize("stop", [signal.SIGHUP, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_stopping_mpirun_ends_every_rank_soon_and_the_file_resumes(tmp_path, twenty_second_sweep, stop):
    """SIGHUP and SIGTERM to mpirun are forwarded as SIGTERM (drain, then end); after SIGKILL
    the ranks see their launcher gone. Either way no rank outlives mpirun by more than a few
    seconds, nothing writes after that, and the file resumes to the complete sweep."""
    spec, single = twenty_second_sweep
    out = tmp_path / f"stop-{stop.name}.h5"
    process = subprocess.Popen(["mpirun", "--oversubscribe", "-np", "3", str(BINARY), "run", spec, "--out", out,
                                "--drain-seconds", "2", "--quiet"], env=mpi_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(4.0)
    assert process.poll() is None, "the sweep outlasts the first seconds"
    process.send_signal(stop)
    process.wait(timeout=60)
    ended = time.monotonic()
    while alphasweep_processes(out.name) and time.monotonic() - ended < 15:
        time.sleep(0.2)
    assert alphasweep_processes(out.name) == [], "no rank outlives mpirun by more than 15 s"
    settled = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    time.sleep(1.5)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == settled, "nothing writes after the ranks are gone"
    run_cli("run", spec, "--out", out, "--resume", "--quiet")
    resumed = read_results(out)
    assert resumed.keys() == single.keys()
    for key, row in single.items():
        assert (resumed[key]["test_loss"], resumed[key]["train_loss"]) == (row["test_loss"], row["train_loss"]), key


# ---------------------------------------------------------------------------------------------
# 4. Read-only archives, also for root

def test_a_read_only_archive_is_not_rewritten_even_by_root(tmp_path, archive):
    copy = tmp_path / "ro.h5"
    shutil.copy(archive, copy)
    os.chmod(copy, 0o444)
    before = snapshot(tmp_path)
    result = cli("run", SMOKE, "--out", copy, "--resume")
    refused(result, 2, "ro.h5", "read-only")
    analyze = cli("analyze", copy, "--no-theory", "--resamples", "100")
    refused(analyze, 2, "ro.h5", "read-only")
    assert "--no-store" in analyze.stderr and analyze.stdout == "", "refused before any output, naming the way out"
    assert cli("analyze", copy, "--no-theory", "--resamples", "100", "--no-store").returncode == 0
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------------------------------
# 5. Crafted journals

def journal_record(payload):
    framed = struct.pack("<I", len(payload)) + payload
    return framed + struct.pack("<I", zlib.crc32(framed))


def row_payload(optimizer="GD", s=0.75, N=8, replicate=0, message="x", attempts=1):
    p = bytes([1]) + bytes([len(optimizer)]) + optimizer.encode() + struct.pack("<dqq", s, N, replicate)
    p += struct.pack("<ddd", 0.5, 0.25, 0.1) + bytes([0]) + bytes([2]) + b"ok"
    p += struct.pack("<I", len(message.encode())) + message.encode() + struct.pack("<di", 0.0, 1) + struct.pack("<i", attempts)
    return p


def with_journal(tmp_path, archive, records):
    copy = tmp_path / "j.h5"
    shutil.copy(archive, copy)
    with h5py.File(copy, "r") as f:
        sha = f.attrs["spec_sha256"]
    header = b"ASWEEPJ\n" + struct.pack("<II", 2, 84) + sha
    header += struct.pack("<I", zlib.crc32(header))
    (tmp_path / "j.h5.journal").write_bytes(header + b"".join(journal_record(r) for r in records))
    return copy


@pytest.mark.parametrize("row", [dict(s=float("nan")), dict(s=-1.0), dict(N=0), dict(replicate=-5), dict(optimizer="Lion"),
                                 dict(attempts=0)], ids=["nan-s", "negative-s", "zero-N", "negative-replicate",
                                                         "unknown-optimizer", "zero-attempts"])
def test_a_journal_row_no_task_can_have_is_refused(tmp_path, archive, row):
    copy = with_journal(tmp_path, archive, [row_payload(**row)])
    before = snapshot(tmp_path)
    refused(cli("inspect", copy), 2, "j.h5.journal", "cannot be decoded")
    refused(cli("run", SMOKE, "--out", copy, "--resume"), 2, "j.h5.journal")
    assert snapshot(tmp_path) == before


def test_a_journal_message_is_capped_like_any_other(tmp_path, archive):
    copy = with_journal(tmp_path, archive, [row_payload(N=128, message="m" * 100_000)])
    run_cli("run", SMOKE, "--out", copy, "--resume")
    rows = read_results(copy)
    long = [r for k, r in rows.items() if k[2] == 128]
    assert len(long) == 1 and len(long[0]["message"].encode()) <= 1024


# ---------------------------------------------------------------------------------------------
# 6. A seeded fuzz of the results-file reader

FUZZ_CASES = int(os.environ.get("ALPHASWEEP_FUZZ_FILES", "300"))


def test_fuzzed_results_files_are_read_or_refused_never_crash(tmp_path, archive, capsys):
    original = archive.read_bytes()
    rng = random.Random(20261201)
    outcomes = {"read": 0, "refused": 0}
    started = time.monotonic()
    for i in range(FUZZ_CASES):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            kind = rng.random()
            at = rng.randrange(len(data))
            if kind < 0.5:
                data[at] ^= 1 << rng.randrange(8)
            elif kind < 0.7:
                data[at:at + 8] = bytes(rng.randrange(256) for _ in range(8))
            elif kind < 0.8:
                data[at:at + 64] = bytes(64)
            elif kind < 0.9:
                data = data[:at]
                break
            else:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        path = tmp_path / f"f{i % 4}.h5"
        path.write_bytes(bytes(data))
        result = cli("inspect", path, timeout=60,
                     preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30)))
        assert result.returncode in (0, 2), f"case {i}: exit {result.returncode}\n{result.stderr[-2000:]}"
        if result.returncode == 2:
            assert len(alphasweep_lines(result.stderr)) == 1, result.stderr
        outcomes["read" if result.returncode == 0 else "refused"] += 1
    with capsys.disabled():
        print(f"\nresults-file fuzz: {FUZZ_CASES} mutated files through `inspect` in {time.monotonic() - started:.0f} s: "
              f"{outcomes['read']} read, {outcomes['refused']} refused, no crash")
