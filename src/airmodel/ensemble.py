"""Ensembles of scenario runs on dask.distributed: ``airmodel ensemble ENSEMBLE.toml -o DIR``.

An ensemble file names a base scenario and its members. Every member is the base scenario with ``--set``-style
overrides and/or extra ``[[controls]]`` entries appended to the base's own; one member is one dask task, run on a
``LocalCluster`` (``--workers N``) or on the workers of a running scheduler (``--scheduler ADDRESS``). There is no
scheduler of our own: dask does the queueing, the retries when a worker dies, and the load balancing.

Ensemble file (TOML; paths relative to the file)::

    description = "what the ensemble asks"
    base = "../demo.toml"                        # the base scenario (required)
    overrides = ["run.hours=24"]                 # applied to every member, as --set

    [analysis]                                   # what the tables report (airmodel/analysis/contributions.py)
    spinup_hours = 24                            # hours left out at the start of every member
    metrics = ["PM25", "O3", "O3_mda8"]          # output variables (period means), or NAME_mda8
    stations = ""                                # station list CSV (default: Beijing's 12 national stations)
    focus_station = "1011A"                      # the receptor the console table shows first
    daily = true                                 # contributions by local day as well as over the period

    [[members]]                                  # explicit members
    name = "no_hebei_industry"
    overrides = ["meteorology.wind_scale=0.8"]
    controls = [{ region = "Hebei", sectors = ["industry"], reduction = 1.0 }]

    [[contributions]]                            # brute-force source contributions
    name = "regions"
    by = "region"                                # or "sector"
    sources = ["Beijing", "Tianjin", "Hebei"]    # one member each, plus one with all of them together
    reduction = 1.0                              # the fraction removed (1: zero-out; 0.2: scaled by 1/0.2)
    # sectors = [...], pollutants = [...] restrict what is removed (by = "region");
    # region = "Beijing", pollutants = [...] restrict it (by = "sector")

    [[sweeps]]                                   # response curves: regions x sectors x pollutants x reductions
    name = "depth"
    regions = ["Beijing"]                        # region names, or "everywhere"
    sectors = ["all", "transport"]               # a sector, several joined by "+" ("power+industry"), or "all"
    pollutants = ["all"]                         # a pollutant, several joined by "+" ("PM10+PM2.5"), or "all"
    reductions = [0.2, 0.4, 0.6, 0.8, 1.0]       # 0 is the base member

The base scenario is always a member, named ``base``. Generated members are named ``GROUP.SOURCE`` and
``GROUP.together`` (contributions) or ``GROUP.REGION.SECTOR.POLLUTANT.PERCENT`` (sweeps). Two members with the
same resolved scenario are run once (the second is listed ``same_as`` the first).

Every member is validated here, with the scenario module's own loading, before anything is submitted: a bad member
is an InputError naming the ensemble file, the member and the key. Region names are checked against the boundaries
too; what needs the inventory itself (source ids, vehicle classes) is checked on the worker, where a bad member
fails alone.

Under DIR: ``members/NAME.nc`` (written by the worker through the run driver: ``NAME.nc.part`` renamed when
complete), ``members/NAME.log`` (the member's run log), ``index.csv`` (members, settings, status, error, worker and
time; rewritten atomically as members finish) and the analysis tables and plots. DIR must be visible to the
workers and to this command under the same path (a shared file system on a cluster).

A re-run skips members whose output is complete: the file exists (the rename makes that atomic) and the scenario
recorded in it equals the member's (``run.threads`` and ``run.progress`` aside). A file made from other settings
is an error unless ``--force``, which recomputes every member. A worker that dies loses only the member it was
running: dask resubmits that task to another worker (up to ``distributed.scheduler.allowed-failures`` times);
finished members are files already. A member that fails is reported with its error and does not stop the others.

Numba threads: each member task sets ``numba.set_num_threads`` to the threads its worker should use, so that
workers x threads = cores (a LocalCluster's workers also start with NUMBA_NUM_THREADS and OMP_NUM_THREADS set to
that number).
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import re
import threading
import time as wallclock
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .analysis.contributions import analyse_ensemble
from .analysis.stations import read_station_list
from .data import resolve_scenario
from .driver import command_line_text, execute
from .emissions.regions import find_region
from .errors import InputError, ModelHealthError
from .files import atomic_file, read_toml_text, write_csv_atomic
from .scenario import apply_overrides, read_toml, validate
from .schema import NUMBER, fill_table, key

COMMAND = "ensemble"
INDEX_NAME = "index.csv"
MEMBERS_DIR = "members"
BASE_MEMBER = "base"
EVERYWHERE = "everywhere"
ALL = "all"
#: Keys that do not change a member's results: left out when an existing output is compared with its member.
RESULT_NEUTRAL_RUN_KEYS = ("threads", "progress")
#: Overrides every member gets: no progress line from the workers; Numba threads set by the task, not the scenario.
MEMBER_RUN_OVERRIDES = ("run.progress=false", "run.threads=0")

log = logging.getLogger("airmodel")

TOP_KEYS = {
    "description": key(str, "", doc="what the ensemble asks"),
    "base": key(str, doc="the base scenario file, relative to the ensemble file"),
    "overrides": key(list, [], doc='section.key=value overrides applied to every member, e.g. ["run.hours=24"]'),
    "analysis": key(dict, {}, doc="what the tables report"),
    "members": key(list, [], doc="explicit members: [[members]] with name, overrides, controls"),
    "contributions": key(list, [], doc="brute-force source contributions: [[contributions]]"),
    "sweeps": key(list, [], doc="response curves: [[sweeps]]"),
}

ANALYSIS_KEYS = {
    "spinup_hours": key(NUMBER, 0, doc="hours left out at the start of every member", minimum=0),
    "metrics": key(list, ["PM25", "O3", "O3_mda8"],
                   doc="output variables (period means of hourly values), or NAME_mda8 (daily maximum 8-h means)"),
    "stations": key(str, "", doc="station list CSV (code,name,lat,lon); default: Beijing's 12 national stations"),
    "focus_station": key(str, "1011A", doc="the station shown first (1011A Aotizhongxin: the Olympic stadium area)"),
    "daily": key(bool, True, doc="contributions by local day as well as over the whole period"),
}

MEMBER_KEYS = {
    "name": key(str, doc="the member's name (letters, digits, _ . -); its output is members/NAME.nc"),
    "overrides": key(list, [], doc="section.key=value overrides, as --set"),
    "controls": key(list, [], doc="[[controls]] entries appended to the base scenario's"),
}

CONTRIBUTION_KEYS = {
    "name": key(str, doc="the group's name"),
    "by": key(str, choices=("region", "sector"), doc="what each source is: a region or a sector"),
    "sources": key(list, doc="the regions (names or codes) or sectors, one member each"),
    "reduction": key(NUMBER, 1.0, doc="fraction of each source's emissions removed (1: zero-out); contributions "
                                     "are scaled by 1/reduction", minimum=0, exclusive_minimum=True),
    "together": key(bool, True, doc="also run all sources removed together (for the non-linearity)"),
    "region": key(str, "", doc="by sector: where the sectors are cut (default: everywhere)"),
    "sectors": key(list, [], doc="by region: the sectors cut (default: all)"),
    "pollutants": key(list, [], doc="the pollutants cut (default: all)"),
}

SWEEP_KEYS = {
    "name": key(str, doc="the group's name"),
    "regions": key(list, [EVERYWHERE], doc='regions (names or codes), or "everywhere"'),
    "sectors": key(list, [ALL], doc='sectors (several joined by "+" cut together), or "all"'),
    "pollutants": key(list, [ALL], doc='pollutants (several joined by "+" cut together), or "all"'),
    "reductions": key(list, doc="depths of the measure, fractions 0..1 (0: the base member)"),
}

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


# ---------------------------------------------------------------------------------------------------------------
# The ensemble and its members
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class Member:
    """One member: the base scenario with overrides and extra controls."""

    name: str
    kind: str  # base, member, contribution, together, sweep
    group: str = ""
    source: str = ""
    region: str = ""
    sectors: tuple = ()
    pollutants: tuple = ()
    reduction: float = 0.0
    overrides: tuple = ()
    controls: tuple = ()
    raw: dict = field(default_factory=dict, repr=False)  # the scenario the worker runs (overrides applied)
    text: str = field(default="", repr=False)  # the resolved scenario, as recorded in the output
    file: str = ""  # its output, relative to DIR
    same_as: str = ""  # the earlier member with the same resolved scenario, whose output it shares


@dataclass
class ContributionGroup:
    name: str
    by: str
    reduction: float
    sources: list  # [(source, member name)]
    together: str | None  # member name, or None


@dataclass
class SweepLine:
    label: str
    region: str
    sector: str
    pollutant: str
    points: list  # [(reduction, member name)], the base member at 0


@dataclass
class SweepGroup:
    name: str
    lines: list  # [SweepLine]


@dataclass
class Ensemble:
    path: Path
    description: str
    base: Path
    members: list
    contributions: list
    sweeps: list
    analysis: dict

    def member(self, name: str) -> Member:
        return next(m for m in self.members if m.name == name)

    def runs(self) -> list:
        """The members that are run (those not sharing another member's output)."""
        return [m for m in self.members if not m.same_as]


def _safe(text: str) -> str:
    """A member-name fragment from a region, sector or pollutant name."""
    out = re.sub(r"[^A-Za-z0-9_\-]+", "_", str(text)).strip("_")
    return out or "x"


def _percent(fraction: float) -> str:
    return f"{100.0 * fraction:g}"


def _list_of_names(value, where: str) -> list:
    for n, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InputError(f"{where}[{n}]: expected a name, got {item!r}")
    return [item.strip() for item in value]


def _check_region(name: str, where: str) -> None:
    find_region(name, where)


def _control(region: str, sectors, pollutants, reduction: float) -> dict:
    """A [[controls]] entry that removes a fraction of the selected emissions; its name says what it does, so that
    two members cutting the same thing have the same resolved scenario."""
    what = "+".join(sectors) if sectors else "all sectors"
    if pollutants:
        what += " (" + "+".join(pollutants) + ")"
    where = region or EVERYWHERE
    entry = {"name": f"ensemble: {what} in {where} cut {_percent(reduction)} %", "reduction": float(reduction)}
    if region:
        entry["region"] = region
    if sectors:
        entry["sectors"] = list(sectors)
    if pollutants:
        entry["pollutants"] = list(pollutants)
    return entry


def _read_ensemble_file(path: Path) -> dict:
    return read_toml_text(path, "ensemble file")


def load_ensemble(path) -> Ensemble:
    """Read and check an ensemble file; every member's scenario is built and validated."""
    path = resolve_scenario(path, "ensemble file")
    where = str(path)
    top = fill_table(_read_ensemble_file(path), TOP_KEYS, where)
    analysis = fill_table(top["analysis"], ANALYSIS_KEYS, f"{where}: analysis")
    analysis["metrics"] = _list_of_names(analysis["metrics"], f"{where}: analysis.metrics")
    if analysis["stations"]:
        station_file = Path(analysis["stations"])
        analysis["stations"] = str(station_file if station_file.is_absolute() else path.parent / station_file)
    _check_stations(analysis, f"{where}: analysis")
    base = Path(top["base"])
    base = (base if base.is_absolute() else path.parent / base).resolve()
    base_raw = read_toml(base)
    common = _string_list(top["overrides"], f"{where}: overrides")

    members: list[Member] = [Member(BASE_MEMBER, "base")]
    seen = {BASE_MEMBER}

    def add(member: Member, at: str) -> None:
        if member.name in seen:
            raise InputError(f"{at}: member name {member.name!r} is used twice")
        seen.add(member.name)
        members.append(member)

    for n, table in enumerate(top["members"]):
        at = f"{where}: members[{n}]"
        entry = fill_table(table, MEMBER_KEYS, at)
        if not _NAME.match(entry["name"]):
            raise InputError(f"{at}.name: {entry['name']!r} is not a valid member name; use letters, digits, "
                             f"'_', '.' and '-', starting with a letter or digit")
        controls = entry["controls"]
        for k, c in enumerate(controls):
            if not isinstance(c, dict):
                raise InputError(f"{at}.controls[{k}]: expected a table, got {c!r}")
            if c.get("region"):
                _check_region(c["region"], f"{at}.controls[{k}].region")
        add(Member(entry["name"], "member", overrides=tuple(_string_list(entry["overrides"], f"{at}.overrides")),
                   controls=tuple(copy.deepcopy(controls))), at)

    contributions = []
    for n, table in enumerate(top["contributions"]):
        at = f"{where}: contributions[{n}]"
        entry = fill_table(table, CONTRIBUTION_KEYS, at)
        group = _group_name(entry["name"], at)
        sources = _list_of_names(entry["sources"], f"{at}.sources")
        if not sources:
            raise InputError(f"{at}.sources: give at least one region or sector")
        if len(set(sources)) != len(sources):
            raise InputError(f"{at}.sources: a source appears twice in {sources!r}")
        sectors = _list_of_names(entry["sectors"], f"{at}.sectors")
        pollutants = _list_of_names(entry["pollutants"], f"{at}.pollutants")
        r = float(entry["reduction"])
        if r > 1.0:
            raise InputError(f"{at}.reduction: {r!r} is out of range; it must be a fraction in (0, 1]")
        if entry["by"] == "region":
            if entry["region"]:
                raise InputError(f"{at}.region: contributions by region take their regions from 'sources'")
            for k, s in enumerate(sources):
                _check_region(s, f"{at}.sources[{k}]")
            cuts = [(s, _control(s, sectors, pollutants, r), s, tuple(sectors)) for s in sources]
        else:
            if sectors:
                raise InputError(f"{at}.sectors: contributions by sector take their sectors from 'sources'")
            region = entry["region"] if entry["region"] not in ("", EVERYWHERE) else ""
            if region:
                _check_region(region, f"{at}.region")
            cuts = [(s, _control(region, [s], pollutants, r), region or EVERYWHERE, (s,)) for s in sources]
        pairs = []
        for source, control, region_text, sector_tuple in cuts:
            name = f"{group}.{_safe(source)}"
            add(Member(name, "contribution", group, source, region_text, sector_tuple, tuple(pollutants), r,
                       controls=(control,)), at)
            pairs.append((source, name))
        together = None
        if entry["together"]:
            together = f"{group}.together"
            regions_text = "+".join(c[2] for c in cuts) if entry["by"] == "region" else cuts[0][2]
            sector_text = tuple(sectors) if entry["by"] == "region" else tuple(sources)
            add(Member(together, "together", group, "+".join(sources), regions_text, sector_text,
                       tuple(pollutants), r, controls=tuple(c[1] for c in cuts)), at)
        contributions.append(ContributionGroup(group, entry["by"], r, pairs, together))

    sweeps = []
    for n, table in enumerate(top["sweeps"]):
        at = f"{where}: sweeps[{n}]"
        entry = fill_table(table, SWEEP_KEYS, at)
        group = _group_name(entry["name"], at)
        regions = _list_of_names(entry["regions"], f"{at}.regions")
        for k, region in enumerate(regions):
            if region != EVERYWHERE:
                _check_region(region, f"{at}.regions[{k}]")
        sectors = _list_of_names(entry["sectors"], f"{at}.sectors")
        pollutants = _list_of_names(entry["pollutants"], f"{at}.pollutants")
        levels = []
        for k, r in enumerate(entry["reductions"]):
            if not isinstance(r, NUMBER) or isinstance(r, bool) or not 0.0 <= r <= 1.0:
                raise InputError(f"{at}.reductions[{k}]: {r!r} is not a fraction 0..1")
            levels.append(float(r))
        if not [r for r in levels if r > 0]:
            raise InputError(f"{at}.reductions: give at least one depth above 0, e.g. [0.2, 0.4, 0.6, 0.8, 1.0]")
        if len(set(levels)) != len(levels):
            raise InputError(f"{at}.reductions: a depth appears twice in {levels!r}")
        lines = []
        for region in regions:
            for sector in sectors:
                for pollutant in pollutants:
                    cut_region = "" if region == EVERYWHERE else region
                    cut_sectors = [] if sector == ALL else sector.split("+")
                    cut_pollutants = [] if pollutant == ALL else pollutant.split("+")
                    points = [(0.0, BASE_MEMBER)]
                    for r in sorted(x for x in levels if x > 0):
                        name = f"{group}.{_safe(region)}.{_safe(sector)}.{_safe(pollutant)}.{_percent(r)}"
                        add(Member(name, "sweep", group, "", region, tuple(cut_sectors), tuple(cut_pollutants), r,
                                   controls=(_control(cut_region, cut_sectors, cut_pollutants, r),)), at)
                        points.append((r, name))
                    lines.append(SweepLine(f"{region} / {sector} / {pollutant}", region, sector, pollutant, points))
        sweeps.append(SweepGroup(group, lines))

    names = set()
    for g in contributions + sweeps:
        if g.name in names:
            raise InputError(f"{where}: the group name {g.name!r} is used twice")
        names.add(g.name)

    first_of: dict[str, str] = {}
    for m in members:
        _build_member(m, base_raw, base.parent, common, where)
        if m.text in first_of:
            m.same_as = first_of[m.text]
            m.file = next(x.file for x in members if x.name == m.same_as)
        else:
            first_of[m.text] = m.name
            m.file = f"{MEMBERS_DIR}/{m.name}.nc"
    return Ensemble(path, top["description"], base, members, contributions, sweeps, analysis)


def _check_stations(analysis: dict, where: str) -> None:
    stations = read_station_list(analysis["stations"]) if analysis["stations"] else read_station_list()
    codes = [s.code for s in stations]
    if analysis["focus_station"] not in codes:
        raise InputError(f"{where}.focus_station: {analysis['focus_station']!r} is not in the station list; its "
                         f"stations: {', '.join(codes)}")


def _group_name(name: str, at: str) -> str:
    if not _NAME.match(name) or "." in name:
        raise InputError(f"{at}.name: {name!r} is not a valid group name; use letters, digits, '_' and '-'")
    if name == BASE_MEMBER:
        raise InputError(f"{at}.name: {name!r} is the base member's name; choose another")
    return name


def _string_list(items, where: str) -> list:
    for n, item in enumerate(items):
        if not isinstance(item, str) or "=" not in item:
            raise InputError(f"{where}[{n}]: expected a 'section.key=value' string, got {item!r}")
    return list(items)


def _build_member(member: Member, base_raw: dict, folder: Path, common: list, where: str) -> None:
    """The member's scenario: base + extra controls, then the common and the member's overrides; validated. Its
    relative input paths stay relative to the base scenario's ``folder``, as when the base is run directly."""
    at = f"{where}: member {member.name!r}"
    raw = copy.deepcopy(base_raw)
    base_controls = raw.get("controls", [])
    if not isinstance(base_controls, list):
        raise InputError(f"{at}: the base scenario's controls must be a list of tables ([[controls]])")
    raw["controls"] = list(base_controls) + [copy.deepcopy(c) for c in member.controls]
    overrides = list(common) + list(member.overrides) + list(MEMBER_RUN_OVERRIDES)
    try:
        raw = apply_overrides(raw, overrides)
        scenario = validate(raw, at, folder)
    except InputError as exc:
        message = str(exc)
        raise InputError(message if message.startswith(at) else f"{at}: {message}") from None
    member.raw = raw
    member.text = scenario.to_toml()


# ---------------------------------------------------------------------------------------------------------------
# Complete members and the index
# ---------------------------------------------------------------------------------------------------------------
def _comparable(text: str) -> dict:
    data = tomllib.loads(text)
    for name in RESULT_NEUTRAL_RUN_KEYS:
        data.get("run", {}).pop(name, None)
    return data


def output_state(path: Path, text: str) -> str:
    """'missing', 'complete' (the file holds this member's scenario) or 'different' (another scenario, or a file
    that is not a readable run output)."""
    if not path.exists():
        return "missing"
    import netCDF4

    try:
        with netCDF4.Dataset(path) as ds:
            recorded = ds.getncattr("scenario")
    except (OSError, AttributeError, RuntimeError):
        return "different"
    try:
        return "complete" if _comparable(recorded) == _comparable(text) else "different"
    except tomllib.TOMLDecodeError:
        return "different"


INDEX_COLUMNS = ("member", "kind", "group", "source", "region", "sectors", "pollutants", "reduction", "overrides",
                 "extra_controls", "file", "same_as", "status", "wall_s", "worker", "error")


def index_rows(ensemble: Ensemble, status: dict) -> list:
    rows = []
    for m in ensemble.members:
        s = status.get(m.same_as or m.name, {})
        rows.append({
            "member": m.name, "kind": m.kind, "group": m.group, "source": m.source,
            "region": m.region or ("" if m.kind in ("base", "member") else EVERYWHERE),
            "sectors": "+".join(m.sectors) if m.sectors else ("" if m.kind in ("base", "member") else ALL),
            "pollutants": "+".join(m.pollutants) if m.pollutants else ("" if m.kind in ("base", "member") else ALL),
            "reduction": f"{m.reduction:g}", "overrides": "; ".join(m.overrides),
            "extra_controls": json.dumps(list(m.controls), ensure_ascii=False) if m.controls else "",
            "file": m.file, "same_as": m.same_as, "status": s.get("status", "pending"),
            "wall_s": "" if s.get("wall_s") is None else f"{s['wall_s']:.2f}", "worker": s.get("worker", ""),
            "error": s.get("error", ""),
        })
    return rows


def write_index(ensemble: Ensemble, out_dir: Path, status: dict) -> Path:
    # the index is the ensemble's own record of its members, rewritten as they finish
    return write_csv_atomic(Path(out_dir) / INDEX_NAME, index_rows(ensemble, status), INDEX_COLUMNS,
                            force=True)


# ---------------------------------------------------------------------------------------------------------------
# The member task (runs on a dask worker)
# ---------------------------------------------------------------------------------------------------------------
class _MemberLogs(logging.Handler):
    """Sends the airmodel log records of each worker thread to the log file of the member that thread runs."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.streams: dict[int, object] = {}
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        stream = self.streams.get(record.thread)
        if stream is not None:
            stream.write(self.format(record) + "\n")
            stream.flush()


_member_logs: _MemberLogs | None = None
_member_logs_lock = threading.Lock()


def _route_logs(quiet_console: bool) -> _MemberLogs:
    """Install the per-member log handler once per process. In a worker process of its own, the airmodel log goes
    to the member log files only (not to the ensemble's terminal)."""
    global _member_logs
    with _member_logs_lock:
        if _member_logs is None:
            _member_logs = _MemberLogs()
            logger = logging.getLogger("airmodel")
            logger.addHandler(_member_logs)
            if quiet_console:
                logger.setLevel(logging.INFO)
                logger.propagate = False
        return _member_logs


def member_threads(requested: int, dask_threads_on_host: int) -> int:
    """Numba threads for one member: as requested, else the host's cores shared among the dask threads on it."""
    if requested > 0:
        return requested
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // max(1, dask_threads_on_host))


def run_member(task: dict) -> dict:
    """Run one member to its output file (the dask task). ``task``: name, raw (the scenario), folder (where its
    relative input paths are read from), text, output, log, force, threads (0: share the cores), host_threads
    ({worker address: dask threads on its host}), client_pid, command_line. Returns the member's name, status,
    wall time, worker and process id."""
    import numba

    try:
        from distributed import get_worker

        worker = get_worker().address
    except (ImportError, ValueError):
        worker = "local"
    output = Path(task["output"])
    if not task["force"] and output_state(output, task["text"]) == "complete":
        # a worker that died after renaming the output but before reporting: the member is complete already
        return {"name": task["name"], "status": "complete", "wall_s": 0.0, "worker": worker, "pid": os.getpid()}
    threads = member_threads(task["threads"], task["host_threads"].get(worker, 1))
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    logs = _route_logs(quiet_console=os.getpid() != task["client_pid"])
    log_path = Path(task["log"])
    ident = threading.get_ident()
    t0 = wallclock.perf_counter()
    with atomic_file(log_path, force=True, what="member log", even_on_error=True) as log_tmp:
        with open(log_tmp, "w", encoding="utf-8") as stream:
            logs.streams[ident] = stream
            try:
                log.info("member %s on %s (pid %d), %d Numba threads", task["name"], worker, os.getpid(),
                         numba.get_num_threads())
                scenario = validate(task["raw"], folder=task["folder"])
                execute(scenario, output, force=task["force"], command_line=task["command_line"])
            except BaseException as exc:
                log.error("member %s failed: %s", task["name"], _error_text(exc))
                raise
            finally:
                logs.streams.pop(ident, None)
    return {"name": task["name"], "status": "done", "wall_s": wallclock.perf_counter() - t0, "worker": worker,
            "pid": os.getpid(), "threads": threads}


# ---------------------------------------------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------------------------------------------
def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def local_cluster(workers: int, threads: int, **kwargs):
    """A LocalCluster of ``workers`` single-threaded worker processes whose Numba uses ``threads`` threads."""
    from distributed import LocalCluster

    env = {"NUMBA_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    options = dict(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, env=env)
    options.update(kwargs)
    return LocalCluster(**options)


def host_threads(client) -> dict:
    """{worker address: the number of dask threads of all workers on its host}."""
    workers = client.scheduler_info(n_workers=-1)["workers"] if _takes_n_workers(client) else \
        client.scheduler_info()["workers"]
    per_host: dict[str, int] = {}
    for info in workers.values():
        per_host[info["host"]] = per_host.get(info["host"], 0) + int(info["nthreads"])
    return {addr: per_host[info["host"]] for addr, info in workers.items()}


def _takes_n_workers(client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, ModelHealthError):
        return f"the run stopped: {exc}"
    text = str(exc).strip().replace("\n", " ")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def plan(ensemble: Ensemble, out_dir: Path, force: bool) -> dict:
    """The state of every run member under DIR: {'status': 'complete' | 'to run' | 'different'}."""
    status = {}
    for m in ensemble.runs():
        state = output_state(Path(out_dir) / m.file, m.text)
        if force or state == "missing":
            status[m.name] = {"status": "to run"}
        elif state == "complete":
            status[m.name] = {"status": "complete"}
        else:
            status[m.name] = {"status": "different"}
    return status


def refuse_different(status: dict, out_dir: Path) -> None:
    """An existing output made from other settings is never overwritten without --force."""
    different = [n for n, s in status.items() if s["status"] == "different"]
    if different:
        raise InputError(f"{out_dir}: the outputs of {', '.join(different)} exist but were made from other "
                         f"settings (or are not run outputs); use --force to recompute every member")


def run_ensemble(ensemble: Ensemble, out_dir, client, threads: int = 0, force: bool = False,
                 command_line: str = "airmodel ensemble") -> dict:
    """Submit every member that is not complete under ``out_dir`` to ``client``; report each as it finishes and
    keep ``index.csv`` current. Returns {member: {'status', 'wall_s', 'worker', 'error'}} for the run members."""
    from distributed import as_completed

    out_dir = Path(out_dir)
    (out_dir / MEMBERS_DIR).mkdir(parents=True, exist_ok=True)
    status = plan(ensemble, out_dir, force)
    refuse_different(status, out_dir)
    todo = [m for m in ensemble.runs() if status[m.name]["status"] == "to run"]
    for name, s in status.items():
        if s["status"] == "complete":
            log.info("member %s: complete, skipped", name)
    write_index(ensemble, out_dir, status)
    if not todo:
        return status
    hosts = host_threads(client)
    futures = {}
    for m in todo:
        task = {"name": m.name, "raw": m.raw, "folder": str(ensemble.base.parent), "text": m.text,
                "output": str((out_dir / m.file).resolve()),
                "log": str((out_dir / MEMBERS_DIR / f"{m.name}.log").resolve()), "force": force,
                "threads": threads, "host_threads": hosts, "client_pid": os.getpid(),
                "command_line": f"{command_line} (member {m.name})"}
        future = client.submit(run_member, task, key=f"airmodel-member-{m.name}-{os.getpid()}-{wallclock.time()}",
                               pure=False)
        futures[future] = m.name
        status[m.name] = {"status": "running"}
    write_index(ensemble, out_dir, status)
    done = failed = 0
    t0 = wallclock.perf_counter()
    try:
        for future in as_completed(list(futures)):
            name = futures[future]
            if future.status != "finished":
                try:
                    exc = future.exception()
                except BaseException as cancelled:  # noqa: BLE001 - a cancelled future raises on exception()
                    exc = cancelled
                failed += 1
                status[name] = {"status": "failed", "error": _error_text(exc)}
                log.warning("[%d/%d] member %s FAILED: %s", done + failed, len(todo), name, status[name]["error"])
            else:
                result = future.result()
                done += 1
                status[name] = {"status": "done", "wall_s": result["wall_s"], "worker": result["worker"]}
                log.info("[%d/%d] member %s done in %.1f s on %s (%.0f s since the start)", done + failed,
                         len(todo), name, result["wall_s"], result["worker"], wallclock.perf_counter() - t0)
            write_index(ensemble, out_dir, status)
    except BaseException:
        client.cancel(list(futures))
        for name, s in status.items():
            if s["status"] == "running":
                s["status"] = "not run (interrupted)"
        write_index(ensemble, out_dir, status)
        raise
    return status


# ---------------------------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------------------------
def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(COMMAND, help="run an ensemble of scenarios on dask.distributed",
                              description="Run the members of an ensemble file (a base scenario with overrides, "
                                          "control measures, source contributions and sweeps) on a dask "
                                          "LocalCluster or a running scheduler; one output per member under DIR, "
                                          "an index, and the contribution and response tables.")
    p.add_argument("ensemble", help="ensemble TOML file")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the members and tables")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running dask scheduler (e.g. tcp://10.0.0.5:8786); "
                                                          "default: a LocalCluster on this machine")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="LocalCluster worker processes (default: one per core); with --scheduler: wait for N "
                        "workers")
    p.add_argument("--threads", type=int, default=0, metavar="N",
                   help="Numba threads per member (default: the cores of a host shared among its workers)")
    p.add_argument("--force", action="store_true", help="recompute every member, overwriting existing outputs")
    p.add_argument("--dry-run", action="store_true", help="check the ensemble and list its members; run nothing")
    p.add_argument("--no-analysis", action="store_true", help="run the members only, no tables or plots")
    p.add_argument("--domain", metavar="NAME", help="with a parent domain (docs/nesting.md): the tables of domain "
                                                    "NAME's member files (MEMBER.NAME.nc), into DIR/NAME (default: "
                                                    "the inner domain)")
    return p


def _open_client(args):
    """(client, cluster or None, threads per member) for the command's options."""
    from distributed import Client

    # dask's own INFO lines (workers starting and closing) would bury the members' progress; set after the import,
    # which configures dask's loggers
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if args.scheduler:
        try:
            client = Client(args.scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--scheduler {args.scheduler}: cannot connect to a dask scheduler there ({exc})") \
                from None
        if args.workers:
            try:
                client.wait_for_workers(args.workers, timeout=300)
            except TimeoutError:
                client.close()
                raise InputError(f"--workers {args.workers}: fewer workers joined {args.scheduler} within "
                                 f"300 s") from None
        return client, None, args.threads
    cores = usable_cores()
    workers = args.workers or cores
    threads = args.threads or max(1, cores // workers)
    cluster = local_cluster(workers, threads)
    return Client(cluster), cluster, threads


def describe(ensemble: Ensemble, status: dict | None = None) -> str:
    lines = [f"{'member':<40} {'kind':<13} {'status':<12} file"]
    for m in ensemble.members:
        s = (status or {}).get(m.same_as or m.name, {}).get("status", "")
        lines.append(f"{m.name:<40} {m.kind:<13} {s:<12} {m.file}" + (f" (same as {m.same_as})" if m.same_as else ""))
    return "\n".join(lines)


def command(args) -> int:
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers {args.workers}: give at least 1")
    if args.threads < 0:
        raise InputError(f"--threads {args.threads}: give at least 1 (or leave it out)")
    ensemble = load_ensemble(args.ensemble)
    out_dir = Path(args.output)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")
    if not out_dir.parent.is_dir():
        raise InputError(f"{out_dir}: the folder {out_dir.parent} does not exist")
    runs = ensemble.runs()
    log.info("ensemble %s: %d members (%d runs), base %s", ensemble.path, len(ensemble.members), len(runs),
             ensemble.base)
    if args.dry_run:
        status = plan(ensemble, out_dir, args.force) if out_dir.is_dir() else {}
        print(describe(ensemble, status))
        return 0
    status = plan(ensemble, out_dir, args.force) if out_dir.is_dir() else {m.name: {"status": "to run"}
                                                                            for m in runs}
    refuse_different(status, out_dir)
    if any(s["status"] == "to run" for s in status.values()):
        client, cluster, threads = _open_client(args)
        try:
            log.info("dask: %s; %s Numba threads per member", f"scheduler {args.scheduler}" if args.scheduler
                     else f"LocalCluster of {len(cluster.workers)} worker processes", threads or "the host's share of")
            status = run_ensemble(ensemble, out_dir, client, threads, args.force, command_line_text(
                ["ensemble", str(args.ensemble), "-o", str(out_dir)]))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        status = run_ensemble(ensemble, out_dir, None, args.threads, args.force)
    failed = [n for n, s in status.items() if s["status"] == "failed"]
    log.info("wrote %s", out_dir / INDEX_NAME)
    if not args.no_analysis:
        for path in analyse_ensemble(ensemble, out_dir, status, args.domain):
            log.info("wrote %s", path)
    if failed:
        log.error("%d of %d members failed: %s (see %s)", len(failed), len(runs), ", ".join(failed),
                  out_dir / INDEX_NAME)
        return 1
    return 0
