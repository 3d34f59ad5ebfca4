"""Helpers for the fault-injection, bad-input and limit tests.

Everything here drives or inspects the real binary from outside, as an operator would: spec
variants of jobs/smoke.yaml, a reader for the journal (its layout is documented in
Sources/ResultsFile/Journal/JournalFormat.swift), process-tree walks over /proc, and a
replica of the coordinator's deterministic batch schedule (Sources/Sweep/Schedule.swift,
Sources/Sweep/CostModel.swift) to count the work in flight when a job is killed.
"""
import math
import os
import pathlib
import re
import signal
import struct
import subprocess
import time
import zlib

from conftest import BINARY, SMOKE, bits, mpi_env

OPTIMIZERS = ["GD", "Adam", "MatSign", "SqrtNG", "NG"]  # canonical order (OptimizerKind.allCases)
MPIRUN = ["mpirun", "--oversubscribe", "--bind-to", "none"]


# ---------------------------------------------------------------------------------------------
# Specs

def spec_text(base=None, drop=(), extra="", **changes):
    """jobs/smoke.yaml (or `base`) with top-level keys replaced (`key=value` → `key: value`),
    removed (`drop`), and raw lines appended (`extra`)."""
    lines = (base if base is not None else SMOKE.read_text()).splitlines()
    out, seen = [], set()
    for line in lines:
        m = re.match(r"^([A-Za-z_0-9]+):", line)
        if m and m.group(1) in drop:
            continue
        if m and m.group(1) in changes:
            out.append(f"{m.group(1)}: {changes[m.group(1)]}")
            seen.add(m.group(1))
            continue
        out.append(line)
    missing = set(changes) - seen
    assert not missing, f"keys not in the base spec: {missing}"
    return "\n".join(out) + "\n" + extra


def write_spec(directory, name, **kwargs):
    path = pathlib.Path(directory) / name
    path.write_text(spec_text(**kwargs))
    return path


