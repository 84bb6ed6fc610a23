"""Health impacts and their value from two runs (``airmodel health BASE.nc CASE.nc -o DIR``): concentration-
response functions as data (functions.py), baseline incidence and age structure (incidence.py), valuation
(valuation.py), the uncertainty draws (uncertainty.py) and the computation (impact.py: ``health_impacts`` returns
an xarray Dataset); the files written by the command come from outputs.py."""
from .impact import Options, health_impacts

__all__ = ["Options", "health_impacts"]
