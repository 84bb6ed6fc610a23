"""The scenario keys of [meteorology]: the source, and the keys of each source.

``METEOROLOGY_SCHEMA`` is the whole [meteorology] table (``airmodel.scenario.SCHEMA["meteorology"]``);
``SOURCE_KEYS`` says which of its keys each source reads. The choices come from the modules that implement them:
the sources from ``base.SOURCES``, the idealized flows from ``idealized.FLOWS``.
"""
from __future__ import annotations

from ..schema import NUMBER, key
from .base import SOURCES
from .idealized import FLOWS
from .synthetic import DEFAULTS

#: The names ``meteorology.source`` takes, in the order of the registry.
SOURCE_CHOICES = tuple(SOURCES)

#: Upper bounds are physical ranges, generous, beyond which a value is a typo or a unit slip: winds of 200 m/s (twice
#: the strongest jet streams), eddy diffusivities of 1e6 m2/s horizontally and 1e4 m2/s vertically (convective
#: boundary layers reach 1e2-1e3), a hill of 9000 m (Everest is 8849 m), relative amplitudes up to 1 (a density
#: that would reach zero), temperature offsets of 50 K, factors of 10 on winds and mixing heights, roughness lengths
#: up to 10 m (tall forests and city centres reach 2-3 m).
#: Keys of the idealized source (analytic flows for validation cases).
IDEALIZED_KEYS = {
    "flow": key(str, "uniform", choices=FLOWS, doc="idealized: the analytic flow (airmodel/met/idealized.py)"),
    "u": key(NUMBER, 0.0, doc="idealized: eastward wind (m/s), uniform flow; base wind for terrain_bump",
             minimum=-200.0, maximum=200.0),
    "v": key(NUMBER, 0.0, doc="idealized: northward wind (m/s)", minimum=-200.0, maximum=200.0),
    "angular_velocity": key(NUMBER, 0.0, doc="idealized: solid-body rotation rate (s-1), counter-clockwise",
                            minimum=-10.0, maximum=10.0),
    "rotation_centre": key(list, [0.0, 0.0], doc="idealized: centre of rotation (x, y) in grid units"),
    "air_density": key(NUMBER, 1.2, doc="idealized: air density at the ground (kg m-3)", minimum=0,
                       exclusive_minimum=True, maximum=10.0),
    "density_scale_height": key(NUMBER, 0.0, doc="idealized: scale height (m) of an exponential density profile "
                                                 "with altitude above sea level; 0 for uniform density",
                                                 minimum=0, maximum=100000.0),
    "kx": key(NUMBER, 0.0, doc="idealized: eddy diffusivity along x (m2/s)", minimum=0, maximum=1000000.0),
    "ky": key(NUMBER, 0.0, doc="idealized: eddy diffusivity along y (m2/s)", minimum=0, maximum=1000000.0),
    "kz": key(NUMBER, 0.0, doc="idealized: vertical eddy diffusivity (m2/s)", minimum=0, maximum=10000.0),
    "terrain_height": key(NUMBER, 0.0, doc="idealized: height of a Gaussian hill (m), terrain_bump",
                          minimum=0, maximum=9000.0),
    "terrain_centre": key(list, [0.0, 0.0], doc="idealized: hill centre (x, y)"),
    "terrain_halfwidth": key(NUMBER, 1.0, doc="idealized: hill e-folding half-width", minimum=0,
                             exclusive_minimum=True),
    "wind_modulation": key(NUMBER, 0.0, doc="idealized: relative amplitude of the horizontal wind variation that "
                                            "makes the terrain_bump flow divergent", minimum=0, maximum=1.0),
    "breathing_period_hours": key(NUMBER, 0.0, doc="idealized: period of an air-density oscillation (h); 0: none",
                                  minimum=0),
    "breathing_amplitude": key(NUMBER, 0.0, doc="idealized: relative amplitude of the air-density oscillation",
                               minimum=0, maximum=1.0),
}

