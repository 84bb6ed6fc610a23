"""One table of the meteorological output variables: name, MetSnapshot field, units, CF standard name.

Used by the meteorology file writer (airmodel/met_output.py) and meant for the model's output writer too: the run
output's hourly surface meteorology is ``SURFACE_OUTPUT`` (surface wind, mixing height, 2-m temperature, precipitation).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetVariable:
    name: str  # variable name in files
    field: str  # MetSnapshot attribute
    kind: str  # "surface" [ny, nx], "layer" [nz, ny, nx], "interface" [nz+1, ny, nx]
    units: str
    long_name: str
    standard_name: str = ""
    height: float | None = None  # m above ground, for a scalar height coordinate (2 m, 10 m)
    scale: float = 1.0  # file value = scale * snapshot value (relative humidity in %)


VARIABLES = (
    MetVariable("u10", "u10", "surface", "m s-1", "eastward wind at 10 m", "eastward_wind", 10.0),
    MetVariable("v10", "v10", "surface", "m s-1", "northward wind at 10 m", "northward_wind", 10.0),
    MetVariable("t2", "temperature_2m", "surface", "K", "air temperature at 2 m", "air_temperature", 2.0),
    MetVariable("mixing_height", "mixing_height", "surface", "m", "mixing height above ground",
                "atmosphere_boundary_layer_thickness"),
    MetVariable("precipitation", "precipitation", "surface", "kg m-2 s-1", "precipitation flux",
                "precipitation_flux"),
    MetVariable("friction_velocity", "friction_velocity", "surface", "m s-1", "friction velocity"),
    MetVariable("monin_obukhov_length", "monin_obukhov_length", "surface", "m", "Monin-Obukhov length"),
    MetVariable("sensible_heat_flux", "sensible_heat_flux", "surface", "W m-2", "surface sensible heat flux",
                "surface_upward_sensible_heat_flux"),
    MetVariable("surface_pressure", "surface_pressure", "surface", "Pa", "surface air pressure",
                "surface_air_pressure"),
    MetVariable("shortwave_down", "shortwave_down", "surface", "W m-2", "downwelling shortwave radiation",
                "surface_downwelling_shortwave_flux_in_air"),
    MetVariable("cloud_cover", "cloud_cover", "surface", "1", "total cloud cover", "cloud_area_fraction"),
    MetVariable("u", "u", "layer", "m s-1", "eastward wind", "eastward_wind"),
    MetVariable("v", "v", "layer", "m s-1", "northward wind", "northward_wind"),
    MetVariable("air_temperature", "temperature", "layer", "K", "air temperature", "air_temperature"),
    MetVariable("air_pressure", "pressure", "layer", "Pa", "air pressure", "air_pressure"),
    MetVariable("air_density", "air_density", "layer", "kg m-3", "air density", "air_density"),
    MetVariable("specific_humidity", "specific_humidity", "layer", "kg kg-1", "specific humidity",
                "specific_humidity"),
    MetVariable("relative_humidity", "relative_humidity", "layer", "%", "relative humidity",
                "relative_humidity", scale=100.0),
    MetVariable("cloud_fraction", "cloud_fraction", "layer", "1", "cloud fraction in the layer",
                "cloud_area_fraction_in_atmosphere_layer"),
    MetVariable("cloud_water", "cloud_water", "layer", "kg kg-1", "cloud liquid water mixing ratio",
                "mass_fraction_of_cloud_liquid_water_in_air"),
    MetVariable("kz", "kz", "interface", "m2 s-1", "vertical eddy diffusivity on layer interfaces"),
)

BY_NAME = {v.name: v for v in VARIABLES}

#: What every run's output should carry hourly (issue 3, item 4).
SURFACE_OUTPUT = tuple(BY_NAME[n] for n in ("u10", "v10", "t2", "mixing_height", "precipitation"))
