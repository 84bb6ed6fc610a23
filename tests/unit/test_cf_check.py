"""tests/cf_check.py gives the command-line checker's verdict and report, on a file that passes and on one that
does not (the memoised questions change the time a check takes, not its answers)."""
import subprocess
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from tests.cf_check import cf_check


def _write(path, bad):
    with netCDF4.Dataset(path, "w") as ds:
        ds.Conventions = "CF-1.8"
        ds.title = "cf_check test"
        ds.history = "written by tests/unit/test_cf_check.py"
        ds.createDimension("time", 2)
        ds.createDimension("lat", 3)
        ds.createDimension("lon", 4)
        t = ds.createVariable("time", "f8", ("time",))
        t.units, t.standard_name, t.calendar, t.axis = "hours since 2008-08-08 00:00:00", "time", "standard", "T"
        t[:] = [1.0, 2.0]
        for name, n, axis in (("lat", 3, "Y"), ("lon", 4, "X")):
            v = ds.createVariable(name, "f8", (name,))
            v.units = "degrees_north" if name == "lat" else "degrees_east"
            v.standard_name = "latitude" if name == "lat" else "longitude"
            v.axis = axis
            v[:] = np.arange(n) + 39.0
        o3 = ds.createVariable("O3", "f4", ("time", "lat", "lon"))
        o3.standard_name = "mole_fraction_of_ozone_in_air"
        o3.long_name = "ozone"
        o3.units = "furlongs" if bad else "1e-9"
        o3[:] = 40.0
        t2 = ds.createVariable("t2", "f4", ("time", "lat", "lon"))
        t2.standard_name = "air_temperature_of_the_moon" if bad else "air_temperature"
        t2.units = "K"
        t2[:] = 300.0


@pytest.mark.parametrize("bad", [False, True])
def test_same_verdict_and_report_as_the_command(tmp_path, bad):
    path = tmp_path / "f.nc"
    _write(path, bad)
    passed, errors, text = cf_check(path, "strict")
    checker = Path(sys.executable).parent / "cchecker.py"
    r = subprocess.run([sys.executable, str(checker), "--test", "cf:1.8", "--criteria", "strict", str(path)],
                       capture_output=True, text=True)
    assert passed == (r.returncode == 0) and passed is not bad
    assert not errors
    def report(lines):      # the report without its time stamp
        return [line for line in lines.strip().splitlines() if "Report generated" not in line]
    assert report(text) == report(r.stdout)[-len(report(text)):]
    if bad:
        assert "furlongs" in text and "air_temperature_of_the_moon" in text
