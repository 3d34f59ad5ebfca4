"""The MPI sweep end to end: any rank count gives the same file; resume completes a partial one."""
import pathlib

import pytest

from conftest import SMOKE, bits, read_results, run_cli, run_mpi, sha256


@pytest.fixture(scope="module")
def reference(tmp_path_factory, alphasweep):
    out = tmp_path_factory.mktemp("ref") / "np1.h5"
    run_mpi(1, "run", SMOKE, "--out", out)
    return out


def assert_same_results(a, b):
    ra, rb = read_results(a), read_results(b)
    assert set(ra) == set(rb)
    for key in ra:
        for column in ("test_loss", "train_loss", "lr"):
            assert bits(ra[key][column]) == bits(rb[key][column]), f"{key} {column}: {ra[key][column]} vs {rb[key][column]}"
        assert ra[key]["status"] == rb[key]["status"]
        assert ra[key]["lr_at_grid_edge"] == rb[key]["lr_at_grid_edge"]


def test_reference_holds_every_task_once(reference):
    rows = read_results(reference)
    assert len(rows) == 120
    assert {k[0] for k in rows} == {"GD", "Adam", "MatSign", "SqrtNG", "NG"}
    assert all(r["status"] == "ok" for r in rows.values())


@pytest.mark.parametrize("np", [2, 4])
def test_any_rank_count_gives_bitwise_identical_results(reference, tmp_path, np):
    out = tmp_path / f"np{np}.h5"
    run_mpi(np, "run", SMOKE, "--out", out)
    assert_same_results(reference, out)
    ranks = {int(r["rank"]) for r in read_results(out).values()}
    assert ranks <= set(range(1, np)) and len(ranks) >= 1


def test_serial_without_mpirun_matches(reference, tmp_path):
    out = tmp_path / "serial.h5"
    run_cli("run", SMOKE, "--out", out)
    assert_same_results(reference, out)


def test_resume_completes_a_partial_file_bitwise(reference, tmp_path):
    out = tmp_path / "partial.h5"
    run_mpi(2, "run", SMOKE, "--out", out, "--shard", "1/2")
    partial = read_results(out)
    assert 0 < len(partial) < 120
    run_mpi(3, "run", SMOKE, "--out", out, "--resume")
    assert_same_results(reference, out)
    again = run_mpi(2, "run", SMOKE, "--out", out, "--resume")
    assert "0 tasks to run" in again.stderr
    assert_same_results(reference, out)


def test_resume_with_another_spec_is_refused_and_the_file_untouched(reference, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(SMOKE.read_text().replace("sigma: 0.3", "sigma: 0.5"))
    out = tmp_path / "copy.h5"
    out.write_bytes(pathlib.Path(reference).read_bytes())
    before = sha256(out)
    result = run_mpi(2, "run", other, "--out", out, "--resume", check=False)
    assert result.returncode == 2, result.stderr
    assert "holds a different experiment" in result.stderr and "sigma" in result.stderr
    assert sha256(out) == before


def test_existing_output_is_not_overwritten(reference, tmp_path):
    out = tmp_path / "exists.h5"
    out.write_bytes(pathlib.Path(reference).read_bytes())
    before = sha256(out)
    result = run_mpi(2, "run", SMOKE, "--out", out, check=False)
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert sha256(out) == before


def test_file_is_readable_by_h5py_pandas_and_h5dump(reference):
    import subprocess

    import h5py
    import pandas as pd
    with h5py.File(reference, "r") as f:
        frame = pd.DataFrame({name: f["results"][name][()] for name in f["results"]})
        attributes = dict(f.attrs)
        spec_text = f["spec"][()]
    assert len(frame) == 120
    for name in ("spec_sha256", "alphasweep_version", "created", "hdf5_version", "mpi_library", "blas_core",
                 "hostnames", "ranks"):
        assert name in attributes, name
    assert b"sigma" in (spec_text if isinstance(spec_text, bytes) else spec_text.encode())
    dump = subprocess.run(["h5dump", "-H", str(reference)], capture_output=True, text=True)
    assert dump.returncode == 0 and "test_loss" in dump.stdout