#: Keys of the other sources (synthetic weather, model files, one station).
METEOROLOGY_KEYS = {
    # synthetic
    "seed": key(int, DEFAULTS["seed"], doc="synthetic: seed of the synthetic weather (daily perturbations, "
                                           "showers)"),
    "regimes": key(list, [], doc="synthetic: regime of each day of the month (southerly, front, northerly, calm, "
                                 "showery, easterly), repeated to 31 days; empty for the documented August "
                                 "calendar"),
    "temperature_offset": key(NUMBER, 0.0, doc="synthetic: K added to every temperature", minimum=-50.0, maximum=50.0),
    "wind_scale": key(NUMBER, 1.0, doc="synthetic: factor on the synoptic wind", minimum=0, maximum=10.0),
    "mixing_height_scale": key(NUMBER, 1.0, doc="synthetic: factor on the convective mixing height",
                               minimum=0, maximum=10.0),
    "shower_frequency": key(NUMBER, 1.0, doc="synthetic: factor on the number of shower cells",
                            minimum=0, maximum=100.0),
    "sea_breeze": key(NUMBER, DEFAULTS["sea_breeze"], doc="synthetic: sea-breeze speed scale (m/s)",
                      minimum=0, maximum=50.0),
    "mountain_wind": key(NUMBER, DEFAULTS["mountain_wind"], doc="synthetic: mountain-valley wind speed scale (m/s)",
                         minimum=0, maximum=50.0),
    "horizontal_diffusivity_min": key(NUMBER, DEFAULTS["horizontal_diffusivity_min"],
                                      doc="synthetic, wrf, cf, station: floor of the Smagorinsky horizontal "
                                          "diffusivity (m2/s)", minimum=0, maximum=1000000.0),
    "urban_night": key(bool, DEFAULTS["urban_night"],
                       doc="synthetic: the city's night (met/boundary_layer.py): no night-time heat loss over a "
                           "cell's built-up share (near-neutral surface layer) under AERMOD's nocturnal urban "
                           "boundary layer; false gives built-up cells the rural stable night (CMAQ's Kz floor "
                           "by urban fraction stays)"),
    # files
    "files": key(list, [], doc="wrf, cf: input files or glob patterns (relative to the scenario file)"),
    "accumulation_hours": key(NUMBER, None, doc="cf: hours over which accumulated fields (precipitation amounts, "
                                                "J m-2 fluxes) are summed; default the variable's cell_methods "
                                                "interval, else 1 (ERA5)",
                                                minimum=0, exclusive_minimum=True, maximum=744.0),
    "standard_names": key(dict, {}, doc="cf: standard names for variables whose files lack them, as "
                                        "{ variable = \"standard_name\" }"),
    "file": key(str, "", doc="station: the hourly station CSV"),
    "station_lon": key(NUMBER, None, doc="station: longitude (deg E) for the sun; default the domain centre",
                       minimum=-360.0, maximum=360.0),
    "station_lat": key(NUMBER, None, doc="station: latitude (deg N); default the domain centre",
                       minimum=-90.0, maximum=90.0),
    "roughness_length": key(NUMBER, 0.1, doc="station: roughness length around the station (m)", minimum=0,
                            exclusive_minimum=True, maximum=10.0),
}

#: The whole [meteorology] table.
METEOROLOGY_SCHEMA = {
    "source": key(str, "idealized", choices=SOURCE_CHOICES,
                  doc="where the weather comes from: analytic flows (idealized), the embedded synthetic August "
                      "weather of greater Beijing (synthetic), WRF output (wrf), CF NetCDF such as ERA5 (cf), or "
                      "one station's hourly CSV (station)"),
    **IDEALIZED_KEYS,
    **METEOROLOGY_KEYS,
}

#: The keys each source reads, besides ``source``.
SOURCE_KEYS = {
    "idealized": tuple(IDEALIZED_KEYS),
    "synthetic": ("seed", "regimes", "temperature_offset", "wind_scale", "mixing_height_scale", "shower_frequency",
                  "sea_breeze", "mountain_wind", "horizontal_diffusivity_min", "urban_night"),
    "wrf": ("files", "horizontal_diffusivity_min"),
    "cf": ("files", "accumulation_hours", "standard_names", "horizontal_diffusivity_min"),
    "station": ("file", "station_lon", "station_lat", "roughness_length", "horizontal_diffusivity_min"),
}
