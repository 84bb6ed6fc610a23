"""WRF-ARW output (``wrfout_d0N_*``) as a meteorology source, regridded to the model grid.

Read (names, staggering and units as WRF writes them): U [Time, bottom_top, south_north, west_east_stag] and
V [.., south_north_stag, west_east] (m s-1, grid-relative, turned to earth-relative with COSALPHA/SINALPHA, or with
the grid's orientation from XLAT/XLONG where those are absent: U_earth = U cos a - V sin a,
V_earth = V cos a + U sin a); PH, PHB on the w levels (m2 s-2); P, PB (Pa); T, the perturbation potential
temperature (K, + 300 K); QVAPOR, QCLOUD (mixing ratios, kg kg-1); RAINC, RAINNC (accumulated, mm; plus
I_RAINC/I_RAINNC times the bucket size where the bucket option was on); PBLH (m), UST (m s-1), HFX (W m-2),
LU_INDEX (category, USGS or MODIS by the MMINLU attribute), HGT (m), XLAT/XLONG (degrees), Times
("YYYY-MM-DD_hh:mm:ss"). Optional, used when present: T2, U10, V10, PSFC, SWDOWN, CLDFRA, ZNT, COSALPHA, SINALPHA.
W is not needed: the transport derives the vertical air-mass flux from continuity.

Horizontal regridding: model cell centres (and face midpoints for the winds) are located on WRF's mass grid with
the projection of the file's global attributes (MAP_PROJ 1 Lambert conformal, 3 Mercator; TRUELAT1/2, STAND_LON,
DX, DY; a sphere of radius 6370 km, as WRF uses) through pyproj, anchored at XLAT/XLONG of the first mass point and
checked against the last; fields are interpolated bilinearly (land use: nearest). Vertical: WRF's mass levels'
heights above ground, (PH + PHB)/g - HGT averaged from the w levels, are interpolated linearly to the model's layer
midpoints (and Kz's interfaces), with the lowest level's value below it and the highest above it. Both grids are
terrain-following and the model's terrain becomes the regridded HGT.

Time: records are interpolated linearly between the file times; precipitation is the accumulation difference over
each interval divided by its length, across file boundaries (the files are sorted by time), constant over the
interval; a drop in the accumulation (a restart that reset it) starts again from zero.

Derived (diagnosis.py, as for every source): air density, relative humidity, L from UST and HFX, w*, Kz with PBLH
(at least 10 m), the Smagorinsky diffusivity, and where the optional fields are absent the cloud fraction (from
QCLOUD), 2-m temperature, surface pressure, 10-m wind and insolation.
"""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from ..errors import InputError
from ..grid import Grid
from ..units import amount_to_rate, units_match
from . import landuse, thermo
from .base import MetSnapshot, RecordMeteorology
from .diagnosis import RawMet, diagnose, horizontal_diffusivity_min
from .regrid import Bilinear, interpolate_in_height, open_dataset, read_finite, require_lonlat, resolve_files

WRF_EARTH_RADIUS = 6_370_000.0
#: WRF's R_d/c_p (module_model_constants: r_d = 287, cp = 7 r_d / 2) and its g = 9.81 m s-2, with which its
#: geopotential is to be divided.
WRF_RCP = 2.0 / 7.0
WRF_GRAVITY = 9.81

REQUIRED = {
    "U": "m s-1", "V": "m s-1", "PH": "m2 s-2", "PHB": "m2 s-2", "P": "Pa", "PB": "Pa", "T": "K",
    "QVAPOR": "kg kg-1", "QCLOUD": "kg kg-1", "RAINC": "mm", "RAINNC": "mm", "PBLH": "m", "UST": "m s-1",
    "HFX": "W m-2", "LU_INDEX": None, "HGT": "m", "XLAT": "degree_north", "XLONG": "degree_east",
}
OPTIONAL = {"T2": "K", "U10": "m s-1", "V10": "m s-1", "PSFC": "Pa", "SWDOWN": "W m-2", "CLDFRA": None,
            "ZNT": "m", "COSALPHA": None, "SINALPHA": None}


def _check_units(path, name, var, expected):
    if expected is None:
        return
    units = getattr(var, "units", None)
    if units is None:
        return  # WRF always writes units; a file without them is taken at its word
    # WRF writes "1" or "" for its mixing ratios.
    if not units_match(units, expected, also=("1",) if expected == "kg kg-1" else ()):
        raise InputError(f"{path}: variable {name} has units {units!r}; expected {expected!r}")


