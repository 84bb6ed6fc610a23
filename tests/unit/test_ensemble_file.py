"""Ensemble files: the members they generate, and clear errors (exit 2, nothing written) for bad ones."""
import json
import tomllib

import netCDF4
import pytest

from airmodel.cli import main
from airmodel.ensemble import MEMBER_RUN_OVERRIDES, load_ensemble, output_state
from airmodel.scenario import load

BASE_OVERRIDES = ["domain.resolution=0.5", "run.hours=2"]


def write(tmp_path, scenarios, body: str, name: str = "ens.toml"):
    path = tmp_path / name
    path.write_text(f'base = "{scenarios / "demo.toml"}"\n'
                    f"overrides = {json.dumps(BASE_OVERRIDES)}\n" + body, encoding="utf-8")
    return path


FULL = """
[[members]]
name = "windy"
overrides = ["meteorology.wind_scale=1.3"]

[[members]]
name = "hebei_industry_half"
controls = [{ name = "Hebei industry -50 %", region = "Hebei", sectors = ["industry"], reduction = 0.5 }]

[[contributions]]
name = "regions"
by = "region"
sources = ["Beijing", "Tianjin", "Hebei"]

[[contributions]]
name = "sectors"
by = "sector"
sources = ["transport", "industry"]
region = "Beijing"
pollutants = ["NOx"]
reduction = 0.2
together = false

[[sweeps]]
name = "depth"
regions = ["Beijing", "everywhere"]
sectors = ["all", "transport"]
reductions = [0.0, 0.5, 1.0]
"""


def test_generated_members(tmp_path, scenarios):
    ens = load_ensemble(write(tmp_path, scenarios, FULL))
    names = [m.name for m in ens.members]
    assert names[:3] == ["base", "windy", "hebei_industry_half"]
    assert names[3:7] == ["regions.Beijing", "regions.Tianjin", "regions.Hebei", "regions.together"]
    assert names[7:9] == ["sectors.transport", "sectors.industry"]
    # 2 regions x 2 sectors x 1 pollutant x 2 depths above 0 (0 is the base member)
    sweep = [n for n in names if n.startswith("depth.")]
    assert sweep == ["depth.Beijing.all.all.50", "depth.Beijing.all.all.100", "depth.Beijing.transport.all.50",
                     "depth.Beijing.transport.all.100", "depth.everywhere.all.all.50",
                     "depth.everywhere.all.all.100", "depth.everywhere.transport.all.50",
                     "depth.everywhere.transport.all.100"]
    together = ens.member("regions.together")
    assert [c["region"] for c in together.controls] == ["Beijing", "Tianjin", "Hebei"]
    assert all(c["reduction"] == 1.0 and "sectors" not in c for c in together.controls)
    (transport,) = ens.member("sectors.transport").controls
    assert transport == {"name": "ensemble: transport (NOx) in Beijing cut 20 %", "reduction": 0.2,
                         "region": "Beijing", "sectors": ["transport"], "pollutants": ["NOx"]}
    # the sweep's Beijing, all sectors, 100 % is the contributions' Beijing zero-out: run once
    same = ens.member("depth.Beijing.all.all.100")
    assert same.same_as == "regions.Beijing" and same.file == "members/regions.Beijing.nc"
    assert len(ens.runs()) == len(ens.members) - 1
    line = ens.sweeps[0].lines[0]
    assert line.points == [(0.0, "base"), (0.5, "depth.Beijing.all.all.50"), (1.0, "depth.Beijing.all.all.100")]
    assert ens.contributions[1].together is None and ens.contributions[1].reduction == 0.2


def test_member_scenario_is_the_base_with_overrides_and_controls(tmp_path, scenarios):
    """A member's scenario equals the base loaded by airmodel's own loader with the same overrides, plus its
    controls appended."""
    ens = load_ensemble(write(tmp_path, scenarios, FULL))
    windy = ens.member("windy")
    direct = load(scenarios / "demo.toml", BASE_OVERRIDES + ["meteorology.wind_scale=1.3"]
                  + list(MEMBER_RUN_OVERRIDES))
    assert tomllib.loads(windy.text) == tomllib.loads(direct.to_toml())
    same = tmp_path / "hebei_industry_half.toml"
    same.write_text(f'extends = "{scenarios / "demo.toml"}"\n'
                    '[[controls]]\nname = "Hebei industry -50 %"\nregion = "Hebei"\nsectors = ["industry"]\n'
                    'reduction = 0.5\n')
    direct = load(same, BASE_OVERRIDES + list(MEMBER_RUN_OVERRIDES))
    assert tomllib.loads(ens.member("hebei_industry_half").text) == tomllib.loads(direct.to_toml())
    assert ens.member("base").raw["controls"] == []


