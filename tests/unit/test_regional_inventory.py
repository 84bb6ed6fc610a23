"""The regional default 2008 inventory: ``inventory summarize`` reproduces every province's total of the committed
files, lists every province the parent domain (108-125 E, 32-44 N) touches and every sector, and the industry split
keeps each province's industry total."""
import csv
from collections import defaultdict

import pytest
import shapely

from airmodel.data import data_path
from airmodel.emissions.quantities import INDUSTRY_SECTORS, POLLUTANTS, SECTORS, summary_sectors
from airmodel.emissions.regions import SUMMARY_PROVINCES, find_region
from airmodel.inventory_summary import summarize

FOLDER = data_path("emissions", "default_2008")
PARENT = shapely.box(108.0, 32.0, 125.0, 44.0)


def read(name):
    with open(FOLDER / name, encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def file_totals():
    """{(province, sector, pollutant): t/yr} of the committed region totals and stacks."""
    out = defaultdict(float)
    for r in read("region_totals.csv"):
        province = find_region(r["region"], "test").province
        for p in POLLUTANTS:
            out[(province, r["sector"], p)] += float(r[f"{p}[t/yr]"])
    for r in read("point_sources.csv"):
        lon, lat = float(r["lon"]), float(r["lat"])
        province = next(SUMMARY_PROVINCES[c] for c in SUMMARY_PROVINCES
                        if shapely.contains_xy(find_region(c, "test").geometry, lon, lat))
        for p in POLLUTANTS:
            out[(province, r["sector"], p)] += float(r[f"{p}[t/yr]"])
    return out


@pytest.fixture(scope="module")
def rows():
    # a 1-degree domain: the summary counts every province whole, inside the domain or not
    return summarize({"run": {"start": "2008-08-01T00:00:00Z", "hours": 1, "time_step": 600.0},
                      "domain": {"lon_min": 116.0, "lon_max": 117.0, "lat_min": 39.5, "lat_max": 40.5,
                                 "layer_interfaces": [0.0, 50.0, 200.0, 1000.0]},
                      "emissions": {"inventory": "default_2008"},
                      "species": {"SO2": {"units": "ug m-3"}}})


def test_every_province_the_parent_domain_touches_is_summarized():
    touched = {code for code in SUMMARY_PROVINCES
               if find_region(code, "test").geometry.intersects(PARENT)}
    assert touched == set(SUMMARY_PROVINCES)
    for name in ("Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia", "Liaoning", "Shandong", "Henan"):
        assert name in SUMMARY_PROVINCES.values()


def test_summary_reproduces_every_province_total(rows):
    expected = file_totals()
    index = {(r["region"], r["sector"], r["pollutant"]): r["before_t"] for r in rows}
    provinces = set(SUMMARY_PROVINCES.values())
    assert {k[0] for k in expected} == provinces  # every province carries emissions
    for province in provinces:
        for p in POLLUTANTS:
            # Beijing's vehicles are computed from the roads and the vehicle activity (vehicle-km x factors)
            mobile = (index.get((province, "transport", p), 0.0) - expected.get((province, "transport", p), 0.0)
                      if province == "Beijing" else 0.0)
            for sector in set(SECTORS) - {"industry"}:
                want = expected.get((province, sector, p), 0.0)
                got = index.get((province, sector, p), 0.0) - (mobile if sector == "transport" else 0.0)
                assert got == pytest.approx(want, rel=1e-6, abs=1e-9), (province, sector, p)
            total = sum(v for (pr, _, q), v in expected.items() if pr == province and q == p)
            assert index.get((province, "all", p), 0.0) - mobile == pytest.approx(total, rel=1e-6, abs=1e-9)
            industry = sum(expected.get((province, s, p), 0.0) for s in INDUSTRY_SECTORS)
            assert index.get((province, "industry", p), 0.0) == pytest.approx(industry, rel=1e-6, abs=1e-9)


def test_every_sector_listed_and_industry_split_everywhere(rows):
    listed = {(r["region"], r["sector"]) for r in rows}
    for province in SUMMARY_PROVINCES.values():
        for sector in ("power", "iron_steel", "cement", "other_industry", "industrial_boilers", "residential",
                       "transport", "agriculture", "industry", "all"):
            assert (province, sector) in listed, (province, sector)
    # no industry row is left unsplit in the default inventory
    assert not any(r["sector"] == "industry" for r in read("region_totals.csv") + read("point_sources.csv"))


def test_published_so2_totals_are_kept(rows):
    # Beijing 123 kt (Beijing Statistical Yearbook 2010), Tianjin 240 kt (2008); Hebei 1234 kt, Shandong 1538 kt and
    # Shanxi 1249 kt (2010: China Statistical Yearbook 2011, table 12-24) times China's SO2 of 2008 over 2010 (first
    # halves: 1147.8 x 10^4 t in 2009, 5.40 % below 2008; 1133.9 x 10^4 t in 2010; MEP bulletins); the files round
    # each row to 0.1 t
    to_2008 = (1147.8 / (1.0 - 0.0540)) / 1133.9
    index = {(r["region"], r["sector"], r["pollutant"]): r["before_t"] for r in rows}
    for province, so2 in (("Beijing", 123_000.0), ("Tianjin", 240_000.0), ("Hebei", 1_234_000.0 * to_2008),
                          ("Shandong", 1_538_000.0 * to_2008), ("Shanxi", 1_249_000.0 * to_2008)):
        assert index[(province, "all", "SO2")] == pytest.approx(so2, abs=2.0), province


def test_summary_sectors_count_each_tonne_once():
    assert summary_sectors(["industry"]) == ("industry",)
    assert summary_sectors(["cement", "power"]) == ("power", "cement")
    assert set(summary_sectors(SECTORS)) == set(SECTORS) - set(INDUSTRY_SECTORS) | {"industry"}


def test_olympic_summary_lists_the_regional_cuts_by_province():
    rows = summarize("olympic_2008", "2008-08-08/2008-08-25")
    index = {(r["region"], r["sector"], r["pollutant"]): r for r in rows}
    for province in ("Shanxi", "Inner Mongolia", "Shandong"):
        for sector in ("power", "iron_steel", "cement"):
            assert index[(province, sector, "SO2")]["change_percent"] == pytest.approx(-10.0, rel=1e-9)
        assert index[(province, "residential", "SO2")]["change_percent"] == pytest.approx(0.0, abs=1e-9)
    assert index[("Tianjin", "industrial_boilers", "SO2")]["change_percent"] < 0.0
    assert index[("Henan", "all", "SO2")]["change_percent"] == pytest.approx(0.0, abs=1e-9)  # not in the programme
