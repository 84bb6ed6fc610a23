"""Ensembles on a dask LocalCluster: every member equals the same scenario run directly, bit for bit; a failed
member is reported and does not stop the others; a re-run skips complete members; a killed worker or a killed
command loses no finished member, and a re-run completes the rest."""
import csv
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
import xarray as xr

import airmodel
import airmodel.analysis.contributions as contributions
from airmodel.cli import main
from airmodel.ensemble import load_ensemble, local_cluster, output_state, run_ensemble

TINY = ["domain.resolution=0.5", "run.hours=2", 'run.start="2008-08-08T02:00:00Z"']


def loopback_works() -> bool:
    try:
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with socket.create_connection(server.getsockname(), timeout=2):
                return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def loopback():
    """dask talks over 127.0.0.1: inside a network namespace the loopback interface may be down."""
    if not loopback_works():
        subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True, check=False)
    if not loopback_works():
        pytest.fail("the loopback interface is down and 'ip link set lo up' could not bring it up; dask's "
                    "LocalCluster needs 127.0.0.1")


def ensemble_file(path, scenarios, overrides, body):
    literal = ", ".join(f"'{o}'" for o in overrides)  # TOML literal strings: the values keep their quotes
    path.write_text(f'base = "{scenarios / "demo.toml"}"\noverrides = [{literal}]\n' + body)
    return path


BODY = """
[analysis]
spinup_hours = 1

[[members]]
name = "windy"
overrides = ["meteorology.wind_scale=1.3"]

[[members]]
name = "bad_source"
controls = [{ source_ids = ["NO-SUCH-STACK"], reduction = 0.5 }]

[[contributions]]
name = "regions"
by = "region"
sources = ["Beijing", "Hebei"]

[[sweeps]]
name = "depth"
regions = ["Beijing"]
reductions = [0.5, 1.0]
"""


FIGURES = {}  # the figures the ensemble's analysis saved, by file name (filled by the fixture ``tiny``)


