"""The bad-input corpus (issue 13, item 4): one line per bad input, for every kind of input and every command.

Each case runs the command line in-process through ``airmodel.cli.main`` in a fresh folder holding a small valid
scenario (``s.toml``: a 2 x 2 x 2 grid, one hour) and the case's own files, and asserts what the command line
promises for bad input: exit code 2, no traceback, a message that names the file or key AND the bad value (the
case's ``expect`` fragments, all of which must appear), and nothing written (the folder's listing, sizes included,
is the same before and after: no output, no ``.part``, no checkpoint folder, no new folder). A few cases also run as
real processes, to show that no traceback reaches a terminal.

Adding a case is one line in ``CASES``: ``(kind, command line, files, expect)``.
- ``kind``: the input kind the case exercises (used only for the coverage test and the report).
- ``command line``: split at spaces, quotes kept for the TOML of ``--set`` (a word wholly in single quotes loses
  them: ``''`` is an empty argument); ``{d}`` is the case's folder, ``{run}`` a valid one-hour run file with O3 and
  ``{obs}`` a valid observation file (both made once).
- ``files``: the files to write first, ``{name: text}`` (bytes are written as they are), or the name of a maker
  in ``MAKERS`` (NetCDF and other files built by code), or None.
- ``expect``: fragments of the error message; together they name the file or key and the bad value.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from airmodel.cli import main

TINY = """\
[run]
start = "2008-08-08T00:00:00Z"
hours = 1
time_step = 600.0
progress = false

[domain]
lon_min = 116.0
lon_max = 117.0
lat_min = 39.5
lat_max = 40.5
resolution = 0.5
layer_interfaces = [0.0, 100.0, 500.0]

[meteorology]
source = "synthetic"

[species.tr]
initial = 1.0
inflow = 1.0

[[emissions.point]]
species = "tr"
x = 116.4
y = 39.9
z = 10.0
rate = 1.0

[output]
stations = "none"
"""

S = "{d}/s.toml"
O = "-o {d}/out.nc"
RUN = f"run {S} {O}"
MET = f"met {S} {O}"

STACK_HEADER = "id,name,sector,lon,lat,height[m],diameter[m],exit_velocity[m/s],exit_temperature[K],SO2[t/yr]\n"
STACK = "S1,plant,power,116.4,39.9,150,5,15,400,5000\n"
STACKS = f"{RUN} --set emissions.point_files=['st.csv']"
TOTALS_HEADER = "id,region,sector,proxy,SO2[t/yr]\n"
TOTALS = f"{RUN} --set emissions.region_totals_files=['rt.csv']"
STATION_HEADER = "time,wind_speed,wind_direction,temperature,dew_point,pressure,precipitation,cloud_cover\n"
STATION_RUN = f"{RUN} --set meteorology.source=station --set meteorology.file=met.csv"
STATION_MET = f"{MET} --set meteorology.source=station --set meteorology.file=met.csv"
OBS_HEADER = "time,station,pollutant,value,unit\n"
GRIDDED = f"{RUN} --set emissions.gridded_files=['g.nc']"
WRF = f"{RUN} --set meteorology.source=wrf --set meteorology.files=['wrfout_*'] --set run.start=2008-08-01T00:00:00Z"
CF = f"{RUN} --set meteorology.source=cf --set meteorology.files=['era5_*.nc'] --set run.start=2008-08-01T00:00:00Z"
MECH = ("mechanism m\nspecies NO phase=gas mw={mw} units=ppb drydep=no wet=0 long_name=\"nitrogen monoxide\"\n"
        "reaction R1: NO -> NO : {k} {{s-1}}\n")
BC_HEADER = "species,side,height[m],value,unit\n"
BOUNDARY = f"{RUN} --set boundary.source=climatology --set boundary.file=bc.csv"
LAYERS = TINY.replace("layer_interfaces = [0.0, 100.0, 500.0]", "layer_thickness = {thickness}\nlayers = {layers}")
ROADS = f"{RUN} --set emissions.road_files=['r.geojson'] --set emissions.emission_factors=ef.csv"
ROAD = ('{{"type": "FeatureCollection", "features": [{{"type": "Feature", "properties": {{"id": "R1", "road_type": '
        '"street", "volume_private_car": {volume}}}, "geometry": {{"type": "LineString", "coordinates": '
        '[[116.2, 39.9], [{lon}, 39.9]]}}}}]}}')
MOBILE = f"{RUN} --set emissions.vehicle_activity_files=['va.csv'] --set emissions.emission_factors=ef.csv"
EF = "vehicle_class,NOx[g/km]\nprivate_car,0.35\n"
VA = "id,region,road_type,proxy,vkt_private_car[veh-km/d]\nV1,Beijing,street,urban,10\n"
#: a valid parent around TINY's domain (one 0.5 degree cell of margin on every side)
NEST = (f"{RUN} --set parent.lon_min=115.5 --set parent.lon_max=117.5 --set parent.lat_min=39.0 "
        "--set parent.lat_max=41.0 --set parent.resolution=0.5")
BOX = "box {d}/box.toml -o {d}/box.csv"
ENS = "ensemble {d}/e.toml -o {d}/ens"


def station(*rows: str, hours: int = 3) -> str:
    """A valid station CSV of ``hours`` rows from the run's start, then ``rows`` appended."""
    good = [f"2008-08-08T{h:02d}:00:00Z,2.0,200,25.0,18.0,1005.0,0.0,0.3\n" for h in range(hours)]
    return STATION_HEADER + "".join(good) + "".join(r + "\n" for r in rows)


def station_row(hour: int, **values) -> str:
    v = dict(wind_speed=2.0, wind_direction=200, temperature=25.0, dew_point=18.0, pressure=1005.0,
             precipitation=0.0, cloud_cover=0.3)
    v.update(values)
    return f"2008-08-08T{hour:02d}:00:00Z," + ",".join(str(x) for x in v.values())


def ensemble(body: str) -> dict:
    return {"e.toml": 'base = "s.toml"\n' + body}


def box(body: str) -> dict:
    return {"box.toml": '[box]\nstart = "2008-08-01T16:00:00Z"\nhours = 2\n' + body}


