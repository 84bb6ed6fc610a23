"""Meteorology: every source behind one interface (see base.py), chosen by name in the scenario."""
from .base import MetSnapshot, Meteorology, build_meteorology

__all__ = ["MetSnapshot", "Meteorology", "build_meteorology"]