def parse_times(path, times_var) -> list[datetime]:
    raw = times_var[:]
    out = []
    for row in np.atleast_2d(raw):
        text = b"".join(row.tolist()).decode("ascii") if row.dtype.kind == "S" else "".join(row.tolist())
        text = text.strip()
        try:
            out.append(datetime.strptime(text, "%Y-%m-%d_%H:%M:%S").replace(tzinfo=timezone.utc))
        except ValueError:
            raise InputError(f"{path}: Times: {text!r} is not a WRF time such as 2008-08-01_00:00:00") from None
    return out


class Projection:
    """WRF map projection from the global attributes, via pyproj, anchored at the first mass point."""

    def __init__(self, path, attrs: dict, lat0: float, lon0: float, lat1: float, lon1: float, shape):
        try:
            import pyproj
        except ImportError:
            raise InputError("the wrf source needs pyproj: pip install pyproj") from None
        kind = int(attrs.get("MAP_PROJ", -1))
        r = WRF_EARTH_RADIUS
        try:
            if kind == 1:
                proj = (f"+proj=lcc +lat_1={attrs['TRUELAT1']} +lat_2={attrs['TRUELAT2']} "
                        f"+lat_0={attrs['TRUELAT1']} +lon_0={attrs['STAND_LON']} +a={r} +b={r} +units=m +no_defs")
            elif kind == 3:
                proj = f"+proj=merc +lat_ts={attrs['TRUELAT1']} +lon_0={attrs['STAND_LON']} +a={r} +b={r} +no_defs"
            else:
                raise InputError(f"{path}: MAP_PROJ = {kind} is not supported; the wrf source reads Lambert "
                                 f"conformal (1) and Mercator (3)")
            self.dx, self.dy = float(attrs["DX"]), float(attrs["DY"])
        except KeyError as exc:
            raise InputError(f"{path}: global attribute {exc.args[0]} is missing (needed for MAP_PROJ {kind})") \
                from None
        self.transformer = pyproj.Transformer.from_crs("EPSG:4326", pyproj.CRS.from_proj4(proj), always_xy=True)
        self.x0, self.y0 = self.transformer.transform(lon0, lat0)
        ny, nx = shape
        i1, j1 = self.indices(np.array(lon1), np.array(lat1))
        if abs(i1 - (nx - 1)) > 0.1 or abs(j1 - (ny - 1)) > 0.1:
            raise InputError(f"{path}: the projection attributes (MAP_PROJ {kind}, TRUELAT1/2, STAND_LON, DX, DY) "
                             f"do not reproduce XLAT/XLONG: the last mass point falls at i={float(i1):.2f}, "
                             f"j={float(j1):.2f} instead of {nx - 1}, {ny - 1}")

    def indices(self, lon, lat):
        """Fractional (i, j) on the mass grid of points given by longitude and latitude."""
        x, y = self.transformer.transform(lon, lat)
        return (np.asarray(x) - self.x0) / self.dx, (np.asarray(y) - self.y0) / self.dy


