"""The analysis commands on a nested run's files (docs/nesting.md): ``--domain NAME`` picks OUT.NAME.nc beside the
file given, ``compare --domain all`` compares two nested runs domain by domain into DIR/NAME, and an unknown domain
is refused (exit 2) naming the domains there."""
import pytest
import xarray as xr

from airmodel.cli import main
from airmodel.domains import domain_file, run_domains

SCENARIO = """\
[run]
progress = false
time_step = 600.0
start = "2008-08-08T00:00:00Z"
hours = 3

[domain]
resolution = 0.25
layer_interfaces = [0.0, 100.0, 500.0, 1500.0]
lon_min = 116.0
lat_min = 39.5
lon_max = 117.0
lat_max = 40.5

[parent]
name = "north"
lon_min = 115.0
lon_max = 118.0
lat_min = 39.0
lat_max = 41.0
resolution = 0.5

[meteorology]
source = "synthetic"

[species.O3]
units = "ppb"
molar_mass = 48.0
initial = 40.0
inflow = {inflow}

[output]
stations = "none"
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A base and a case (more ozone at the parent's edges), each nested: base.nc + base.north.nc."""
    folder = tmp_path_factory.mktemp("nested")
    out = {}
    for name, inflow in (("base", 40.0), ("case", 60.0)):
        (folder / f"{name}.toml").write_text(SCENARIO.format(inflow=inflow))
        out[name] = folder / f"{name}.nc"
        assert main(["run", str(folder / f"{name}.toml"), "-o", str(out[name])]) == 0
    return folder, out


def test_compare_every_domain(runs, capsys):
    folder, out = runs
    assert run_domains(out["base"]) == {"domain": out["base"], "north": folder / "base.north.nc"}
    assert main(["compare", str(out["base"]), str(out["case"]), "--domain", "all", "-o", str(folder / "cmp")]) == 0
    assert sorted(p.name for p in (folder / "cmp").iterdir()) == ["domain", "north"]
    # the parent's comparison is the parent files' own
    assert main(["compare", str(out["base"]), str(out["case"]), "--domain", "north", "-o",
                 str(folder / "cmp_north")]) == 0
    a = (folder / "cmp" / "north").iterdir()
    b = (folder / "cmp_north").iterdir()
    assert sorted(p.name for p in a) == sorted(p.name for p in b)
    with xr.open_dataset(domain_file(out["case"], "north")) as parent, xr.open_dataset(out["case"]) as inner, \
            xr.open_dataset(out["base"]) as base:
        assert parent.sizes["lon"] == 6 and inner.sizes["lon"] == 4
        # more ozone at the parent's edges reaches the inner domain through its boundary (within 3 h, from 1
        # degree away: the first of it)
        assert float(inner.O3.isel(time=-1).mean()) > float(base.O3.isel(time=-1).mean()) + 0.05


def test_unknown_domain_is_refused_naming_the_domains(runs, capsys):
    folder, out = runs
    code = main(["compare", str(out["base"]), str(out["case"]), "--domain", "d07", "-o", str(folder / "x")])
    err = capsys.readouterr().err
    assert code == 2 and "d07" in err and "domain, north" in err and "Traceback" not in err
    assert not (folder / "x").exists()
    code = main(["report", str(out["base"]), "--domain", "d07", "-o", str(folder / "r.html")])
    assert code == 2 and "d07" in capsys.readouterr().err
    assert main(["report", str(out["base"]), "--domain", "north", "-o", str(folder / "r.html")]) == 0
    assert "north" in (folder / "r.html").read_text() or (folder / "r.html").stat().st_size > 0