#: (kind, command line, files, expected fragments of the message)
CASES = [
    # -- scenario files ------------------------------------------------------------------------------------------
    ("scenario file", "run {d}/missing.toml -o {d}/out.nc", None, ["missing.toml", "not found"]),
    ("scenario file", "run {d}/bad.toml -o {d}/out.nc", {"bad.toml": "[run\nstart = 1\n"},
     ["bad.toml", "not valid TOML"]),
    ("scenario file", "run {d}/bad.toml -o {d}/out.nc", {"bad.toml": b"\xff\xfe[run]\n"}, ["bad.toml", "UTF-8"]),
    ("scenario file", "run {d}/sub -o {d}/out.nc", {"sub/x.txt": ""}, ["sub", "folder"]),
    ("scenario file", "run {d}/e.toml -o {d}/out.nc", {"e.toml": ""}, ["e.toml", "run", "start"]),
    ("scenario file", "run {d}/b.toml -o {d}/out.nc", {"b.toml": 'extends = "nope.toml"\n'},
     ["nope.toml", "not found"]),
    ("scenario file", "run {d}/b.toml -o {d}/out.nc", {"b.toml": 'extends = "b.toml"\n'}, ["b.toml", "loop"]),
    ("scenario file", "run {d}/b.toml -o {d}/out.nc", {"b.toml": "extends = 3\n"}, ["b.toml", "extends", "3"]),
    ("scenario file", "run {d}/b.toml -o {d}/out.nc", {"b.toml": 'extends = "s.toml"\ninclude_controls = ["c.toml"]\n'},
     ["c.toml", "not found"]),
    ("scenario file", "run {d}/b.toml -o {d}/out.nc", {"b.toml": 'extends = "s.toml"\ninclude_controls = "c.toml"\n'},
     ["include_controls", "'c.toml'"]),
    ("scenario file", "run {d}/b.toml -o {d}/out.nc",
     {"b.toml": 'extends = "s.toml"\ninclude_controls = ["c.toml"]\n', "c.toml": "[run]\nhours = 2\n"},
     ["c.toml", "'run'"]),
    ("scenario file", "run {d}/b.toml -o {d}/out.nc",
     {"b.toml": 'extends = "s.toml"\ninclude_controls = ["c.toml"]\n',
      "c.toml": '[[controls]]\nname = "x"\nreduction = 2.0\n'}, ["reduction", "2.0"]),
    ("scenario file", "run {d}/b.toml -o {d}/out.nc", {"b.toml": 'extends = "s.toml"\n[weather]\nsource = "x"\n'},
     ["b.toml", "'weather'"]),
    # -- scenario keys and types (--set) -------------------------------------------------------------------------
    ("scenario key", f"{RUN} --set run.hours=0", None, ["run.hours", "0"]),
    ("scenario key", f"{RUN} --set run.hours=-3", None, ["run.hours", "-3"]),
    ("scenario key", f"{RUN} --set run.hours='two'", None, ["run.hours", "'two'"]),
    ("scenario key", f"{RUN} --set run.hours=true", None, ["run.hours", "True"]),
    ("scenario key", f"{RUN} --set run.hours=nan", None, ["run.hours", "nan"]),
    ("scenario key", f"{RUN} --set run.time_step=0", None, ["run.time_step", "0"]),
    ("scenario key", f"{RUN} --set run.time_step=inf", None, ["run.time_step", "inf"]),
    ("scenario key", f"{RUN} --set run.time_step=7.0", None, ["run.time_step", "7.0"]),
    ("scenario key", f"{RUN} --set run.time_step=1300.0 --set run.steps=1 --set run.hours=false", None,
     ["run.hours", "False"]),
    ("scenario key", f"{RUN} --set run.steps=0", None, ["run.steps", "0"]),
    ("scenario key", f"{RUN} --set run.steps=2.5", None, ["run.steps", "2.5"]),
    ("scenario key", f"{RUN} --set run.start=yesterday", None, ["run.start", "'yesterday'"]),
    ("scenario key", "run {d}/b.toml -o {d}/out.nc",
     {"b.toml": TINY.replace("hours = 1", 'end = "2008-08-07T00:00:00Z"')},
     ["run.end", "2008-08-07T00:00:00Z"]),
    ("scenario key", f"{RUN} --set run.threads=-1", None, ["run.threads", "-1"]),
    ("scenario key", f"{RUN} --set run.hourz=3", None, ["'hourz'"]),
    ("scenario key", f"{RUN} --set domain.grid=polar", None, ["domain.grid", "'polar'"]),
    ("scenario key", f"{RUN} --set domain.resolution=0", None, ["domain.resolution", "0"]),
    ("scenario key", f"{RUN} --set domain.resolution=-0.5", None, ["domain.resolution", "-0.5"]),
    ("scenario key", f"{RUN} --set domain.resolution=-inf", None, ["domain.resolution", "-inf"]),
    ("scenario key", f"{RUN} --set domain.lon_min=118.0", None, ["lon_min", "118.0"]),
    ("scenario key", f"{RUN} --set domain.lat_max=95.0", None, ["lat_max", "95.0"]),
    ("scenario key", f"{RUN} --set domain.layer_interfaces=['0','50']", None, ["domain.layer_interfaces", "'0'"]),
    ("scenario key", f"{RUN} --set domain.layer_interfaces=[0.0,50.0,50.0]", None,
     ["domain.layer_interfaces", "50.0"]),
    ("scenario key", f"{RUN} --set domain.layer_interfaces=[10.0,50.0]", None, ["domain.layer_interfaces", "10.0"]),
    ("scenario key", f"{RUN} --set domain.layer_interfaces=[0.0,50.0,1e7]", None,
     ["domain.layer_interfaces", "10000000", " m"]),
    ("scenario key", f"{RUN} --set domain.layer_interfaces=[0.0,-50.0]", None, ["domain.layer_interfaces", "-50.0"]),
    ("scenario key", f"{RUN} --set domain.layer_interfaces=5.0", None, ["domain.layer_interfaces", "5.0"]),
    ("scenario key",
     f"{RUN} --set domain.layer_thickness=1e7 --set domain.layers=2 --set domain.layer_interfaces=false",
     None, ["domain.layer_interfaces", "False"]),
    ("scenario key", f"{RUN} --set domain.grid=projected --set domain.nx=10", None, ["projected", "ny"]),
    # -- nesting (a parent domain) ---------------------------------------------------------------------------------
    ("nesting", f"{NEST} --set parent.lon_min=116.0", None, ["parent.lon_min", "116.0", "margin"]),
    ("nesting", f"{NEST} --set parent.lat_max=40.5", None, ["parent", "lat_max", "40.5", "margin"]),
    ("nesting", f"{NEST} --set parent.resolution=0.25", None, ["parent.resolution", "0.25", "finer"]),
    ("nesting", f"{NEST} --set parent.lon_max=117.8", None, ["parent", "117.8", "whole number"]),
    ("nesting", f"{NEST} --set parent.layer_interfaces=[0.0,100.0,600.0]", None,
     ["parent.layer_interfaces", "600.0", "500.0"]),
    ("nesting", f"{NEST} --set parent.time_step_ratio=4", None, ["parent.time_step_ratio", "4"]),
    ("nesting", f"{NEST} --set parent.time_step_ratio=0", None, ["parent.time_step_ratio", "0"]),
    ("nesting", f"{NEST} --set parent.grid=projected", None, ["parent.grid", "'projected'"]),
    ("nesting", f"{NEST} --set parent.name=a/b", None, ["parent.name", "'a/b'"]),
    ("nesting", f"{RUN} --set parent.lon_min=115.5", None, ["parent", "lon_max"]),
    ("nesting", f"{NEST} --set parent.cells=3", None, ["parent", "'cells'"]),
    ("scenario key", f"{RUN} --set transport.advection=ppn", None, ["transport.advection", "'ppn'"]),
    ("scenario key", f"{RUN} --set transport.cfl_max=0", None, ["transport.cfl_max", "0"]),
    ("scenario key", f"{RUN} --set transport.vertical_diffusion=1", None, ["transport.vertical_diffusion", "1"]),
    ("scenario key", f"{RUN} --set chemistry.mechanism=cb99", None, ["'cb99'"]),
    ("scenario key", f"{RUN} --set chemistry.mechanism=missing.mech", None, ["missing.mech"]),
    ("scenario key", f"{RUN} --set chemistry.method=euler", None, ["chemistry.method", "'euler'"]),
    ("scenario key", f"{RUN} --set chemistry.rtol=0", None, ["chemistry.rtol", "0"]),
    ("scenario key", f"{RUN} --set species.tr.units=furlongs", None, ["species.tr", "'furlongs'"]),
    ("scenario key", f"{RUN} --set species.tr.deposition_class=sticky", None, ["deposition_class", "'sticky'"]),
    ("scenario key", f"{RUN} --set species.tr.initial={{{{shape='square'}}}}", None, ["initial.shape", "'square'"]),
    ("scenario key", f"{RUN} --set species.tr.initial='lots'", None, ["species.tr.initial", "'lots'"]),
    ("scenario key", f"{RUN} --set species.tr.inflow=-1.0", None, ["species.tr.inflow", "-1.0"]),
    ("scenario key", f"{RUN} --set species.tr.inflow=inf", None, ["species.tr.inflow", "inf"]),
    ("scenario key", f"{RUN} --set species.tr.colour=red", None, ["species.tr", "'colour'"]),
    ("scenario key", f"{RUN} --set output.levels=top", None, ["output.levels", "'top'"]),
    ("scenario key", f"{RUN} --set output.precision=half", None, ["output.precision", "'half'"]),
    ("scenario key", f"{RUN} --set output.variables=['O4']", None, ["output.variables", "'O4'", "tr"]),
    ("scenario key", f"{RUN} --set output.variables=[3]", None, ["output.variables", "3"]),
    ("scenario key", f"{RUN} --set output.snapshots=['soon']", None, ["output.snapshots", "'soon'"]),
    ("scenario key", f"{RUN} --set output.snapshots=[100.0]", None, ["output.snapshots", "100.0"]),
    ("scenario key", f"{RUN} --set output.snapshots=[-1.0]", None, ["output.snapshots", "-1.0"]),
    ("scenario key", f"{RUN} --set output.snapshots=[nan]", None, ["output.snapshots", "nan"]),
    ("scenario key", f"{RUN} --set output.stations=nowhere.csv", None, ["nowhere.csv"]),
    ("scenario key", f"{RUN} --set output.checkpoint_interval_hours=0.1", None,
     ["checkpoint_interval_hours", "0.1"]),
    ("scenario key", f"{RUN} --set boundary.source=sky", None, ["boundary.source", "'sky'"]),
    ("scenario key", f"{RUN} --set boundary.scale=-1.0", None, ["boundary.scale", "-1.0"]),
    ("scenario key", f"{RUN} --set meteorology.source=wrf2", None, ["meteorology.source", "'wrf2'"]),
    ("scenario key", f"{RUN} --set meteorology.wind_scale=-1.0", None, ["meteorology.wind_scale", "-1.0"]),
    ("scenario key", f"{RUN} --set meteorology.regimes=['stormy']", None, ["'stormy'"]),
    ("scenario key", f"{RUN} --set emissions.inventory=default_1999", None, ["emissions.inventory", "'default_1999'"]),
    ("scenario key", f"{RUN} --set emissions.year=1800", None, ["emissions.year", "1800"]),
    ("scenario key", f"{RUN} --set emissions.point.0.rate=-1.0", None, ["rate", "-1.0"]),
    ("scenario key", f"{RUN} --set emissions.point.0.rate=1e300 '--set' 'emissions.point.0.rate_units=\"t yr-1\"'",
     None, ["rate", "1e+300"]),
    ("scenario key", f"{RUN} --set emissions.point.0.rate_units='t/century'", None, ["'t/century'"]),
    ("scenario key", f"{RUN} --set emissions.point.0.species=NOPE", None, ["species", "'NOPE'"]),
    ("scenario key", f"{RUN} --set emissions.point.0.x=200.0", None, ["200"]),
    ("scenario key", f"{RUN} --set emissions.point.0.z=1e7", None, ["z", "10000000"]),
    ("scenario key", f"{RUN} --set species.tr.initial=1e308", None, ["species.tr.initial", "1e+308"]),
    ("scenario key", f"{RUN} --set species.tr.inflow=1e308", None, ["species.tr.inflow", "1e+308"]),
    ("scenario key", f"{RUN} --set species.tr.units='ppb' --set species.tr.molar_mass=30.0 --set species.tr.inflow=2e9",
     None, ["species.tr.inflow", "2000000000.0", "ppb"]),
    ("scenario key", f"{RUN} --set species.tr.molar_mass=1e300", None, ["species.tr.molar_mass", "1e+300", "g/mol"]),
    ("scenario key", f"{RUN} --set meteorology.wind_scale=1e300", None, ["meteorology.wind_scale", "1e+300"]),
    ("scenario key", f"{RUN} --set meteorology.temperature_offset=1e6", None,
     ["meteorology.temperature_offset", "1000000.0", "K"]),
    ("scenario key", f"{RUN} --set meteorology.mixing_height_scale=1e300", None, ["mixing_height_scale", "1e+300"]),
    ("scenario key", f"{RUN} --set meteorology.source=idealized --set meteorology.u=1e300", None,
     ["meteorology.u", "1e+300", "m/s"]),
    ("scenario key", f"{RUN} --set meteorology.source=idealized --set meteorology.kz=1e300", None,
     ["meteorology.kz", "1e+300", "m2/s"]),
    ("scenario key", f"{RUN} --set meteorology.source=idealized --set meteorology.breathing_amplitude=2.0", None,
     ["breathing_amplitude", "2.0"]),
    ("scenario key", f"{RUN} --set transport.cfl_max=1e300", None, ["transport.cfl_max", "1e+300"]),
    ("scenario key", f"{RUN} --set chemistry.temperature=1e9", None, ["chemistry.temperature", "1000000000.0", "K"]),
    ("scenario key", f"{RUN} --set run.time_step=1e300", None, ["run.time_step", "1e+300"]),
    ("scenario key", f"{RUN} --set emissions.utc_offset_hours=100.0", None, ["utc_offset_hours", "100.0"]),
    # -- --set syntax ----------------------------------------------------------------------------------------------
    ("--set", f"{RUN} --set run.hours", None, ["--set", "'run.hours'"]),
    ("--set", f"{RUN} --set hours=3", None, ["--set", "'hours=3'"]),
    ("--set", f"{RUN} --set run..hours=3", None, ["--set", "'run..hours=3'"]),
    ("--set", f"{RUN} --set emissions.point.5.rate=1.0", None, ["--set", "'5'"]),
    ("--set", f"{RUN} --set emissions.point.rate=1.0", None, ["--set", "'emissions.point.rate=1.0'"]),
    ("--set", f"{RUN} --set run.hours.x=1", None, ["--set", "'hours'"]),
    ("--set", f"{RUN} --set run.hours=[1,", None, ["run.hours", "'[1,'"]),
    # -- output paths ----------------------------------------------------------------------------------------------
    ("output path", f"run {S} -o ''", None, ["output", "''"]),
    ("output path", f"run {S} -o {{d}}/sub", {"sub/keep.txt": "x"}, ["sub", "folder"]),
    ("output path", f"run {S} -o {{d}}/nowhere/out.nc", None, ["nowhere", "does not exist"]),
    ("output path", f"run {S} -o {{d}}/old.nc", {"old.nc": "keep"}, ["old.nc", "--force"]),
    ("output path", f"{RUN} --restart {{d}}/none.nc", None, ["none.nc"]),
    ("output path", f"{RUN} --restart {{d}}/ck.nc", {"ck.nc": "not a checkpoint"}, ["ck.nc"]),
    ("output path", f"met {S} -o ''", None, ["output", "''"]),
    ("output path", f"met {S} -o {{d}}/sub", {"sub/keep.txt": "x"}, ["sub", "folder"]),
    # -- sizes -----------------------------------------------------------------------------------------------------
    ("grid size", f"{RUN} --set domain.resolution=0.0001", None, ["GiB", "--allow-large", "10000"]),
    ("grid size", f"{RUN} --set domain.grid=projected --set domain.nx=200000 --set domain.ny=200000 "
                  "--set domain.dx=10.0 --set domain.dy=10.0", None, ["GiB", "--allow-large", "200000"]),
    ("grid size", "run {d}/b.toml -o {d}/out.nc", {"b.toml": LAYERS.format(thickness=0.01, layers=100000000)},
     ["layer_thickness", "0.01", "100000000", "50000 m"]),
    ("grid size", "run {d}/b.toml -o {d}/out.nc --set domain.resolution=0.01",
     {"b.toml": LAYERS.format(thickness=1.0, layers=40000)}, ["GiB", "--allow-large", "100 x 100 x 40000"]),
    ("grid size", f"{MET} --set domain.resolution=0.0001", None, ["GiB", "--allow-large"]),
    ("grid size", f"{RUN} --set run.time_step=1.0 --set run.hours=100000000000", None,
     ["run", "360000000000000 steps", "1 s"]),
    # -- stack CSVs ------------------------------------------------------------------------------------------------
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace("5000", "1e300")}, ["st.csv", "1e300"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace("5000", "-5")}, ["st.csv", "-5"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace("5000", "lots")}, ["st.csv", "'lots'"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace("5000", "nan")}, ["st.csv", "'nan'"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace("5000", "inf")}, ["st.csv", "'inf'"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER.replace("t/yr", "t/week") + STACK}, ["st.csv", "'t/week'"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER.replace(",exit_velocity[m/s]", "") + STACK.replace(",15,", ",")},
     ["st.csv", "exit_velocity"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace("power", "steel")}, ["st.csv", "'steel'"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace(",5,15,", ",0,15,")}, ["st.csv", "diameter", "0"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace(",150,", ",1e7,")}, ["st.csv", "height", "1e7"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace(",400,", ",-10,")},
     ["st.csv", "exit_temperature", "-10"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace(",15,", ",1e9,")},
     ["st.csv", "exit_velocity", "1e9"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace("116.4", "400.0")}, ["st.csv", "400"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK.replace(",5000", "")}, ["st.csv", "9 fields"]),
    ("stack CSV", STACKS, {"st.csv": STACK_HEADER + STACK + STACK}, ["st.csv", "duplicate id 'S1'"]),
    ("stack CSV", STACKS + " --set emissions.out_of_domain=error",
     {"st.csv": STACK_HEADER + STACK.replace("116.4", "118.0")}, ["st.csv", "118"]),
    ("stack CSV", STACKS, {"st.csv": b"\xff\xfe" + STACK_HEADER.encode()}, ["st.csv", "UTF-8"]),
    ("stack CSV", STACKS, {"st.csv/x": ""}, ["st.csv", "folder"]),
    ("stack CSV", STACKS, None, ["st.csv", "not found"]),
    ("stack CSV", STACKS, {"st.csv": ""}, ["st.csv"]),
    # -- area / region tables --------------------------------------------------------------------------------------
    ("region table", TOTALS, {"rt.csv": TOTALS_HEADER + "A1,Atlantis,industry,area,10\n"}, ["rt.csv", "'Atlantis'"]),
    ("region table", TOTALS, {"rt.csv": TOTALS_HEADER + "A1,Beijing,industry,nightlights,10\n"},
     ["rt.csv", "'nightlights'"]),
    ("region table", TOTALS, {"rt.csv": TOTALS_HEADER + "A1,Beijing,industry,area,inf\n"}, ["rt.csv", "'inf'"]),
    ("region table", TOTALS, {"rt.csv": TOTALS_HEADER + "A1,Beijing,industry,area,1e300\n"}, ["rt.csv", "1e300"]),
    ("region table", TOTALS, {"rt.csv": TOTALS_HEADER + "A1,Beijing,industry,area,-4\n"}, ["rt.csv", "-4"]),
    ("region table", TOTALS, {"rt.csv": TOTALS_HEADER + "A1,Beijing,farming,area,4\n"}, ["rt.csv", "'farming'"]),
    ("region table", TOTALS, {"rt.csv": TOTALS_HEADER.replace("proxy,", "") + "A1,Beijing,industry,4\n"},
     ["rt.csv", "proxy"]),
    ("region table", TOTALS, {"rt.csv": b"id,region\xff\n"}, ["rt.csv", "UTF-8"]),
    # -- profile and speciation tables -----------------------------------------------------------------------------
    ("profile table", f"{STACKS} --set emissions.temporal_profiles=tp.csv",
     {"st.csv": STACK_HEADER + STACK, "tp.csv": "profile,kind,index,weight\npower,month,1,-1.0\n"}, ["tp.csv", "-1.0"]),
    ("profile table", f"{STACKS} --set emissions.temporal_profiles=tp.csv",
     {"st.csv": STACK_HEADER + STACK, "tp.csv": "profile,kind,index,weight\npower,month,1,nan\n"}, ["tp.csv", "nan"]),
    ("profile table", f"{STACKS} --set emissions.temporal_profiles=tp.csv",
     {"st.csv": STACK_HEADER + STACK, "tp.csv": "profile,kind,index,weight\npower,season,1,1.0\n"},
     ["tp.csv", "'season'"]),
    ("profile table", f"{STACKS} --set emissions.temporal_profiles=tp.csv",
     {"st.csv": STACK_HEADER + STACK, "tp.csv": "profile,kind,index,weight\npower,month,13,1.0\n"}, ["tp.csv", "13"]),
    ("profile table", f"{STACKS} --set emissions.temporal_profiles=tp.csv",
     {"st.csv": STACK_HEADER + STACK, "tp.csv": "profile,kind,weight\npower,month,1.0\n"}, ["tp.csv", "index"]),
    ("profile table", f"{TOTALS} --set emissions.vertical_profiles=vp.csv",
     {"rt.csv": TOTALS_HEADER + "A1,Beijing,industry,area,10\n",
      "vp.csv": "profile,bottom[m],top[m],fraction\nindustry,0,20,1.5\n"}, ["vp.csv", "1.5"]),
    ("profile table", f"{TOTALS} --set emissions.vertical_profiles=vp.csv",
     {"rt.csv": TOTALS_HEADER + "A1,Beijing,industry,area,10\n",
      "vp.csv": "profile,bottom[m],top[m],fraction\nindustry,50,20,1.0\n"}, ["vp.csv", "50"]),
    ("profile table", f"{TOTALS} --set emissions.vertical_profiles=vp.csv",
     {"rt.csv": TOTALS_HEADER + "A1,Beijing,industry,area,10\n",
      "vp.csv": "profile,bottom[m],top[m],fraction\nindustry,0,inf,1.0\n"}, ["vp.csv", "inf"]),
    ("speciation table", f"{STACKS} --set emissions.speciation=sp.csv",
     {"st.csv": STACK_HEADER + STACK, "sp.csv": "sector,pollutant,species,fraction,basis\n*,SO2,SO2,-0.5,mole\n"},
     ["sp.csv", "-0.5"]),
    ("speciation table", f"{STACKS} --set emissions.speciation=sp.csv",
     {"st.csv": STACK_HEADER + STACK, "sp.csv": "sector,pollutant,species,fraction,basis\n*,SO2,SO2,nan,mole\n"},
     ["sp.csv", "nan"]),
    ("speciation table", f"{STACKS} --set emissions.speciation=sp.csv",
     {"st.csv": STACK_HEADER + STACK, "sp.csv": "sector,pollutant,species,fraction,basis\n*,SO2,SO2,1.0,volume\n"},
     ["sp.csv", "'volume'"]),
    ("speciation table", f"{STACKS} --set emissions.speciation=sp.csv",
     {"st.csv": STACK_HEADER + STACK, "sp.csv": "sector,pollutant,species,fraction,basis\n*,SOX,SO2,1.0,mole\n"},
     ["sp.csv", "'SOX'"]),
    ("speciation table", f"{STACKS} --set emissions.speciation=nowhere.csv", {"st.csv": STACK_HEADER + STACK},
     ["nowhere"]),
    # a table for another mechanism: grs_aero's NMVOC -> ROC would vanish in a cb05_aero run
    ("speciation table", f"{STACKS} --set chemistry.mechanism='cb05_aero' --set emissions.speciation=grs_aero "
                         "--set emissions.mechanism=grs_aero",
     {"st.csv": STACK_HEADER.replace("SO2[t/yr]", "NMVOC[t/yr]") + STACK},
     ["NMVOC", "cb05_aero", "grs_aero.csv", "emissions.speciation"]),
    ("mobile table", MOBILE, {"ef.csv": EF, "va.csv": VA.replace(",10", ",-10")}, ["va.csv", "-10"]),
    ("mobile table", MOBILE, {"ef.csv": EF, "va.csv": VA.replace(",10", ",nan")}, ["va.csv", "nan"]),
    ("mobile table", MOBILE, {"ef.csv": EF, "va.csv": VA.replace(",10", ",1e300")}, ["va.csv", "1e300"]),
    ("mobile table", MOBILE, {"ef.csv": EF, "va.csv": VA.replace("private_car", "hovercraft")},
     ["va.csv", "hovercraft"]),
    ("mobile table", MOBILE, {"ef.csv": EF.replace("0.35", "-0.35"), "va.csv": VA}, ["ef.csv", "-0.35"]),
    ("mobile table", MOBILE, {"ef.csv": EF.replace("0.35", "inf"), "va.csv": VA}, ["ef.csv", "inf"]),
    ("mobile table", MOBILE, {"ef.csv": EF.replace("0.35", "1e300"), "va.csv": VA}, ["ef.csv", "1e300"]),
    ("road file", ROADS, {"ef.csv": EF, "r.geojson": ROAD.format(volume="NaN", lon="116.5")},
     ["r.geojson", "volume", "nan"]),
    ("road file", ROADS, {"ef.csv": EF, "r.geojson": ROAD.format(volume="1e300", lon="116.5")},
     ["r.geojson", "volume_private_car", "1e+300"]),
    ("road file", ROADS, {"ef.csv": EF, "r.geojson": ROAD.format(volume="-5", lon="116.5")}, ["r.geojson", "-5"]),
    ("road file", ROADS, {"ef.csv": EF, "r.geojson": ROAD.format(volume="500", lon="Infinity")},
     ["r.geojson", "R1", "non-finite coordinates"]),
    ("road file", ROADS, {"ef.csv": EF, "r.geojson": ROAD.format(volume="500", lon="116.5")[:-3]},
     ["r.geojson", "not valid JSON"]),
    # -- gridded NetCDF inventories --------------------------------------------------------------------------------
    ("gridded NetCDF", GRIDDED, "gridded_nan", ["g.nc", "SO2_industry", "nan"]),
    ("gridded NetCDF", GRIDDED, "gridded_inf", ["g.nc", "SO2_industry", "inf"]),
    ("gridded NetCDF", GRIDDED, "gridded_negative", ["g.nc", "SO2_industry", "-1"]),
    ("gridded NetCDF", GRIDDED, "gridded_units", ["g.nc", "SO2_industry", "furlongs"]),
    ("gridded NetCDF", GRIDDED, {"g.nc": "not a NetCDF file"}, ["g.nc"]),
    ("gridded NetCDF", GRIDDED, None, ["g.nc", "not found"]),
    # -- station meteorology CSV -----------------------------------------------------------------------------------
    ("station CSV", STATION_RUN, {"met.csv": b"\xff\xfe" + station().encode()}, ["met.csv", "UTF-8"]),
    ("station CSV", STATION_RUN, {"met.csv/x": ""}, ["met.csv", "folder"]),
    ("station CSV", STATION_RUN, None, ["met.csv", "not found"]),
    ("station CSV", STATION_RUN, {"met.csv": station(station_row(1, precipitation=5.0))},
     ["met.csv", "line 3", "line 5", "2008-08-08"]),
    ("station CSV", STATION_RUN, {"met.csv": station(station_row(1))}, ["met.csv", "line 3", "line 5"]),
    ("station CSV", STATION_RUN, {"met.csv": station(station_row(2, dew_point=30.0))},
     ["met.csv", "dew_point", "30.0", "temperature"]),
    ("station CSV", STATION_RUN, {"met.csv": station(station_row(3, wind_speed=-1))}, ["met.csv", "wind_speed", "-1"]),
    ("station CSV", STATION_RUN, {"met.csv": station(station_row(3, temperature="nan"))},
     ["met.csv", "temperature", "nan"]),
    ("station CSV", STATION_RUN, {"met.csv": station(station_row(3, pressure="1e308"))},
     ["met.csv", "pressure", "1e+308"]),
    ("station CSV", STATION_RUN, {"met.csv": station(station_row(3, cloud_cover=1.5))},
     ["met.csv", "cloud_cover", "1.5"]),
    ("station CSV", STATION_RUN, {"met.csv": station(station_row(3, wind_direction="north"))},
     ["met.csv", "wind_direction", "'north'"]),
    ("station CSV", STATION_RUN, {"met.csv": station("2008-08-08 25:00,2,200,25,18,1005,0,0.3")},
     ["met.csv", "'2008-08-08 25:00'"]),
    ("station CSV", STATION_RUN, {"met.csv": STATION_HEADER.replace(",cloud_cover", "") + "x\n"},
     ["met.csv", "cloud_cover"]),
    ("station CSV", STATION_RUN, {"met.csv": station(hours=1)}, ["met.csv", "two"]),
    ("station CSV", STATION_RUN + " --set run.hours=5", {"met.csv": station()}, ["met.csv", "does not cover"]),
    ("station CSV", f"{RUN} --set meteorology.source=station", None, ["meteorology.file"]),
    ("station CSV", STATION_RUN + " --set meteorology.roughness_length=0", {"met.csv": station()},
     ["roughness_length", "0"]),
    ("station CSV", STATION_MET, {"met.csv": station(station_row(1, precipitation=5.0))}, ["met.csv", "line 5"]),
    ("station CSV", STATION_MET, {"met.csv": station(station_row(2, dew_point=30.0))},
     ["met.csv", "dew_point", "30.0"]),
    # -- WRF and CF NetCDF meteorology -----------------------------------------------------------------------------
    ("WRF NetCDF", WRF, "wrf_nan", ["wrfout_d01", "variable T2", "nan", "Time=0, south_north=1, west_east=1"]),
    ("WRF NetCDF", WRF, "wrf_inf", ["wrfout_d01", "variable U", "inf", "Time=0, bottom_top=0, south_north=1"]),
    ("WRF NetCDF", WRF, "wrf_precipitation", ["wrfout_d01", "variable RAINNC", "nan", "Time=2"]),
    ("WRF NetCDF", WRF, "wrf_geometry", ["wrfout_d01", "variable HGT", "inf", "Time=0"]),
    ("WRF NetCDF", WRF, "wrf_missing_var", ["wrfout", "PBLH"]),
    ("WRF NetCDF", WRF, None, ["wrfout_*"]),
    ("WRF NetCDF", WRF, {"wrfout_d01": "not NetCDF"}, ["wrfout_d01"]),
    ("CF NetCDF", CF, "cf_nan", ["era5_sl_20080808.nc", "t2m", "nan", "latitude=6, longitude=7"]),
    ("CF NetCDF", CF, "cf_inf", ["era5_pl_20080808.nc", "variable u", "inf", "level=0, latitude=6, longitude=7"]),
    ("CF NetCDF", CF, "cf_missing", ["era5_pl_20080808.nc", "variable t ", "missing value", "latitude=6, longitude=7"]),
    ("CF NetCDF", CF, None, ["era5_*.nc"]),
    ("CF NetCDF", CF, {"era5_x.nc": "not NetCDF"}, ["era5_x.nc"]),
    ("CF NetCDF", f"{CF} --set meteorology.accumulation_hours=0", None, ["accumulation_hours", "0"]),
    # -- mechanism files --------------------------------------------------------------------------------------------
    ("mechanism file", f"{RUN} --set chemistry.mechanism=m.mech", {"m.mech": "this is not a mechanism\n"}, ["m.mech"]),
    ("mechanism file", f"{RUN} --set chemistry.mechanism=m.mech", {"m.mech": b"\xff\xfe\n"}, ["m.mech", "UTF-8"]),
    ("mechanism file", f"{RUN} --set chemistry.mechanism=m.mech", {"m.mech": MECH.format(mw="nan", k="1.0")},
     ["m.mech", "nan"]),
    ("mechanism file", f"{RUN} --set chemistry.mechanism=m.mech", {"m.mech": MECH.format(mw="-30.0", k="1.0")},
     ["m.mech", "-30.0"]),
    ("mechanism file", f"{RUN} --set chemistry.mechanism=m.mech", {"m.mech": MECH.format(mw="30.0", k="inf")},
     ["m.mech", "inf"]),
    ("mechanism file", f"{RUN} --set chemistry.mechanism=m.mech --set 'output.variables=[\"NO3\"]'",
     {"m.mech": MECH.format(mw="30.0", k="1.0")}, ["output.variables[0]", "'NO3'", "tr, NO"]),
    # -- boundary files --------------------------------------------------------------------------------------------
    ("boundary file", BOUNDARY, {"bc.csv": BC_HEADER + "tr,west,0,nan,ug m-3\n"}, ["bc.csv", "nan"]),
    ("boundary file", BOUNDARY, {"bc.csv": BC_HEADER + "tr,west,0,inf,ug m-3\n"}, ["bc.csv", "inf"]),
    ("boundary file", BOUNDARY, {"bc.csv": BC_HEADER + "tr,west,0,-1,ug m-3\n"}, ["bc.csv", "-1"]),
    ("boundary file", BOUNDARY, {"bc.csv": BC_HEADER + "tr,sky,0,1,ug m-3\n"}, ["bc.csv", "'sky'"]),
    ("boundary file", BOUNDARY, None, ["bc.csv", "is not a file"]),
    ("boundary file", f"{RUN} --set boundary.source=cf --set boundary.file=bc.nc", None, ["bc.nc"]),
    ("boundary file", f"{RUN} --set boundary.source=cf --set boundary.file=bc.nc", {"bc.nc": "not NetCDF"}, ["bc.nc"]),
    # -- station lists ---------------------------------------------------------------------------------------------
    ("station list", f"{RUN} --set output.stations=sl.csv", {"sl.csv": "code,name,lat,lon\nX1,x,95.0,116.4\n"},
     ["sl.csv", "95.0"]),
    ("station list", f"{RUN} --set output.stations=sl.csv", {"sl.csv": "code,name,lat,lon\nX1,x,nan,116.4\n"},
     ["sl.csv", "nan"]),
    ("station list", f"{RUN} --set output.stations=sl.csv", {"sl.csv": "code,name,lat,lon\nX1,x,30.0,100.0\n"},
     ["output.stations", "X1", "30.0000 N", "outside the grid"]),
    ("station list", f"{RUN} --set output.stations=sl.csv", {"sl.csv": "code,name\nX1,x\n"}, ["sl.csv", "code,name"]),
    # -- names that clash, checkpoints ----------------------------------------------------------------------------
    ("scenario key", f"{RUN} --set species.t2.initial=1.0", None, ["species.t2", "'t2'"]),
    ("scenario key", f"{RUN} --set species.AQI.initial=1.0", None, ["species.AQI", "'AQI'"]),
    ("scenario key", f"{RUN} --set output.checkpoint_interval_hours=-1.0", None, ["checkpoint_interval_hours", "-1.0"]),
    ("scenario key", f"{RUN} --set output.checkpoint_interval_hours=1.0 --set output.checkpoint_dir=ck",
     {"ck/checkpoint_20080808T010000.nc": "another run's"}, ["ck", "--force"]),
    # -- airmodel met ----------------------------------------------------------------------------------------------
    ("met option", f"{MET} --every 0", None, ["--every", "0"]),
    ("met option", f"{MET} --every -1", None, ["--every", "-1"]),
    ("met option", f"{MET} --every nan", None, ["--every", "nan"]),
    ("met option", f"{MET} --every inf", None, ["--every", "inf"]),
    ("met option", f"{MET} --every 2", None, ["--every", "2.0"]),
    ("met option", f"{MET} --every often", None, ["--every", "'often'"]),
    ("met option", f"{MET} --set run.hours=-1", None, ["run.hours", "-1"]),
    # -- box model -------------------------------------------------------------------------------------------------
    ("box case", BOX, None, ["box.toml", "not found"]),
    ("box case", BOX, box("latitude = 95.0\n"), ["latitude", "95.0"]),
    ("box case", BOX, box("rtol = 2.0\n"), ["rtol", "2.0"]),
    ("box case", BOX, box("emission_profile = [1.0, 2.0]\n"), ["emission_profile"]),
    ("box case", BOX, box("days = 1\n"), ["days", "hours"]),
    ("box case", BOX, box("[environment]\ntemperature = -5.0\n"), ["temperature", "-5.0"]),
    ("box case", BOX, box("[environment]\npressure = 1e12\n"), ["pressure", "1000000000000.0"]),
    ("box case", BOX, box("[environment]\ntemperature = 1e4\n"), ["temperature", "10000.0"]),
    ("box case", BOX, box("[environment]\nrelative_humidity = 150.0\n"), ["relative_humidity", "150.0"]),
    ("box case", BOX, box("[initial]\nO3 = -1.0\n"), ["O3", "-1.0"]),
    ("box case", BOX, box("[initial]\nO3 = nan\n"), ["O3", "nan"]),
    ("box case", BOX, box("[initial]\nXYZ = 1.0\n"), ["'XYZ'"]),
    ("box case", BOX, box("[emissions]\nNO = inf\n"), ["NO", "inf"]),
    ("box case", BOX, box("[wind]\nspeed = 1\n"), ["'wind'"]),
    ("box case", f"{BOX} --set box.hours=-2", box(""), ["box", "-2"]),
    ("box case", f"{BOX} --set environment.temperature=inf", box(""), ["temperature", "inf"]),
    ("box case", "box {d}/box.toml -o {d}/box.txt", box(""), ["box.txt"]),
    ("box case", "box {d}/box.toml -o ''", box(""), ["''"]),
    ("box case", "box {d}/box.toml -o {d}/sub", {**box(""), "sub/x": ""}, ["sub", ".csv or .nc"]),
    ("box case", "box {d}/box.toml -o {d}/b.csv --plot {d}/sub.png", {**box(""), "sub.png/x": ""},
     ["sub.png", "folder"]),
    # -- observation files (airmodel evaluate) --------------------------------------------------------------------
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": OBS_HEADER + "2008-08-08T09:00+08:00,1001A,O3,1e308,ug/m3\n"}, ["obs.csv", "1e+308"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": OBS_HEADER + "2008-08-08T09:00+08:00,1001A,O3,1e12,ppb\n"}, ["obs.csv", "1e+12 ppb"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": OBS_HEADER + "2008-08-08T09:00+08:00,1001A,O3,inf,ppb\n"}, ["obs.csv", "'inf'"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": OBS_HEADER + "2008-08-08T09:00+08:00,1099A,O3,40,ppb\n"}, ["obs.csv", "'1099A'"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": OBS_HEADER + "2008-08-08T09:00,1001A,O3,40,ppb\n"}, ["obs.csv", "'2008-08-08T09:00'"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": OBS_HEADER + "2008-08-08T09:00+08:00,1001A,O3,40,ug/l\n"}, ["obs.csv", "'ug/l'"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": OBS_HEADER + "2008-08-08T09:00+08:00,1001A,NOx,40,ppb\n"}, ["obs.csv", "'NOx'"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": OBS_HEADER + "2008-08-08T09:00+08:00,1001A,O3,4O,ppb\n"}, ["obs.csv", "'4O'"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": OBS_HEADER + "2008-08-08T09:00+08:00,1001A,CO,1e6,mg/m3\n"}, ["obs.csv", "1e+06 mg"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev", {"obs.csv": b"time,station\xff\n"},
     ["obs.csv", "UTF-8"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev", {"obs.csv/x": ""}, ["obs.csv", "folder"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev", None, ["obs.csv", "not found"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev", {"obs.csv": "a,b,c\n1,2,3\n"}, ["obs.csv"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": "date,hour,type,1001A\n20080808,0,O3,1e308\n"}, ["obs.csv", "1e+308"]),
    ("observation file", "evaluate {run} {d}/obs.csv -o {d}/ev",
     {"obs.csv": "date,hour,type,1001A\n20080808,25,PM2.5,40\n"}, ["obs.csv", "25"]),
    # -- evaluate: arguments and other inputs ----------------------------------------------------------------------
    ("evaluate argument", "evaluate {run} {obs} -o {d}/ev --spin-up -1", None, ["--spin-up", "-1"]),
    ("evaluate argument", "evaluate {run} {obs} -o {d}/ev --spin-up nan", None, ["--spin-up", "nan"]),
    ("evaluate argument", "evaluate {run} {obs} -o {d}/ev --spin-up 1e9", None, ["--spin-up", "1e+09"]),
    ("evaluate argument", "evaluate {d}/none.nc {obs} -o {d}/ev", None, ["none.nc", "not found"]),
    ("evaluate argument", "evaluate {d}/r.nc {obs} -o {d}/ev", {"r.nc": "not a run"}, ["r.nc"]),
    ("evaluate argument", "evaluate {run} {obs} -o {d}/ev --stations {d}/st.csv",
     {"st.csv": "code,name,lat,lon\n1001A,x,95.0,116.4\n"}, ["st.csv", "95.0"]),
    ("evaluate argument", "evaluate {run} {obs} -o {d}/ev --stations {d}/st.csv", None, ["st.csv", "not found"]),
    ("evaluate argument", "evaluate {run} {obs} -o {d}/ev --format xml", None, ["--format", "'xml'"]),
    ("evaluate argument", "evaluate {run} {obs} -o {d}/f", {"f": "a file"}, ["/f", "not a folder"]),
    # -- compare ---------------------------------------------------------------------------------------------------
    ("run file", "compare {d}/none.nc {run} -o {d}/cmp", None, ["none.nc", "not found"]),
    ("run file", "compare {run} {d}/x.nc -o {d}/cmp", {"x.nc": "not NetCDF"}, ["x.nc"]),
    ("run file", "compare {run} {run} -o {d}/cmp", {"cmp/x": "keep"}, ["cmp", "--force"]),
    ("run file", "compare {run} {run} -o {d}/nowhere/cmp", None, ["nowhere"]),
    # -- report ----------------------------------------------------------------------------------------------------
    ("run file", "report {d}/none.nc -o {d}/r.html", None, ["none.nc", "not found"]),
    ("run file", "report {d}/x.nc -o {d}/r.html", {"x.nc": "not NetCDF"}, ["x.nc"]),
    ("run file", "report {run} -o {d}/r.html --compare {d}/nocmp", None, ["nocmp"]),
    ("run file", "report {run} -o {d}/r.html --evaluation {d}/noev", None, ["noev"]),
    ("run file", "report {run} -o {d}/sub", {"sub/x": ""}, ["sub", "folder"]),
    ("run file", "report {run} -o {d}/r.html", {"r.html": "old"}, ["r.html", "--force"]),
    ("run file", "report {run} -o ''", None, ["''"]),
    # -- plot ------------------------------------------------------------------------------------------------------
    ("run file", "plot {d}/none.nc --var tr -o {d}/p.png", None, ["none.nc", "not found"]),
    ("run file", "plot {run} --var O4 -o {d}/p.png", None, ["'O4'"]),
    ("run file", "plot {run} --var tr --time 99 -o {d}/p.png", None, ["--time", "99"]),
    ("run file", "plot {run} --var tr -o ''", None, ["''"]),
    # -- ensemble files --------------------------------------------------------------------------------------------
    ("ensemble file", ENS, None, ["e.toml", "not found"]),
    ("ensemble file", ENS, {"e.toml": "[[members]\n"}, ["e.toml", "not valid TOML"]),
    ("ensemble file", ENS, {"e.toml": 'base = "none.toml"\n'}, ["none.toml", "not found"]),
    ("ensemble file", ENS, ensemble('[[members]]\nname = "a"\noverrides = ["run.hourz=3"]\n'), ["'a'", "'hourz'"]),
    ("ensemble file", ENS, ensemble('[[members]]\nname = "a"\noverrides = ["run.hours=nan"]\n'), ["run.hours", "nan"]),
    ("ensemble file", ENS, ensemble('[[members]]\nname = "a"\n[[members]]\nname = "a"\n'), ["'a'", "twice"]),
    ("ensemble file", ENS, ensemble('[[members]]\nname = "a b"\n'), ["'a b'"]),
    ("ensemble file", ENS, ensemble('[[sweeps]]\nname = "d"\nreductions = [0.2, 1.2]\n'), ["reductions", "1.2"]),
    ("ensemble file", ENS, ensemble('[[contributions]]\nname = "r"\nby = "regoin"\nsources = ["Hebei"]\n'),
     ["'regoin'"]),
    ("ensemble file", ENS, ensemble('[[member]]\nname = "a"\n'), ["'member'"]),
    ("ensemble file", f"{ENS} --workers 0", ensemble('[[members]]\nname = "a"\n'), ["--workers", "0"]),
    ("ensemble file", f"{ENS} --threads -1", ensemble('[[members]]\nname = "a"\n'), ["--threads", "-1"]),
    # -- health -------------------------------------------------------------------------------------------------
    ("run file", "health {d}/none.nc {run} -o {d}/h", None, ["none.nc", "not found"]),
    ("run file", "health {run} {d}/x.nc -o {d}/h", {"x.nc": "not NetCDF"}, ["x.nc"]),
    ("health argument", "health {run} {run} -o {d}/h --draws 0", None, ["--draws", "0"]),
    ("health argument", "health {run} {run} -o {d}/h --draws -5", None, ["--draws", "-5"]),
    ("health argument", "health {run} {run} -o {d}/h --vsl nobody", None, ["--vsl", "'nobody'"]),
    ("health argument", "health {run} {run} -o {d}/h --start 2008-13-40", None, ["--start", "2008-13-40"]),
    ("health argument", "health {run} {run} -o {d}/h --discount-rate nan", None, ["--discount-rate", "nan"]),
    ("health argument", "health {run} {run} -o {d}/h --functions {d}/f.csv", None, ["f.csv", "not found"]),
    ("health argument", "health {run} {run} -o {d}/h --functions {d}/f.csv", {"f.csv": "a,b\n1,2\n"}, ["f.csv"]),
    ("health argument", "health {run} {run} -o {d}/h", {"h": "a file"}, ["/h"]),
    # -- rank ------------------------------------------------------------------------------------------------------
    ("ranking file", "rank {d}/r.toml -o {d}/rk", None, ["r.toml", "not found"]),
    ("ranking file", "rank {d}/r.toml -o {d}/rk", {"r.toml": "[[x]\n"}, ["r.toml", "TOML"]),
    ("ranking file", "rank {d}/r.toml -o {d}/rk", {"r.toml": 'base = "s.toml"\nbogus = 1\n'}, ["r.toml", "bogus"]),
    ("ranking file", "rank {d}/r.toml -o {d}/rk --workers 0", {"r.toml": 'base = "s.toml"\n'}, ["--workers", "0"]),
    # -- inventory summarize ---------------------------------------------------------------------------------------
    ("inventory summarize", "inventory summarize {d}/s.toml --period 2008-13-01/2008-14-01", None,
     ["--period", "2008-13-01"]),
    ("inventory summarize", "inventory summarize {d}/s.toml --period 2008-08-02/2008-08-01", None, ["2008-08-02"]),
    ("inventory summarize", "inventory summarize {d}/s.toml --set emissions.point_files=['st.csv']",
     {"st.csv": STACK_HEADER + STACK.replace("5000", "1e300")}, ["st.csv", "1e300"]),
    ("inventory summarize", "inventory summarize {d}/missing.toml", None, ["missing.toml"]),
    ("inventory summarize", "inventory summarize {d}/s.toml -o {d}/sub", {"sub/x": ""}, ["sub", "folder"]),
    ("inventory summarize", "inventory summarize {d}/s.toml --set run.hours=nan", None, ["run.hours", "nan"]),
    # -- scenarios copy --------------------------------------------------------------------------------------------
    ("scenarios copy", "scenarios copy nonesuch {d}/c.toml", None, ["nonesuch", "no ready scenario"]),
    ("scenarios copy", "scenarios copy demo {d}/c.toml", {"c.toml": "old"}, ["c.toml", "--force"]),
    ("scenarios copy", "scenarios copy demo {d}/nowhere/c.toml", None, ["nowhere"]),
    ("scenarios copy", "scenarios copy demo {d}/sub", {"sub/x": ""}, ["sub", "folder"]),
    ("scenarios copy", "scenarios copy demo ''", None, ["''"]),
]


