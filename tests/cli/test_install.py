"""A plain install works: the tests import the installed package, its data ship with it, and the ready scenarios
are found by name, listed by ``airmodel scenarios`` and copied out by ``airmodel scenarios copy``."""
import json
import shutil
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest

import airmodel
from airmodel.chemistry.box import load_box_config
from airmodel.cli import main
from airmodel.data import data_dir, packaged_scenario, resolve_scenario, scenario_names
from airmodel.ensemble import load_ensemble
from airmodel.files import read_toml_text
from airmodel.scenario import load, read_toml

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "src" / "airmodel"
#: Scenarios whose files name others (extends, include_controls, an ensemble's base).
WITH_REFERENCES = ("olympic_2008", "olympic_controls_check", "box/halve_nox")


def editable_install() -> bool:
    """Whether airmodel was installed with ``pip install -e`` (PEP 610's direct_url.json says so)."""
    text = distribution("airmodel").read_text("direct_url.json")
    return bool(text) and bool(json.loads(text).get("dir_info", {}).get("editable"))


def test_tests_import_the_installed_package():
    where = Path(airmodel.__file__).resolve()
    assert not (REPO / "airmodel").exists(), "the package lives in src/: a top-level airmodel/ would shadow it"
    if where.is_relative_to(SOURCE.resolve()):
        # the source tree is only acceptable as what pip installed in editable (development) mode
        assert editable_install(), f"airmodel was imported from the source tree ({where}), not the install"


def test_every_data_file_is_installed():
    if not SOURCE.is_dir() or data_dir().resolve() == (SOURCE / "data").resolve():
        pytest.skip("no separate source tree to compare the installed data with")
    source = {p.relative_to(SOURCE / "data") for p in (SOURCE / "data").rglob("*") if p.is_file()
              and "__pycache__" not in p.parts}
    installed = {p.relative_to(data_dir()) for p in data_dir().rglob("*") if p.is_file()}
    assert source <= installed, f"not installed: {sorted(map(str, source - installed))[:5]}"


def test_scenarios_lists_the_ready_scenarios(capsys):
    names = scenario_names()
    assert {"demo", "baseline_2008_08", "olympic_2008", "idealized/plume", "box/urban_voc_limited",
            "ensembles/olympic_regions_aug2008", "controls/olympic_beijing"} <= set(names)
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in names:
        assert f"  {name} " in out, name
        description = read_toml_text(packaged_scenario(name))["description"]
        assert description in out, name


def test_names_resolve_with_or_without_folder_and_suffix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plume = resolve_scenario("idealized/plume")
    assert plume.is_file() and plume.is_relative_to(data_dir())
    assert resolve_scenario("plume") == resolve_scenario("plume.toml") == plume
    assert resolve_scenario("urban_voc_limited") == resolve_scenario("box/urban_voc_limited")
    (tmp_path / "demo").write_text("")
    assert resolve_scenario("demo") == Path("demo"), "an existing file comes before a ready scenario"
    assert resolve_scenario("sub/missing.toml") == Path("sub/missing.toml"), "a path stays a path"
    assert load("demo_tracer")["run"] == load(packaged_scenario("demo_tracer"))["run"]


def test_unknown_name_exits_2_naming_the_ready_ones(tmp_path, capsys):
    out = tmp_path / "out.nc"
    assert main(["run", "no_such_scenario", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no_such_scenario" in err and "no ready scenario" in err
    for name in ("demo", "baseline_2008_08", "idealized/plume"):
        assert name in err
    assert not out.exists()
    assert main(["scenarios", "copy", "no_such_scenario", str(tmp_path / "x.toml")]) == 2
    assert "demo" in capsys.readouterr().err and not (tmp_path / "x.toml").exists()
    assert main(["box", "no_such_case", "-o", str(tmp_path / "b.csv")]) == 2
    assert "box/urban_voc_limited" in capsys.readouterr().err


def test_copy_writes_once_and_needs_force(tmp_path, capsys):
    dest = tmp_path / "mine.toml"
    assert main(["scenarios", "copy", "demo", str(dest)]) == 0
    packaged = packaged_scenario("demo").read_text(encoding="utf-8")
    assert dest.read_text(encoding="utf-8").endswith(packaged)
    dest.write_text("edited")
    assert main(["scenarios", "copy", "demo", str(dest)]) == 2
    assert "--force" in capsys.readouterr().err and dest.read_text() == "edited"
    assert main(["scenarios", "copy", "idealized/plume", str(dest), "--force"]) == 0
    assert read_toml(dest) == read_toml(packaged_scenario("idealized/plume"))
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"], "no temporary file is left behind"


@pytest.mark.parametrize("name", WITH_REFERENCES)
def test_a_copy_that_extends_another_loads_from_its_new_place(name, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dest = elsewhere / "copy.toml"
    assert main(["scenarios", "copy", name, str(dest)]) == 0
    monkeypatch.chdir(tmp_path)
    # the same merged content as the packaged file: extends and include_controls still find their files
    assert read_toml(dest) == read_toml(packaged_scenario(name))
    if name.startswith("box/"):
        assert load_box_config(dest)["box"] == load_box_config(name)["box"]
    else:
        assert load(dest)["run"] == load(name)["run"]


def test_a_copied_ensemble_finds_its_base(tmp_path):
    dest = tmp_path / "ensemble.toml"
    assert main(["scenarios", "copy", "ensembles/beijing_sectors_response", str(dest)]) == 0
    base = Path(read_toml_text(dest)["base"])
    assert base.is_absolute() and base == packaged_scenario("demo").resolve()
    assert load_ensemble(dest).base == load_ensemble("ensembles/beijing_sectors_response").base


def test_scenario_names_work_from_an_empty_folder(tmp_path):
    # the console script pip installed beside this Python, else the one on PATH
    command = shutil.which("airmodel", path=str(Path(sys.executable).parent)) or shutil.which("airmodel")
    if command is None:
        pytest.skip("the airmodel command is not on PATH")
    done = subprocess.run([command, "scenarios"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "idealized/plume" in done.stdout and list(tmp_path.iterdir()) == []

