"""The scenario keys of the meteorology sources, to be merged into ``airmodel.scenario.SCHEMA["meteorology"]``.

``METEOROLOGY_KEYS`` uses the scenario module's own ``Key`` type, so that the schema stays the single place that
says which keys exist (STYLE.md); ``SOURCE_CHOICES`` replaces the choices of ``meteorology.source``.
"""
from __future__ import annotations

from ..scenario import NUMBER, _k
from .synthetic import DEFAULTS

SOURCE_CHOICES = ("idealized", "synthetic", "wrf", "cf", "station")

METEOROLOGY_KEYS = {
    # synthetic
    "seed": _k(int, DEFAULTS["seed"], doc="seed of the synthetic weather (daily perturbations, showers)"),
    "regimes": _k(list, [], doc="synthetic: regime of each day of the month (southerly, front, northerly, calm, "
                                "showery, easterly), repeated to 31 days; empty for the documented August calendar"),
    "temperature_offset": _k(NUMBER, 0.0, doc="synthetic: K added to every temperature"),
    "wind_scale": _k(NUMBER, 1.0, doc="synthetic: factor on the synoptic wind", minimum=0),
    "mixing_height_scale": _k(NUMBER, 1.0, doc="synthetic: factor on the convective mixing height", minimum=0),
    "shower_frequency": _k(NUMBER, 1.0, doc="synthetic: factor on the number of shower cells", minimum=0),
    "sea_breeze": _k(NUMBER, DEFAULTS["sea_breeze"], doc="synthetic: sea-breeze speed scale (m/s)", minimum=0),
    "mountain_wind": _k(NUMBER, DEFAULTS["mountain_wind"], doc="synthetic: mountain-valley wind speed scale (m/s)",
                        minimum=0),
    "horizontal_diffusivity_min": _k(NUMBER, DEFAULTS["horizontal_diffusivity_min"],
                                     doc="synthetic, wrf, cf, station: floor of the Smagorinsky horizontal "
                                         "diffusivity (m2/s)", minimum=0),
    # files
    "files": _k(list, [], doc="wrf, cf: input files or glob patterns (relative to the scenario file)"),
    "accumulation_hours": _k(NUMBER, None, doc="cf: hours over which accumulated fields (precipitation amounts, "
                                               "J m-2 fluxes) are summed; default the variable's cell_methods "
                                               "interval, else 1 (ERA5)", minimum=0, exclusive_minimum=True),
    "standard_names": _k(dict, {}, doc="cf: standard names for variables whose files lack them, as "
                                       "{ variable = \"standard_name\" }"),
    "file": _k(str, "", doc="station: the hourly station CSV"),
    "station_lon": _k(NUMBER, None, doc="station: longitude (deg E) for the sun; default the domain centre"),
    "station_lat": _k(NUMBER, None, doc="station: latitude (deg N)"),
    "roughness_length": _k(NUMBER, 0.1, doc="station: roughness length around the station (m)", minimum=0,
                           exclusive_minimum=True),
}


def merged_schema(base: dict) -> dict:
    """The [meteorology] schema with these keys added and the source choices widened (for tests and wiring)."""
    import dataclasses

    out = dict(base)
    out["source"] = dataclasses.replace(base["source"], choices=SOURCE_CHOICES)
    for name, key in METEOROLOGY_KEYS.items():
        out.setdefault(name, key)
    return out