# -- makers of NetCDF inputs ------------------------------------------------------------------------------------------
def _gridded(folder: Path, value=1e-12, units="kg m-2 s-1"):
    lon, lat = np.arange(116.05, 117.0, 0.1), np.arange(39.55, 40.5, 0.1)
    data = np.full((lat.size, lon.size), 1e-12)
    data[3, 4] = value
    with netCDF4.Dataset(folder / "g.nc", "w") as ds:
        ds.createDimension("lon", lon.size)
        ds.createDimension("lat", lat.size)
        ds.createVariable("lon", "f8", ("lon",))[:] = lon
        ds.createVariable("lat", "f8", ("lat",))[:] = lat
        v = ds.createVariable("SO2_industry", "f8", ("lat", "lon"))
        v.units = units
        v[:] = data


def _poison(path: Path, name: str, value: float, index=(0, 0, 1, 1)):
    """Put ``value`` at one element of variable ``name`` (a file written valid, then spoiled)."""
    with netCDF4.Dataset(path, "a") as ds:
        v = ds.variables[name]
        v.set_auto_maskandscale(False)
        data = np.array(v[:])
        data[index[-data.ndim:]] = value
        v[:] = data


def _wrf(folder: Path, poison=None, drop=()):
    from tests.unit.test_met_wrf import hours, write_wrfout
    path = folder / "wrfout_d01_2008-08-08_00:00:00"
    write_wrfout(path, hours(0, 1, 2), nx=12, ny=12, drop=drop)
    if poison:
        _poison(path, *poison)


