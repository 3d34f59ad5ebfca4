"""The xarray snippet of README.md, extracted and run as written on a fresh results file."""
import re
import runpy

import pytest

from conftest import REPO, SMOKE, run_cli

pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

MARKER = "<!-- readme-snippet: xarray"


def snippet():
    text = (REPO / "README.md").read_text()
    assert MARKER in text, "README.md has no xarray snippet"
    block = re.search(r"```python\n(.*?)```", text[text.index(MARKER):], flags=re.S)
    assert block, "no python block after the marker"
    return block.group(1)


def test_the_readme_xarray_snippet_runs_on_a_results_file(tmp_path, monkeypatch, capsys, alphasweep):
    code = snippet()
    assert 'xr.open_dataset("results.h5", group="grid", engine="h5netcdf")' in code
    run_cli("run", SMOKE, "--out", tmp_path / "results.h5")
    run_cli("analyze", tmp_path / "results.h5", "--resamples", "400")
    (tmp_path / "snippet.py").write_text(code)
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(tmp_path / "snippet.py"), run_name="__main__")
    out = capsys.readouterr().out
    print(out)
    assert re.search(r"^N\n8\s+\S+\n16\s", out, flags=re.M), out
    for optimizer in ("GD", "Adam", "MatSign", "SqrtNG", "NG"):
        assert re.search(rf"^{optimizer}\s+[-\d.]+\s+[-\d.]+$", out, flags=re.M), (optimizer, out)
    assert re.search(r"^NG\s+0\.\d+$", out, flags=re.M), out