@pytest.fixture(scope="module")
def tiny(loopback, scenarios, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ensemble")
    path = ensemble_file(folder / "tiny.toml", scenarios, TINY, BODY)
    out = folder / "out"
    original = contributions.save_figure_atomic

    def capture(fig, target, *args, **kwargs):
        FIGURES[Path(target).name] = fig
        return original(fig, target, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(contributions, "save_figure_atomic", capture)
        code = main(["ensemble", str(path), "-o", str(out), "--workers", "2"])
    return path, out, code


def read_index(out):
    with open(out / "index.csv", newline="", encoding="utf-8") as fh:
        return {row["member"]: row for row in csv.DictReader(fh)}


def assert_bitwise_equal(a: xr.Dataset, b: xr.Dataset):
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        x, y = a[name].values, b[name].values
        assert x.dtype == y.dtype and x.shape == y.shape, name
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), name
        else:
            assert np.array_equal(x, y), name


def test_members_equal_direct_runs_bitwise(tiny, scenarios, tmp_path):
    path, out, code = tiny
    assert code == 1  # one member fails on purpose
    # the base, an override member and a control member, each run directly with airmodel's own loader
    hebei = tmp_path / "no_hebei.toml"
    hebei.write_text(f'extends = "{scenarios / "demo.toml"}"\n'
                     '[[controls]]\nregion = "Hebei"\nreduction = 1.0\n')
    direct = {"base": airmodel.run(scenarios / "demo.toml", overrides=TINY),
              "windy": airmodel.run(scenarios / "demo.toml", overrides=TINY + ["meteorology.wind_scale=1.3"]),
              "regions.Hebei": airmodel.run(hebei, overrides=TINY)}
    for name, expected in direct.items():
        assert_bitwise_equal(xr.load_dataset(out / "members" / f"{name}.nc"), expected)
    # the control did something: Hebei's own PM2.5 falls
    assert float(direct["regions.Hebei"].PM25.mean()) < 0.8 * float(direct["base"].PM25.mean())


def test_index_and_failed_member(tiny):
    path, out, code = tiny
    index = read_index(out)
    assert set(index) == {"base", "windy", "bad_source", "regions.Beijing", "regions.Hebei", "regions.together",
                          "depth.Beijing.all.all.50", "depth.Beijing.all.all.100"}
    assert index["bad_source"]["status"] == "failed"
    assert "source_ids: 'NO-SUCH-STACK' is not a source of the inventory" in index["bad_source"]["error"]
    assert not (out / "members" / "bad_source.nc").exists()
    for name, row in index.items():
        if name != "bad_source":
            assert row["status"] == "done", row
    assert index["depth.Beijing.all.all.100"]["same_as"] == "regions.Beijing"
    assert index["regions.Hebei"]["region"] == "Hebei" and index["regions.Hebei"]["reduction"] == "1"
    assert "NO-SUCH-STACK" in index["bad_source"]["extra_controls"]
    assert "source_ids" in (out / "members" / "bad_source.log").read_text()


def stadium_mean(path):
    """The mean PM2.5 after the spin-up hour in the cell of the Olympic stadium station (1011A Aotizhongxin),
    found here from the cell bounds."""
    ds = xr.load_dataset(path)
    lat, lon = 40.0031, 116.407
    j = int(np.searchsorted(ds.lat_bnds.values[:, 1], lat, side="right"))
    i = int(np.searchsorted(ds.lon_bnds.values[:, 1], lon, side="right"))
    return float(np.mean(ds.PM25.values[1:, j, i].astype(float)))  # spinup_hours = 1


def inked(path) -> float:
    """The share of a PNG's pixels that are not (near) white."""
    image = matplotlib.image.imread(path)
    return float(np.mean(np.any(image[..., :3] < 0.9, axis=-1)))


def test_contribution_table_from_the_member_files(tiny):
    """The table's Hebei contribution at the Olympic stadium cell, recomputed from the member files by hand."""
    path, out, code = tiny
    expected = stadium_mean(out / "members" / "base.nc") - stadium_mean(out / "members" / "regions.Hebei.nc")
    with open(out / "contributions_regions.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["metric"] == "PM25" and r["period"] == "all"
                and r["receptor"] == "station_1011A"]
    by_source = {r["source"]: r for r in rows}
    assert float(by_source["Hebei"]["contribution"]) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    total = float(by_source["Beijing"]["contribution"]) + float(by_source["Hebei"]["contribution"])
    assert float(by_source["sum"]["contribution"]) == pytest.approx(total, rel=1e-14)
    nonlinearity = total - float(by_source["together"]["contribution"])
    assert float(by_source["nonlinearity"]["contribution"]) == pytest.approx(nonlinearity, rel=1e-12, abs=1e-15)

    # the Markdown table shows the same contribution (3 significant digits) in the Hebei column of 1011A's row
    text = (out / "contributions_regions.md").read_text(encoding="utf-8")
    table = text[text.index("## PM25, whole period"):].split("\n\n")[1].splitlines()
    head = [c.strip() for c in table[0].strip("|").split("|")]
    (row,) = [line for line in table if "1011A" in line]
    cell = [c.strip() for c in row.strip("|").split("|")][head.index("Hebei")]
    assert float(cell.split()[0]) == pytest.approx(expected, rel=5e-3)

    # the bar chart draws Hebei's share of the base at 1011A: the table's percent_of_base
    fig = FIGURES["contributions_regions.png"]
    ax = next(a for a in fig.axes if a.get_ylabel().startswith("PM25"))
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    (bars,) = [c for c in ax.containers if c.get_label() == "Hebei"]
    assert bars[ticks.index("1011A")].get_height() == pytest.approx(float(by_source["Hebei"]["percent_of_base"]),
                                                                    rel=1e-12)
    assert inked(out / "contributions_regions.png") > 0.02

    # summary.csv: every complete member's mean at 1011A, from its file
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        summary = [r for r in csv.DictReader(fh) if r["metric"] == "PM25" and r["receptor"] == "station_1011A"]
    index = read_index(out)
    assert {r["member"] for r in summary} == {m for m, row in index.items() if row["status"] == "done"}
    for r in summary:
        assert float(r["value"]) == pytest.approx(stadium_mean(out / index[r["member"]]["file"]), rel=1e-12), r

    # response_depth.csv: the mean at 1011A at each depth of Beijing's measure, and its change from no measure
    with open(out / "response_depth.csv", newline="", encoding="utf-8") as fh:
        response = list(csv.DictReader(fh))
    at_stadium = sorted((r for r in response if r["metric"] == "PM25" and r["receptor"] == "station_1011A"),
                        key=lambda r: float(r["reduction_percent"]))
    assert [float(r["reduction_percent"]) for r in at_stadium] == [0.0, 50.0, 100.0]
    means = [stadium_mean(out / index[r["member"]]["file"]) for r in at_stadium]
    for r, mean in zip(at_stadium, means):
        assert float(r["value"]) == pytest.approx(mean, rel=1e-12), r
        assert float(r["change"]) == pytest.approx(mean - means[0], rel=1e-9, abs=1e-12), r
    assert means[2] < means[1] < means[0]  # Beijing's emissions cut deeper, less PM2.5 at the stadium
    # the response figure draws the table: its stations_mean panel, the line against the depth
    fig = FIGURES["response_depth.png"]
    ax = next(a for a in fig.axes if a.get_title() == "stations_mean")
    (line,) = ax.get_lines()
    table_line = sorted((float(r["reduction_percent"]), float(r["value"])) for r in response
                        if r["metric"] == "PM25" and r["receptor"] == "stations_mean")
    assert np.array_equal(np.column_stack(line.get_data()).astype(float), np.array(table_line))
    assert inked(out / "response_depth.png") > 0.02


def test_rerun_plan_skips_complete_members(tiny, capsys):
    """What a re-run would do (--dry-run starts no cluster): complete members are skipped, the failed one is run
    again. (test_killed_command_rerun_completes_the_rest runs a re-run.)"""
    path, out, code = tiny
    assert main(["ensemble", str(path), "-o", str(out), "--dry-run"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert " to run " in lines.pop("bad_source")
    assert len(lines) == 7 and all(" complete " in line for line in lines.values())


def test_other_settings_are_not_overwritten(tiny, scenarios, capsys):
    path, out, code = tiny
    other = ensemble_file(path.with_name("other.toml"), scenarios, TINY[:1] + ["run.hours=3"] + TINY[2:], BODY)
    stamp = (out / "members" / "base.nc").stat().st_mtime_ns
    assert main(["ensemble", str(other), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "exist but were made from other settings" in err and "--force" in err and "Traceback" not in err
    assert (out / "members" / "base.nc").stat().st_mtime_ns == stamp


LONG = ["domain.resolution=0.5", "run.hours=8", 'run.start="2008-08-08T00:00:00Z"']
KILL_BODY = """
[[members]]
name = "short"
overrides = ["run.hours=2"]

[[sweeps]]
name = "depth"
regions = ["Hebei"]
reductions = [0.5, 1.0]
"""


def wait_for(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.mark.slow  # fault injection (a killed worker or command): .ci/run runs it with the slow tests
def test_killed_worker_loses_no_finished_member(loopback, scenarios, tmp_path):
    from distributed import Client

    ensemble = load_ensemble(ensemble_file(tmp_path / "kill.toml", scenarios, LONG, KILL_BODY))
    out = tmp_path / "out"
    with local_cluster(2, 1) as cluster, Client(cluster) as client:
        result = {}
        runner = threading.Thread(target=lambda: result.update(run_ensemble(ensemble, out, client)))
        runner.start()
        wait_for(lambda: any((out / "members").glob("*.nc")))
        finished = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "members").glob("*.nc")}
        busy = [addr for addr, keys in client.processing().items() if keys]
        assert busy, "no member was running when the first one finished"
        pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        runner.join(timeout=300)
        assert not runner.is_alive()
    assert {name: s["status"] for name, s in result.items()} == {m.name: "done" for m in ensemble.runs()}
    for p, stamp in finished.items():
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == stamp
    for m in ensemble.runs():
        assert output_state(out / m.file, m.text) == "complete"


@pytest.mark.slow  # fault injection (a killed worker or command): .ci/run runs it with the slow tests
def test_killed_command_rerun_completes_the_rest(loopback, scenarios, tmp_path):
    path = ensemble_file(tmp_path / "kill.toml", scenarios, LONG, KILL_BODY)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "airmodel.cli", "-q", "ensemble", str(path), "-o", str(out),
                             "--workers", "1", "--no-analysis"], start_new_session=True, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: (out / "members").is_dir() and any((out / "members").glob("*.nc")))
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the command, its scheduler and its worker: one session
        proc.wait()
    finished = {p: p.stat().st_mtime_ns for p in (out / "members").glob("*.nc")}
    assert 1 <= len(finished) < 4
    assert main(["ensemble", str(path), "-o", str(out), "--workers", "1", "--no-analysis"]) == 0
    for p, stamp in finished.items():
        assert p.stat().st_mtime_ns == stamp
    index = read_index(out)
    assert sorted(r["status"] for r in index.values()) == sorted(
        ["complete"] * len(finished) + ["done"] * (4 - len(finished)))
    ensemble = load_ensemble(path)
    for m in ensemble.runs():
        assert output_state(out / m.file, m.text) == "complete"