class WRFMeteorology(RecordMeteorology):
    def __init__(self, section: dict, grid: Grid, start: datetime | None = None, end: datetime | None = None,
                 folder=None):
        super().__init__(grid)
        require_lonlat(grid, "wrf")
        self.files = resolve_files(section.get("files"), base=folder)
        self.kh_min = horizontal_diffusivity_min(section)
        records = []  # (time, path, index)
        for path in self.files:
            with open_dataset(path) as ds:
                if "Times" not in ds.variables:
                    raise InputError(f"{path}: variable Times is missing (not a wrfout file?)")
                for name, units in {**REQUIRED, **OPTIONAL}.items():
                    if name in ds.variables:
                        _check_units(path, name, ds.variables[name], units)
                    elif name in REQUIRED:
                        raise InputError(f"{path}: variable {name} is missing; the wrf source needs "
                                         f"{', '.join(REQUIRED)}")
                for n, t in enumerate(parse_times(path, ds.variables["Times"])):
                    records.append((t, path, n))
        records.sort(key=lambda r: r[0])
        times = [r[0] for r in records]
        if len(set(times)) != len(times):
            dup = next(t for t in times if times.count(t) > 1)
            raise InputError(f"meteorology.files: time {dup:%Y-%m-%d_%H:%M:%S} appears in more than one record")
        self.records = records
        self.start = start or times[0]
        if self.start.tzinfo is None:
            self.start = self.start.replace(tzinfo=timezone.utc)
        self.seconds = np.array([(t - self.start).total_seconds() for t in times])
        names = ", ".join(str(p) for p in self.files)
        first, last = times[0], times[-1]
        if self.seconds[0] > 0 or (end is not None and end > last):
            wanted_end = end if end is not None else self.start
            raise InputError(f"meteorology.files ({names}): the records cover {first:%Y-%m-%d %H:%M} to "
                             f"{last:%Y-%m-%d %H:%M} UTC, which does not cover the run from "
                             f"{self.start:%Y-%m-%d %H:%M} to {wanted_end:%Y-%m-%d %H:%M} UTC")
        self._geometry()
        self._precipitation()

    # -- set-up ---------------------------------------------------------------------------------------------------
    def _geometry(self):
        g = self.grid
        path = self.records[0][1]
        with open_dataset(path) as ds:
            attrs = {k: ds.getncattr(k) for k in ds.ncattrs()}
            def static(name):
                return read_finite(ds[name], 0, f"{path}: variable {name}")

            lat, lon, hgt = static("XLAT"), static("XLONG"), static("HGT")
            lu = np.asarray(ds["LU_INDEX"][0])
            self.mminlu = str(attrs.get("MMINLU", "USGS")).strip().upper()
            if "COSALPHA" in ds.variables and "SINALPHA" in ds.variables:
                cosa, sina = static("COSALPHA"), static("SINALPHA")
            else:
                cosa, sina = self._rotation_from_coordinates(lon, lat)
            self.znt = static("ZNT") if "ZNT" in ds.variables else None
        self.cosa, self.sina = cosa, sina
        self.shape = lat.shape
        proj = Projection(path, attrs, lat[0, 0], lon[0, 0], lat[-1, -1], lon[-1, -1], lat.shape)
        self.projection = proj
        lon_c, lat_c = np.meshgrid(g.x, g.y)
        lon_xf, lat_xf = np.meshgrid(g.x_bounds, g.y)
        lon_yf, lat_yf = np.meshgrid(g.x, g.y_bounds)
        self.at_centres = Bilinear(*proj.indices(lon_c, lat_c), lat.shape)
        self.at_xfaces = Bilinear(*proj.indices(lon_xf, lat_xf), lat.shape)
        self.at_yfaces = Bilinear(*proj.indices(lon_yf, lat_yf), lat.shape)
        fi, fj = proj.indices(lon_c, lat_c)
        ny, nx = lat.shape
        outside = (fi < -0.5) | (fi > nx - 0.5) | (fj < -0.5) | (fj > ny - 0.5)
        if outside.any():
            raise InputError(f"{path}: the model domain {g.x_bounds[0]}..{g.x_bounds[-1]} E, {g.y_bounds[0]}.."
                             f"{g.y_bounds[-1]} N reaches outside the WRF domain ({lon.min():.2f}..{lon.max():.2f} E,"
                             f" {lat.min():.2f}..{lat.max():.2f} N)")
        g.terrain[...] = self.at_centres(hgt)
        lu_model = self.at_centres.pick(lu)
        if "MODIS" in self.mminlu or "IGBP" in self.mminlu:
            lu_model = landuse.usgs_from_modis(lu_model, f"{path}: LU_INDEX")
        self.land_use = np.asarray(lu_model, dtype=np.int64)
        self.roughness = (self.at_centres(self.znt) if self.znt is not None
                          else landuse.roughness_length(self.land_use))

    @staticmethod
    def _rotation_from_coordinates(lon, lat):
        """cos/sin of WRF's alpha from the direction of the grid's y axis (centred differences of XLAT/XLONG)."""
        dlat = np.gradient(lat, axis=0)
        dlon = np.gradient(lon, axis=0) * np.cos(np.deg2rad(lat))
        beta = np.arctan2(dlon, dlat)  # grid +y, clockwise from true north
        return np.cos(-beta), np.sin(-beta)

    def _precipitation(self):
        """Accumulated RAINC + RAINNC (mm) at every record, and the rate (kg m-2 s-1) of each interval."""
        acc = []
        for t, path, n in self.records:
            with open_dataset(path) as ds:
                total = (read_finite(ds["RAINC"], n, f"{path}: variable RAINC")
                         + read_finite(ds["RAINNC"], n, f"{path}: variable RAINNC"))
                bucket = float(getattr(ds, "BUCKET_MM", 0.0) or 0.0)
                if bucket > 0:
                    for name in ("I_RAINC", "I_RAINNC"):
                        if name in ds.variables:
                            total = total + bucket * read_finite(ds[name], n, f"{path}: variable {name}")
            acc.append(self.at_centres(total))
        rates = []
        for k in range(len(acc) - 1):
            dt = self.seconds[k + 1] - self.seconds[k]
            diff = acc[k + 1] - acc[k]
            diff = np.where(diff < -1e-6, acc[k + 1], np.maximum(diff, 0.0))  # a reset starts from zero
            rates.append(amount_to_rate(diff, dt))
        rates.append(rates[-1] if rates else np.zeros_like(acc[0]))
        self.precipitation_rates = rates

    # -- records --------------------------------------------------------------------------------------------------
    def record_label(self, k: int) -> str:
        return f"{self.records[k][0]:%Y-%m-%d %H:%M}"

    def at(self, t: float) -> MetSnapshot:
        when = datetime.fromtimestamp(self.start.timestamp() + t, timezone.utc)
        snap, k = self.interpolated(t, f"{when:%Y-%m-%d %H:%M}")
        return snap.replace(precipitation=self.precipitation_rates[min(k, len(self.seconds) - 1)])

    def _read(self, k: int) -> MetSnapshot:
        g = self.grid
        when, path, n = self.records[k]
        with open_dataset(path) as ds:
            def var(name):
                return read_finite(ds[name], n, f"{path}: variable {name}")

            def optional(name):
                return var(name) if name in ds.variables else None

            u_stag, v_stag = var("U"), var("V")
            ph = var("PH") + var("PHB")
            p = var("P") + var("PB")
            theta = var("T") + 300.0
            qv, qc = var("QVAPOR"), var("QCLOUD")
            hgt = var("HGT")
            pblh, ust, hfx = var("PBLH"), var("UST"), var("HFX")
            t2, u10, v10 = optional("T2"), optional("U10"), optional("V10")
            psfc, swdown, cldfra = optional("PSFC"), optional("SWDOWN"), optional("CLDFRA")
        # Heights above ground of the mass levels.
        z_w = ph / WRF_GRAVITY - hgt[None]
        z_mass = 0.5 * (z_w[1:] + z_w[:-1])
        # Earth-relative winds at the mass points.
        uc = 0.5 * (u_stag[..., 1:] + u_stag[..., :-1])
        vc = 0.5 * (v_stag[..., 1:, :] + v_stag[..., :-1, :])
        ue = uc * self.cosa - vc * self.sina
        ve = vc * self.cosa + uc * self.sina
        temperature = theta * (p / 1.0e5) ** WRF_RCP
        q = thermo.specific_humidity_from_mixing_ratio(qv)
        cw = qc / (1.0 + qv)
        zc = self.at_centres(z_mass)
        zm = g.layers.midpoints

        def to_layers(field, where=self.at_centres, zsrc=zc):
            return interpolate_in_height(zsrc, where(field), zm)

        u = to_layers(ue, self.at_xfaces, self.at_xfaces(z_mass))
        v = to_layers(ve, self.at_yfaces, self.at_yfaces(z_mass))
        tk = to_layers(temperature)
        pres = np.exp(to_layers(np.log(p)))
        qq = np.maximum(to_layers(q), 0.0)
        cwm = np.maximum(to_layers(cw), 0.0)
        cf = np.clip(to_layers(cldfra), 0, 1) if cldfra is not None else None
        if u10 is not None and v10 is not None:
            u10e = self.at_centres(u10 * self.cosa - v10 * self.sina)
            v10e = self.at_centres(v10 * self.cosa + u10 * self.sina)
        else:
            u10e = v10e = None

        def surface(field):
            return self.at_centres(field) if field is not None else None

        raw = RawMet(u=u, v=v, temperature=tk, pressure=pres, specific_humidity=qq,
                     sensible_heat_flux=self.at_centres(hfx), land_use=self.land_use,
                     roughness_length=self.roughness, cloud_fraction=cf, cloud_water=cwm,
                     temperature_2m=surface(t2), surface_pressure=surface(psfc), u10=u10e, v10=v10e,
                     mixing_height=self.at_centres(pblh), friction_velocity=self.at_centres(ust),
                     shortwave_down=surface(swdown))
        return diagnose(raw, g, when, self.kh_min)