def test_output_state(tmp_path, scenarios):
    ens = load_ensemble(write(tmp_path, scenarios, FULL))
    base = ens.member("base")
    path = tmp_path / "base.nc"
    assert output_state(path, base.text) == "missing"
    with netCDF4.Dataset(path, "w") as ds:
        ds.setncattr("scenario", base.text.replace("progress = false", "progress = true"))
    assert output_state(path, base.text) == "complete"  # progress and threads do not change results
    assert output_state(path, ens.member("windy").text) == "different"
    path.write_text("not a netCDF file")
    assert output_state(path, base.text) == "different"


@pytest.mark.parametrize("body, message", [
    ('[[contributions]]\nname = "r"\nby = "regoin"\nsources = ["Hebei"]\n',
     "contributions[0].by: unknown value 'regoin'; choose one of: region, sector"),
    ('[[contributions]]\nname = "r"\nby = "region"\nsources = ["Hebie"]\n',
     "contributions[0].sources[0]: unknown region 'Hebie'"),
    ('[[contributions]]\nname = "s"\nby = "sector"\nsources = ["transprt"]\n',
     "sectors[0]: unknown sector 'transprt'; choose one of: power, industry"),
    ('[[contributions]]\nname = "r"\nby = "region"\nsources = ["Hebei"]\nreduction = 1.5\n',
     "contributions[0].reduction: 1.5 is out of range"),
    ('[[sweeps]]\nname = "d"\nreductions = [0.2, 1.2]\n', "sweeps[0].reductions[1]: 1.2 is not a fraction 0..1"),
    ('[[sweeps]]\nname = "d"\npollutants = ["PM1"]\nreductions = [0.5]\n',
     "pollutants[0]: unknown pollutant 'PM1'"),
    ('[[members]]\nname = "a"\noverrides = ["run.hourz=3"]\n', "member 'a'"),
    ('[[members]]\nname = "a"\n[[members]]\nname = "a"\n', "member name 'a' is used twice"),
    ('[[members]]\nname = "a b"\n', "members[0].name: 'a b' is not a valid member name"),
    ('[analysis]\nfocus_station = "9999A"\n', "analysis.focus_station: '9999A' is not in the station list"),
    ('[analysis]\nspinup = 24\n', "analysis: unknown key 'spinup'"),
    ('[[member]]\nname = "a"\n', "unknown key 'member'"),
])
def test_bad_ensemble_exit_2_nothing_written(tmp_path, scenarios, capsys, body, message):
    path = write(tmp_path, scenarios, body)
    out = tmp_path / "out"
    code = main(["ensemble", str(path), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err, err
    assert str(path) in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_bad_member_override_names_member_and_key(tmp_path, scenarios, capsys):
    path = write(tmp_path, scenarios, '[[members]]\nname = "slow"\noverrides = ["run.hours=\\"two\\""]\n')
    assert main(["ensemble", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "member 'slow'" in err and "run.hours: expected a number, got 'two'" in err, err


def test_missing_files(tmp_path, scenarios, capsys):
    assert main(["ensemble", str(tmp_path / "nope.toml"), "-o", str(tmp_path / "out")]) == 2
    assert "nope.toml: ensemble file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('base = "missing.toml"\n')
    assert main(["ensemble", str(bad), "-o", str(tmp_path / "out")]) == 2
    assert "missing.toml: scenario file not found" in capsys.readouterr().err
    bad.write_text("[[members]\n")
    assert main(["ensemble", str(bad), "-o", str(tmp_path / "out")]) == 2
    assert "bad.toml: not valid TOML" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_dry_run_lists_members_and_writes_nothing(tmp_path, scenarios, capsys):
    path = write(tmp_path, scenarios, FULL)
    assert main(["ensemble", str(path), "-o", str(tmp_path / "out"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "regions.together" in out and "(same as regions.Beijing)" in out
    assert not (tmp_path / "out").exists()
