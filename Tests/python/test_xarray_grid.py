"""The results file as a Python user opens it with xarray: `/grid` and `/analysis` are
netCDF-4 groups (HDF5 dimension scales), so h5netcdf and netCDF-C (through netCDF4) read
labelled arrays with coordinates; `/results` stays the flat table; files written before
`/grid` existed still open."""
import math
import shutil
import warnings

import numpy as np
import pytest

from conftest import REPO, SMOKE, read_results, run_cli, run_mpi

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")
netCDF4 = pytest.importorskip("netCDF4")
h5py = pytest.importorskip("h5py")

OLD_ARCHIVE = REPO / "Tests" / "fixtures" / "smoke-written-by-8b93fa3.h5"
OPTIMIZERS = ["GD", "Adam", "MatSign", "SqrtNG", "NG"]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory, alphasweep):
    """The smoke sweep (120 tasks) under mpirun, analysed (so /analysis exists)."""
    directory = tmp_path_factory.mktemp("xarray")
    out = directory / "smoke.h5"
    run_mpi(3, "run", SMOKE, "--out", out)
    run_cli("analyze", out)
    return out


def text(value):
    """A string element as xarray gives it: str (netCDF4), or bytes (h5netcdf reads the
    fixed-length, checksummed string variables as bytes)."""
    value = value.values.item() if hasattr(value, "values") else value
    return value.decode() if isinstance(value, bytes) else str(value)


def open_grid(path, engine):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no phony_dim warnings: every axis has a dimension
        return xr.open_dataset(path, group="grid", engine=engine).load()


@pytest.mark.parametrize("engine", ["h5netcdf", "netcdf4"])
def test_grid_opens_as_labelled_4d_arrays_equal_to_results(smoke, engine):
    ds = open_grid(smoke, engine)
    assert ds.test_loss.dims == ("optimizer", "s", "N", "replicate")
    assert list(ds.optimizer.values) == OPTIMIZERS
    assert list(ds.s.values) == [0.75, 1.5]
    assert list(ds.N.values) == [8, 16, 32, 64]
    assert list(ds.replicate.values) == [0, 1, 2]
    assert ds.attrs["Conventions"] == "CF-1.8"
    assert ds.N.attrs["long_name"] and ds.test_loss.attrs["units"] == "1"
    rows = read_results(smoke)
    assert len(rows) == 120
    for (optimizer, s, n, replicate), row in rows.items():
        cell = dict(optimizer=optimizer, s=s, N=n, replicate=replicate)
        for name in ("test_loss", "train_loss", "lr"):
            got, want = float(ds[name].sel(cell)), float(row[name])
            assert got == want or (math.isnan(got) and math.isnan(want)), (cell, name)
        assert text(ds.status.sel(cell)) == row["status"]
    # The user's first move from the issue works as written.
    mean = ds.test_loss.sel(optimizer="NG", s=1.5).mean("replicate")
    assert mean.dims == ("N",)
    want = [np.mean([rows[("NG", 1.5, n, r)]["test_loss"] for r in range(3)]) for n in (8, 16, 32, 64)]
    np.testing.assert_allclose(mean.values, want, rtol=1e-15)


def test_netcdf_c_reads_dimensions_and_coordinates(smoke):
    with netCDF4.Dataset(smoke) as f:
        grid = f["grid"]
        assert grid["test_loss"].dimensions == ("optimizer", "s", "N", "replicate")
        assert {name: len(d) for name, d in grid.dimensions.items()} == {"optimizer": 5, "s": 2, "N": 4, "replicate": 3}
        assert list(grid["optimizer"][:]) == OPTIMIZERS
        assert grid.getncattr("Conventions") == "CF-1.8"
        analysis = f["analysis"]
        assert analysis["alpha"].dimensions == ("optimizer", "s")
        assert analysis["curve_mean_loss"].dimensions == ("optimizer", "s", "N")


@pytest.mark.parametrize("engine", ["h5netcdf", "netcdf4"])
def test_analysis_alpha_is_a_labelled_2d_array_equal_to_the_json(smoke, engine):
    import json
    table = json.loads(run_cli("analyze", smoke, "--format", "json", "--no-store").stdout)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_dataset(smoke, group="analysis", engine=engine).load()
    assert ds.alpha.dims == ("optimizer", "s")
    assert ds.curve_mean_loss.dims == ("optimizer", "s", "N")
    for row in table:
        cell = dict(optimizer=row["optimizer"], s=row["s"])
        for name in ("alpha", "ci_low", "ci_high", "gap_vs_gd"):
            want = row[name]
            got = float(ds[name].sel(cell))
            assert (want is None and math.isnan(got)) or got == want, (cell, name)
        assert text(ds.ci_method.sel(cell)) == (row["ci_method"] or "")


def test_missing_tasks_are_nan_and_empty(tmp_path, smoke):
    """A grid grown by a fourth replicate, of which only one shard has run: the other
    shard's cells of replicate 3 hold NaN and ""."""
    grown = tmp_path / "grown.yaml"
    grown.write_text(SMOKE.read_text().replace("seeds: 3", "seeds: 4"))
    archive = tmp_path / "archive.h5"
    shutil.copy(smoke, archive)
    run_cli("run", grown, "--out", archive, "--resume", "--shard", "0/2")
    ds = open_grid(archive, "h5netcdf")
    assert list(ds.replicate.values) == [0, 1, 2, 3]
    done = read_results(archive)
    missing = [(o, s, n, 3) for o in OPTIMIZERS for s in (0.75, 1.5) for n in (8, 16, 32, 64)
               if (o, s, n, 3) not in done]
    assert missing, "the shard left some of replicate 3 to the other shard"
    for o, s, n, r in missing:
        cell = dict(optimizer=o, s=s, N=n, replicate=r)
        assert math.isnan(float(ds.test_loss.sel(cell))) and text(ds.status.sel(cell)) == ""


def test_a_file_written_before_grid_still_opens(tmp_path):
    old = tmp_path / "old.h5"
    shutil.copy(OLD_ARCHIVE, old)
    with h5py.File(old, "r") as f:
        assert "grid" not in f
    inspect = run_cli("inspect", old)
    assert "rows" in inspect.stdout
    run_cli("analyze", old, "--no-store")
    # h5netcdf still opens the flat table (on phony dimensions, as before).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flat = xr.open_dataset(old, group="results", engine="h5netcdf", phony_dims="sort")
    assert flat.sizes
