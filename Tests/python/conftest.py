"""Shared fixtures for the end-to-end tests: they drive the built binary as a user would."""
import hashlib
import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = REPO / ".build" / "release" / "alphasweep"
SMOKE = REPO / "jobs" / "smoke.yaml"


def mpi_env():
    env = dict(os.environ)
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMPI_MCA_btl", "self,vader")
    return env


@pytest.fixture(scope="session")
def alphasweep():
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `swift build -c release` first (make test does)")
    return str(BINARY)


def run_cli(*args, check=True, timeout=600, env=None, **kwargs):
    """Runs the binary with arguments; returns the CompletedProcess."""
    result = subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True,
                            timeout=timeout, env=env or mpi_env(), **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"alphasweep {' '.join(map(str, args))} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def run_mpi(np, *args, check=True, timeout=900, extra=()):
    """Runs the binary under mpirun with np ranks."""
    command = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(np), *extra,
               str(BINARY), *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=mpi_env())
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def read_results(path):
    """The /results table as {key: row dict}, key = (optimizer, s, N, replicate); asserts uniqueness."""
    import h5py
    with h5py.File(path, "r") as f:
        g = f["results"]
        columns = {name: g[name][()] for name in g}
    n = len(columns["s"])
    rows = {}
    for i in range(n):
        row = {}
        for name, values in columns.items():
            v = values[i]
            row[name] = v.decode() if isinstance(v, bytes) else v
        key = (row["optimizer"], float(row["s"]), int(row["N"]), int(row["replicate"]))
        assert key not in rows, f"{path}: task {key} appears twice"
        rows[key] = row
    return rows


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def bits(x):
    import struct
    return struct.pack("<d", float(x))


def swift_test_command(test_filter):
    """`swift test` for one test, reusing the release build `make test` made (a plain `swift test`
    after `swift build --build-tests` would rebuild everything)."""
    command = ["swift", "test", "-c", "release", "--filter", test_filter]
    if any((REPO / ".build" / "release").glob("*PackageTests.xctest")):
        command.append("--skip-build")
    return command
