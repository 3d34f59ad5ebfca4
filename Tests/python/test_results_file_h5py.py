"""A results file written by alphasweep's ResultsFile module, read as users will: h5py,
pandas and h5dump, with no alphasweep code and no custom decoding.

The file is written by the Swift test `ResultsFileTests.PythonHookTests` (it does nothing
unless ALPHASWEEP_RESULTS_H5PY_OUT names the output). Run from the package root:

    python3 -m pytest Tests/python/test_results_file_h5py.py
"""
import json
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from conftest import swift_test_command

h5py = pytest.importorskip("h5py")
pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
RESULT_COLUMNS = ["optimizer", "s", "N", "replicate", "test_loss", "train_loss", "lr",
                  "lr_at_grid_edge", "status", "message", "wall_seconds", "rank"]
OPTIMIZERS = ["GD", "Adam", "MatSign", "SqrtNG", "NG"]


@pytest.fixture(scope="module")
def results_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("h5py") / "results.h5"
    env = dict(os.environ, ALPHASWEEP_RESULTS_H5PY_OUT=str(out))
    run = subprocess.run(swift_test_command("ResultsFileTests.PythonHookTests"),
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert out.exists(), "the Swift hook did not write the file"
    expected = json.loads(Path(str(out) + ".expected.json").read_text())
    return out, expected


def results_frame(f):
    """A DataFrame of /results: strings decoded with h5py's asstr(), numbers as stored."""
    group = f["results"]
    return pd.DataFrame({name: group[name].asstr()[...] if group[name].dtype.kind == "S" else group[name][...]
                         for name in RESULT_COLUMNS})


def test_results_read_into_pandas(results_file):
    path, expected = results_file
    with h5py.File(path, "r") as f:
        df = results_frame(f)
        lengths = {name: f["results"][name].shape for name in RESULT_COLUMNS}
    assert set(lengths.values()) == {(expected["rows"],)}
    assert len(df) == expected["rows"]
    assert df["s"].dtype == np.float64 and df["test_loss"].dtype == np.float64
    assert df["N"].dtype == np.int64 and df["replicate"].dtype == np.int64
    assert df["lr_at_grid_edge"].dtype == np.int8 and df["rank"].dtype == np.int32
    assert set(df["optimizer"]) <= set(OPTIMIZERS)
    assert set(df["status"]) <= {"ok", "diverged", "failed"}
    assert (df.loc[df["status"] == "ok", "message"] == "").all()
    assert "Cholesky échoué — ∞ 🚀 (σ=0.3)" in set(df["message"])
    assert int(df["test_loss"].isna().sum()) == expected["nan_test_loss"]
    # Canonical task order: s, N, replicate, then optimizer in SPEC order; keys unique.
    order = list(zip(df["s"], df["N"], df["replicate"], df["optimizer"].map(OPTIMIZERS.index)))
    assert order == sorted(order) and len(set(order)) == len(order)


def test_datasets_are_chunked_compressed_checksummed_and_extendable(results_file):
    path, _ = results_file
    with h5py.File(path, "r") as f:
        for group in ("results", "provenance"):
            for name, ds in f[group].items():
                assert ds.chunks is not None, name
                assert ds.compression == "gzip" and ds.shuffle and ds.fletcher32, name
                assert ds.maxshape == (None,), name


def test_results_checksum_is_zlib_crc32_over_the_stored_columns(results_file):
    path, _ = results_file
    with h5py.File(path, "r") as f:
        crc = 0
        for name in RESULT_COLUMNS:
            crc = zlib.crc32(np.ascontiguousarray(f["results"][name][...]).tobytes(), crc)
        assert int(f["results"].attrs["crc32"]) == crc
        spec = f["spec"][()]
        assert int(f["spec"].attrs["crc32"]) == zlib.crc32(spec)


def test_spec_attributes_provenance_and_analysis(results_file):
    path, expected = results_file
    with h5py.File(path, "r") as f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        assert int(attrs["format_version"]) == 1
        assert len(attrs["spec_sha256"]) == 64
        assert int(attrs["rows"]) == expected["rows"]
        assert attrs["hostnames"] == "node1,node2" and int(attrs["ranks"]) == 4
        for name in ("alphasweep_version", "created", "hdf5_version", "mpi_library", "blas_core"):
            assert name in attrs
        assert f["spec"].asstr()[()].startswith("# sweep\n")
        provenance = pd.DataFrame({k: v.asstr()[...] for k, v in f["provenance"].items()})
        assert list(provenance["event"]) == ["run"]
        assert list(provenance["source_file"]) == [path.name]
        assert int(provenance["rows"][0]) == expected["rows"]
        analysis = f["analysis"]
        assert list(analysis["alpha"][...]) == [0.5, 0.75]
        assert list(analysis["optimizer"].asstr()[...]) == ["GD", "Adam"]
        assert analysis.attrs["method"].decode() == "OLS on log-log"


@pytest.mark.skipif(shutil.which("h5dump") is None, reason="h5dump (hdf5-tools) is not installed")
def test_h5dump_reads_header_and_data(results_file):
    path, _ = results_file
    header = subprocess.run(["h5dump", "-H", str(path)], capture_output=True, text=True)
    assert header.returncode == 0, header.stderr
    assert 'DATASET "test_loss"' in header.stdout and "H5T_IEEE_F64LE" in header.stdout
    full = subprocess.run(["h5dump", str(path)], capture_output=True, text=True)
    assert full.returncode == 0, full.stderr