def parse_simple_spec(text):
    """The few fields the schedule replica needs, from a flow-style spec like smoke.yaml."""
    values = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z_0-9]+):\s*(.*?)\s*(#.*)?$", line)
        if m:
            values[m.group(1)] = m.group(2)

    def grid(text):
        inner = dict(part.split(":") for part in text.strip("{} ").split(","))
        return {k.strip(): float(v) for k, v in inner.items()}

    def flow_list(text):
        return [item.strip() for item in text.strip("[] ").split(",")]

    return {
        "D": int(values["D"]), "K": int(values["K"]), "n": int(values["n"]), "T": int(values["T"]),
        "N": sorted(int(v) for v in flow_list(values["N"])),
        "s": sorted(float(v) for v in flow_list(values["s"])),
        "seeds": int(values["seeds"]),
        "optimizers": [o for o in OPTIMIZERS if o in flow_list(values["optimizers"])],
        "adam_lr": grid(values["adam_lr"]), "matsign_lr": grid(values["matsign_lr"]),
    }


# ---------------------------------------------------------------------------------------------
# The coordinator's schedule, replicated (same floating-point operations in the same order)

def grid_count(g):
    lo, hi, step = g["log10_min"], g["log10_max"], g["log10_step"]
    if not (step > 0 and hi >= lo):
        return 0
    return int(math.floor((hi - lo) / step + 1e-9)) + 1


def unit_flops(spec, N, optimizers):
    """`CostModel.cost(N:optimizers:)` (Sources/Sweep/CostModel.swift), operation for operation."""
    n, d, k, rows, t = float(N), float(spec["D"]), float(spec["K"]), float(spec["n"]), float(spec["T"])
    m = n + k
    if spec.get("sampler", "joint") == "direct":
        sampling = m * m * d + 2 * rows * d * m + rows * m * m
        normals = n * d + d * k + rows * (d + k)
    else:
        sampling = m * m * d + m * m * m / 3 + rows * m * m + 2 * m * m * m
        normals = n * d + d * k + rows * m
    eigendecomposition = 8.0 / 3.0 * n * n * n + 4 * n * n * k
    evaluate = lambda groups: 2 * d * n * k * groups + 2 * n * n * k
    linear = 4 * n * n * k + evaluate(1)
    adam, sign = float(grid_count(spec["adam_lr"])), float(grid_count(spec["matsign_lr"]))
    per = {"GD": linear, "SqrtNG": linear, "NG": linear,
           "Adam": t * 2 * n * n * k * adam + evaluate(adam),
           "MatSign": t * sign * (8 * n * k * k + 20 * k * k * k) + 4 * n * n * k * sign + evaluate(sign)}
    total = 0.0
    for o in optimizers:
        total += per[o]
    return sampling + eigendecomposition + total + 20.0 * normals


def dispatch_batches(spec, workers, minimum_batch_flops=2e8):
    """The batches a fresh (not resumed, unsharded) run hands out, in dispatch order; each is a
    list of task keys. Dispatch i ≥ workers happens right after return i - workers is recorded,
    whichever worker it goes to, so this order does not depend on timing."""
    units = []
    for s in spec["s"]:
        for N in spec["N"]:
            for r in range(spec["seeds"]):
                units.append(((s, N, r), unit_flops(spec, N, spec["optimizers"])))
    order = sorted(range(len(units)), key=lambda i: (-units[i][1], i))
    queue = [units[i] for i in order]
    remaining = 0.0
    for _, flops in queue:
        remaining += flops
    batches, nxt = [], 0
    while nxt < len(queue):
        cap = remaining / float(2 * max(workers, 1))
        taken, flops = 0, 0.0
        for _, unit in queue[nxt:]:
            if taken > 0 and (flops >= minimum_batch_flops or flops + unit > cap):
                break
            flops += unit
            taken += 1
        batch = queue[nxt:nxt + taken]
        nxt += taken
        spent = 0.0
        for _, unit in batch:
            spent += unit
        remaining -= spent
        batches.append([(o, s, N, r) for (s, N, r), _ in batch for o in spec["optimizers"]])
    return batches


def in_flight_at_kill(batches, durable_keys, workers):
    """Work lost by a kill: tasks handed out (upper bound: the first `workers + k` batches when
    k batches came back) that are not durable. Also checks that the durable rows are whole
    batches (at most one torn by the kill) and that at most `workers` batches were lost."""
    durable = set(durable_keys)
    returned = [i for i, b in enumerate(batches) if any(key in durable for key in b)]
    partial = [i for i in returned if not all(key in durable for key in batches[i])]
    dispatched = min(len(batches), workers + len(returned))
    assert not returned or max(returned) < dispatched, "a durable row of a batch never handed out"
    lost_batches = [i for i in range(dispatched) if i not in set(returned) or i in partial]
    lost = sum(1 for i in range(dispatched) for key in batches[i] if key not in durable)
    return {"returned_batches": len(returned), "torn_batches": len(partial),
            "lost_batches": len(lost_batches), "lost_tasks": lost,
            "batch_sizes_lost": [len(batches[i]) for i in lost_batches]}


# ---------------------------------------------------------------------------------------------
# Results: snapshot + journal, as the tool's readers see them

JOURNAL_MAGIC = b"ASWEEPJ\n"


def read_journal(path):
    """(spec sha256, [row dict], ignored tail bytes) of FILE.h5.journal; ([], 0) when absent.
    Format version 1: every payload is a row; version 2: a kind byte first (1 row with
    `attempts`, 2 work handed out, 3 work interrupted: skipped here); version 3: as 2, rows
    also with `host`, `started_utc` and `peak_rss_bytes`."""
    path = pathlib.Path(path)
    if not path.exists():
        return None, [], 0
    data = path.read_bytes()
    if len(data) < 84:
        return None, [], len(data)
    assert data[:8] == JOURNAL_MAGIC, f"{path}: bad magic"
    version, header_size = struct.unpack_from("<II", data, 8)
    assert version in (1, 2, 3) and header_size == 84
    sha = data[16:80].decode()
    assert struct.unpack_from("<I", data, 80)[0] == zlib.crc32(data[:80]), f"{path}: header CRC"
    rows, offset = [], 84
    while offset + 8 <= len(data):
        (length,) = struct.unpack_from("<I", data, offset)
        if offset + 8 + length > len(data):
            break
        (crc,) = struct.unpack_from("<I", data, offset + 4 + length)
        if crc != zlib.crc32(data[offset:offset + 4 + length]):
            break
        p = data[offset + 4:offset + 4 + length]
        i = 1 if version >= 2 else 0
        if version >= 2 and p[0] != 1:
            offset += 8 + length
            continue

        def take(fmt):
            nonlocal i
            v = struct.unpack_from(fmt, p, i)
            i += struct.calcsize(fmt)
            return v[0]

        def short():
            nonlocal i
            n = p[i]
            i += 1 + n
            return p[i - n:i].decode()

        row = {"optimizer": short()}
        row["s"], row["N"], row["replicate"] = take("<d"), take("<q"), take("<q")
        row["test_loss"], row["train_loss"], row["lr"] = take("<d"), take("<d"), take("<d")
        row["lr_at_grid_edge"] = take("<B")
        row["status"] = short()
        n = take("<I")
        row["message"] = p[i:i + n].decode()
        i += n
        row["wall_seconds"], row["rank"] = take("<d"), take("<i")
        if version >= 2:
            row["attempts"] = take("<i")
        if version >= 3:
            row["host"], row["started_utc"], row["peak_rss_bytes"] = short(), short(), take("<q")
        assert i == len(p), f"{path}: record at {offset} has {len(p) - i} bytes left over"
        rows.append(row)
        offset += 8 + length
    return sha, rows, len(data) - offset


def snapshot_rows(path):
    """Rows of FILE.h5's /results as a list of dicts (duplicates kept, for counting)."""
    import h5py
    with h5py.File(path, "r") as f:
        g = f["results"]
        columns = {name: g[name][()] for name in g}
    out = []
    for i in range(len(columns["s"])):
        row = {}
        for name, values in columns.items():
            v = values[i]
            row[name] = v.decode() if isinstance(v, bytes) else v
        out.append(row)
    return out


def key_of(row):
    return (row["optimizer"], float(row["s"]), int(row["N"]), int(row["replicate"]))


def durable_state(path):
    """What survives on disk: {key: row} of snapshot ∪ journal, with a check that no task has
    two different results. Returns (rows, snapshot row count, journal row count)."""
    path = pathlib.Path(path)
    snap = snapshot_rows(path) if path.exists() else []
    _, journal, _ = read_journal(str(path) + ".journal")
    rows = {}
    for row in snap + journal:
        key = key_of(row)
        if key in rows:
            for column in ("test_loss", "train_loss", "lr"):
                assert bits(rows[key][column]) == bits(row[column]), f"{path}: conflicting rows for {key}"
        rows[key] = row
    return rows, len(snap), len(journal)


def assert_equal_to_reference(path, reference_rows):
    """Every task exactly once in /results, bitwise equal to the reference; no journal left."""
    snap = snapshot_rows(path)
    keys = [key_of(r) for r in snap]
    assert len(keys) == len(set(keys)), f"{path}: {len(keys) - len(set(keys))} duplicate rows"
    got = {key_of(r): r for r in snap}
    assert set(got) == set(reference_rows), (
        f"{path}: {len(set(reference_rows) - set(got))} tasks missing, {len(set(got) - set(reference_rows))} foreign")
    for key, ref in reference_rows.items():
        for column in ("test_loss", "train_loss", "lr"):
            assert bits(got[key][column]) == bits(ref[column]), f"{path}: {key} {column} differs"
        assert got[key]["status"] == ref["status"] and got[key]["lr_at_grid_edge"] == ref["lr_at_grid_edge"]
    assert not pathlib.Path(str(path) + ".journal").exists(), f"{path}: journal left after a clean close"


# ---------------------------------------------------------------------------------------------
# Processes

def _stat(pid):
    try:
        text = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = text[text.rindex(")") + 2:].split()
    return {"state": rest[0], "ppid": int(rest[1]), "pgid": int(rest[2])}


def alive(pid):
    st = _stat(pid)
    return st is not None and st["state"] not in ("Z", "X")


def descendants(pid):
    """Every process below `pid` (children, grandchildren, …), from a walk of /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st:
                children.setdefault(st["ppid"], []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def mpi_rank_of(pid):
    try:
        env = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    for item in env:
        if item.startswith(b"OMPI_COMM_WORLD_RANK="):
            return int(item.split(b"=", 1)[1])
    return None


def rank_pids(mpirun_pid, np, timeout=20):
    """{rank: pid} of the alphasweep processes of a job, once all `np` have started."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = {}
        for pid in descendants(mpirun_pid):
            rank = mpi_rank_of(pid)
            if rank is not None and alive(pid):
                found[rank] = pid
        if len(found) == np:
            return found
        time.sleep(0.02)
    raise AssertionError(f"the ranks of mpirun {mpirun_pid} did not all start within {timeout} s")


def kill_tree(root, sig=signal.SIGKILL):
    """Signals the whole job at once: the root, every descendant, and their process groups
    (Open MPI puts each rank in a group of its own)."""
    pids = [root] + descendants(root)
    groups = set()
    for pid in pids:
        st = _stat(pid)
        if st:
            groups.add(st["pgid"])
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    for group in groups:
        if group > 1 and group != os.getpgid(0):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                pass
    return pids


def wait_gone(pids, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not any(alive(p) for p in pids):
            return
        time.sleep(0.02)
    raise AssertionError(f"processes {[p for p in pids if alive(p)]} still alive after {timeout} s")


def start_mpi(np, *args, stderr_path=None):
    """Starts `mpirun -np NP alphasweep ARGS` in a session of its own; returns the Popen."""
    err = open(stderr_path, "w") if stderr_path else subprocess.DEVNULL
    return subprocess.Popen([*MPIRUN, "-np", str(np), str(BINARY), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=err, env=mpi_env(), start_new_session=True)


def start_serial(*args, stderr_path=None):
    """Starts `alphasweep ARGS` alone (one rank, no mpirun) in a session of its own."""
    err = open(stderr_path, "w") if stderr_path else subprocess.DEVNULL
    return subprocess.Popen([str(BINARY), *map(str, args)], stdout=subprocess.DEVNULL, stderr=err, env=mpi_env(),
                            start_new_session=True)


def cli(*args, timeout=120, **kwargs):
    return subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=mpi_env(), **kwargs)


def mpi(np, *args, timeout=120):
    return subprocess.run([*MPIRUN, "-np", str(np), str(BINARY), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=mpi_env())


def alphasweep_lines(stderr):
    """The lines alphasweep itself wrote (mpirun adds its own banners)."""
    return [line for line in stderr.splitlines() if line.startswith("alphasweep:")]


def tree_hashes(directory):
    """{relative path: sha256} of every file under a directory."""
    import hashlib
    out = {}
    for path in sorted(pathlib.Path(directory).rglob("*")):
        if path.is_file():
            out[str(path.relative_to(directory))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