def _cf(folder: Path, poison=None):
    from tests.unit.test_met_cf import write_era5
    pl, sl = write_era5(folder, "20080808", range(0, 4))
    if poison:
        _poison(sl if poison[0] == "sl" else pl, *poison[1:])


def _met_file(folder: Path):
    main(["met", str(folder / "s.toml"), "-o", str(folder / "m.nc")])


MAKERS = {
    "gridded_nan": lambda d: _gridded(d, np.nan),
    "gridded_inf": lambda d: _gridded(d, np.inf),
    "gridded_negative": lambda d: _gridded(d, -1.0),
    "gridded_units": lambda d: _gridded(d, units="furlongs"),
    "wrf_nan": lambda d: _wrf(d, ("T2", np.nan)),
    "wrf_inf": lambda d: _wrf(d, ("U", np.inf)),
    "wrf_precipitation": lambda d: _wrf(d, ("RAINNC", np.nan, (2, 3, 3))),
    "wrf_geometry": lambda d: _wrf(d, ("HGT", np.inf, (0, 3, 3))),
    "wrf_missing_var": lambda d: _wrf(d, drop=("PBLH",)),
    "cf_nan": lambda d: _cf(d, ("sl", "t2m", np.nan, (1, 6, 7))),  # 40 N, 116.5 E: inside the model domain
    "cf_inf": lambda d: _cf(d, ("pl", "u", np.inf, (1, 0, 6, 7))),
    "cf_missing": lambda d: _cf(d, ("pl", "t", -32767, (1, 0, 6, 7))),  # the packed _FillValue
    "met_file": _met_file,
}


