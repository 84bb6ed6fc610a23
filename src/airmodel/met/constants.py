"""Physical constants of the meteorology, SI, each with its source."""
from ..units import STANDARD_GRAVITY

#: Gravitational acceleration (m s-2), standard value (CGPM 1901).
GRAVITY = STANDARD_GRAVITY
#: Specific gas constant of dry air (J kg-1 K-1) and of water vapour (Wallace and Hobbs 2006, Table A).
R_DRY = 287.05
R_VAPOUR = 461.5
#: Ratio of the gas constants, R_dry / R_vapour.
EPSILON = R_DRY / R_VAPOUR
#: Specific heat of dry air at constant pressure (J kg-1 K-1).
CP_DRY = 1004.7
#: Poisson exponent R/cp used in potential temperature; WRF uses 2/7 with p0 = 1000 hPa.
KAPPA = R_DRY / CP_DRY
P0 = 100_000.0
#: Von Karman constant (Hogstrom 1988 review: 0.40 +- 0.01).
VON_KARMAN = 0.40
#: Kinematic viscosity of air at 20 C (m2 s-1) and molecular diffusivity of water vapour in air (m2 s-1),
#: (Seinfeld and Pandis 2016, Table A.7 and Table 19.x footnotes; Massman 1998 for H2O: 2.4e-5 at 20 C).
KINEMATIC_VISCOSITY = 1.5e-5
DIFFUSIVITY_H2O = 2.4e-5
#: Prandtl number of air.
PRANDTL = 0.72
#: Dynamic viscosity of air at 20 C (kg m-1 s-1).
DYNAMIC_VISCOSITY = 1.81e-5
#: Mean free path of air molecules at 20 C and 1 atm (m) (Seinfeld and Pandis 2016, eq. 9.6: 0.0651 um).
MEAN_FREE_PATH = 6.51e-8
#: Stefan-Boltzmann constant (W m-2 K-4).
STEFAN_BOLTZMANN = 5.670374e-8
#: Solar constant (W m-2) (Kopp and Lean 2011: 1360.8 +- 0.5).
SOLAR_CONSTANT = 1361.0
#: Earth's rotation rate (s-1).
OMEGA = 7.2921e-5
#: Density of liquid water (kg m-3).
RHO_WATER = 1000.0
