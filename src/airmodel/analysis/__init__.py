"""Analysis of run outputs: stations, daily statistics, standards and the AQI, scenario comparison, exposure,
evaluation against observations and ensembles of runs."""