def _listing(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.is_dir(), p.stat().st_size if p.is_file() else 0)
            for p in folder.rglob("*")}


def _case_id(case) -> str:
    kind, line = case[0], case[1]
    return f"{kind}: {line}"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A valid one-hour run file and observation file, made once (outside the cases' folders)."""
    folder = tmp_path_factory.mktemp("corpus_shared")
    text = (TINY.replace('stations = "none"', 'stations = "beijing"')
            + '[species.O3]\nunits = "ug m-3"\ninitial = 80.0\n')
    (folder / "s.toml").write_text(text, encoding="utf-8")
    assert main(["-q", "run", str(folder / "s.toml"), "-o", str(folder / "run.nc")]) == 0
    (folder / "obs.csv").write_text(OBS_HEADER + "2008-08-08T09:00+08:00,1001A,O3,40,ppb\n", encoding="utf-8")
    return {"run": str(folder / "run.nc"), "obs": str(folder / "obs.csv")}


def _prepare(folder: Path, files) -> None:
    (folder / "s.toml").write_text(TINY, encoding="utf-8")
    if files is None:
        return
    if isinstance(files, str):
        MAKERS[files](folder)
        return
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")


def _argv(line: str, folder: Path, shared: dict) -> list[str]:
    """The command line's words: split at spaces, quotes kept (so that ``--set k='text'`` and ``['a.csv']`` reach
    the TOML reader as written); ``''`` is an empty word."""
    words = shlex.split(line.format(d=folder, run=shared["run"], obs=shared["obs"]), posix=False)
    return [w[1:-1] if len(w) >= 2 and w[0] == w[-1] == "'" else w for w in words]


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_bad_input(case, tmp_path, shared, capsys, monkeypatch):
    kind, line, files, expect = case
    folder = tmp_path / "case"
    folder.mkdir()
    _prepare(folder, files)
    monkeypatch.chdir(folder)
    before = _listing(folder)
    try:
        code = main(_argv(line, folder, shared))
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    text = out + err
    assert code == 2, text
    assert "Traceback" not in text, text
    missing = [f for f in expect if f not in text]
    assert not missing, f"{missing} not in: {text}"
    assert _listing(folder) == before, text


def test_the_corpus_covers_every_kind_and_command():
    from airmodel.cli import command_modules

    assert len(CASES) >= 150
    commands = {line.split()[0] for _, line, _, _ in CASES}
    assert commands == set(command_modules()), commands
    kinds = {c[0] for c in CASES}
    assert {"scenario file", "scenario key", "--set", "stack CSV", "region table", "profile table",
            "speciation table", "gridded NetCDF", "station CSV", "WRF NetCDF", "CF NetCDF", "observation file",
            "ensemble file", "box case", "mechanism file", "grid size", "output path", "road file", "mobile table",
            "boundary file", "station list", "met option", "evaluate argument", "run file"} <= kinds


#: A few cases as real processes: no traceback reaches a terminal.
PROCESS_CASES = [c for c in CASES if c[1] in (f"{RUN} --set domain.resolution=0.0001", f"{MET} --every 0",
                                               f"run {S} -o ''")]


@pytest.mark.parametrize("case", PROCESS_CASES, ids=[_case_id(c) for c in PROCESS_CASES])
def test_bad_input_in_a_process(case, tmp_path, shared):
    kind, line, files, expect = case
    folder = tmp_path / "case"
    folder.mkdir()
    _prepare(folder, files)
    before = _listing(folder)
    r = subprocess.run([sys.executable, "-m", "airmodel.cli", *_argv(line, folder, shared)], capture_output=True,
                       text=True, cwd=folder, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert all(f in r.stderr for f in expect), r.stderr
    assert _listing(folder) == before


def test_allow_large_lifts_the_memory_limit(tmp_path, monkeypatch, capsys):
    """The estimate refuses a run above the limit, --allow-large runs it: here with the limit lowered below the tiny
    scenario's estimate, so that the opt-in is shown without allocating gigabytes."""
    import airmodel.scenario

    (tmp_path / "s.toml").write_text(TINY, encoding="utf-8")
    estimate = airmodel.scenario.estimate_resources(airmodel.scenario.load(tmp_path / "s.toml"))
    assert estimate.shape == (2, 2, 2) and estimate.species == 1 and estimate.steps == 6
    monkeypatch.setattr(airmodel.scenario, "MEMORY_LIMIT_BYTES", estimate.memory / 2)
    out = tmp_path / "out.nc"
    assert main(["run", str(tmp_path / "s.toml"), "-o", str(out)]) == 2
    assert "--allow-large" in capsys.readouterr().err and not out.exists()
    assert main(["run", str(tmp_path / "s.toml"), "-o", str(out), "--allow-large"]) == 0
    assert out.is_file()


def test_the_estimate_grows_with_cells_species_and_steps(tmp_path):
    """Memory is linear in the cells and in the species per cell; time also in the steps."""
    from airmodel.scenario import BASE_BYTES, estimate_resources, load

    (tmp_path / "s.toml").write_text(TINY, encoding="utf-8")
    base = estimate_resources(load(tmp_path / "s.toml"))
    finer = estimate_resources(load(tmp_path / "s.toml", ["domain.resolution=0.25"]))
    longer = estimate_resources(load(tmp_path / "s.toml", ["run.hours=2"]))
    more = estimate_resources(load(tmp_path / "s.toml", ["species.b.initial=0.0"]))
    assert (finer.memory - BASE_BYTES) == pytest.approx(4 * (base.memory - BASE_BYTES), rel=1e-12)
    assert longer.memory == base.memory and longer.seconds == pytest.approx(2 * base.seconds, rel=1e-12)
    assert more.species == 2 and more.memory > base.memory
