"""``airmodel inventory summarize``: the table, the period, the CSV written atomically, and nothing on bad input."""
import csv
import io

import pytest

from airmodel.inventory_summary import COLUMNS, inventory_main, summarize
from airmodel.errors import InputError

SCENARIO = """
[run]
start = "2008-08-01T00:00:00Z"
hours = 24
time_step = 600.0

[domain]
lon_min = 116.0
lon_max = 117.0
lat_min = 39.5
lat_max = 40.5
layer_interfaces = [0.0, 50.0, 200.0, 1000.0]

[emissions]
point_files = ["stacks.csv"]
region_totals_files = ["totals.csv"]
year = 2008

[species.SO2]
units = "ug m-3"

[[controls]]
name = "power cut"
sectors = ["power"]
reduction = 0.5
start = "2008-08-01"
end = "2008-08-11"
"""


@pytest.fixture()
def scenario(tmp_path):
    (tmp_path / "s.toml").write_text(SCENARIO)
    (tmp_path / "stacks.csv").write_text(
        "id,name,sector,lon,lat,height[m],diameter[m],exit_velocity[m/s],exit_temperature[K],SO2[t/yr],CO2[kt/yr]\n"
        "S1,plant,power,116.42,39.93,150,5,15,400,3660,732\n"
        "S2,far,power,117.8,39.2,150,5,15,400,366,0\n")
    (tmp_path / "totals.csv").write_text("id,region,sector,proxy,SO2[t/yr],NOx[t/yr]\n"
                                         "A1,Langfang,industry,area,732,366\n")
    return tmp_path / "s.toml"


def row(rows, region, sector, pollutant):
    return next(r for r in rows if (r["region"], r["sector"], r["pollutant"]) == (region, sector, pollutant))


def test_summarize_by_region_sector_and_pollutant(scenario):
    rows = summarize(scenario, "2008-08-01/2008-08-11")  # the control's window: power halved
    assert set(rows[0]) == set(COLUMNS)
    beijing = row(rows, "Beijing", "power", "SO2")
    assert beijing["before_t"] > 0 and beijing["after_t"] == pytest.approx(0.5 * beijing["before_t"], rel=1e-12)
    assert beijing["days"] == 10 and beijing["change_percent"] == pytest.approx(-50.0, rel=1e-12)
    assert row(rows, "Beijing", "power", "CO2")["before_t"] > 0  # CO2 counted
    langfang = row(rows, "Hebei", "industry", "SO2")
    assert langfang["before_t_per_day"] == pytest.approx(2.0, rel=0.03)  # 732 t/yr; weekdays a little above
    assert 0 < langfang["outside_domain_t"] < langfang["after_t"]  # Langfang reaches past 117 E and below 39.5 N
    tianjin = row(rows, "Tianjin", "power", "SO2")  # S2 at 117.8 E, 39.2 N: Tianjin, outside the domain
    assert tianjin["outside_domain_t"] == tianjin["after_t"]
    total = row(rows, "all", "all", "SO2")
    assert total["before_t"] == pytest.approx(sum(r["before_t"] for r in rows if r["sector"] == "all"
                                                  and r["pollutant"] == "SO2" and r["region"] != "all"))


def test_default_period_is_the_inventory_year(scenario):
    rows = summarize(scenario)
    a1 = row(rows, "Hebei", "industry", "NOx")
    assert a1["before_t"] == pytest.approx(366.0, rel=1e-12) and a1["days"] == 366
    assert row(rows, "Beijing", "power", "SO2")["before_t"] == pytest.approx(3660.0, rel=1e-12)


def test_cli_prints_writes_csv_atomically_and_never_overwrites(scenario, tmp_path):
    out = tmp_path / "summary.csv"
    text = io.StringIO()
    assert inventory_main(["summarize", str(scenario), "--period", "run", "-o", str(out)], stdout=text) == 0
    printed = text.getvalue()
    assert "Beijing" in printed and "SO2" in printed and f"wrote {out}" in printed
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(COLUMNS) and any(r["pollutant"] == "CO2" for r in rows)
    before = out.read_text()
    with pytest.raises(InputError, match="exists; use --force"):
        inventory_main(["summarize", str(scenario), "-o", str(out)])
    assert out.read_text() == before
    inventory_main(["summarize", str(scenario), "-o", str(out), "--force"], stdout=io.StringIO())
    assert out.read_text() != before  # the year, not the run's day
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("args, message", [
    (["--period", "2008-08-01"], r"--period '2008-08-01': expected START/END"),
    (["--period", "2008-08-05/2008-08-01"], r"the end is not after the start"),
    (["--set", "emissions.point_files=[\"missing.csv\"]"], r"missing.csv: file not found"),
    (["--set", "controls.0.reduction=2"], r"controls\[0\] \(power cut\).reduction: 2 is out of range"),
])
def test_bad_input_writes_nothing(scenario, tmp_path, args, message):
    out = tmp_path / "never.csv"
    with pytest.raises(InputError, match=message):
        inventory_main(["summarize", str(scenario), "-o", str(out), *args], stdout=io.StringIO())
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
