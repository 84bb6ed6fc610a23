"""Emissions: point sources (this module's point.py); area and mobile sources arrive with the inventory work."""
