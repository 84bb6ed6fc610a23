"""The CF compliance checker (IOOS compliance-checker, its ``cf:1.8`` suite) run in the test process.

The checker's run time grows with the square of a file's variable count: for each variable it asks again which
variables of the file are auxiliary coordinates, axes, latitudes, longitudes, heights and cell bounds, questions
whose answers depend only on the open dataset (a run's output of ~150 variables: about 25 s, nine tenths in those
questions). Here those six functions of the checker's ``cf.util`` are memoised per dataset for the duration of
one check (the checker itself already memoises ``get_coordinate_variables`` so); every check still runs, on the
same answers. The command-line ``cchecker.py`` gives the same verdict (``tests/unit/test_cf_check.py``).
"""
from __future__ import annotations

import functools
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

from compliance_checker.cf import util as cf_util
from compliance_checker.runner import CheckSuite, ComplianceChecker

#: Functions of one argument, the open dataset, that the checker's cf suite calls for every variable.
PER_DATASET = ("get_auxiliary_coordinate_variables", "get_axis_variables", "get_longitude_variables",
               "get_latitude_variables", "get_z_variables", "get_cell_boundary_variables")


@contextmanager
def _memoised():
    originals = {name: getattr(cf_util, name) for name in PER_DATASET}

    def memo(function):
        answers = {}

        @functools.wraps(function)
        def wrapper(nc):
            key = id(nc)
            if key not in answers:
                answers[key] = (nc, list(function(nc)))     # nc kept: its id is not reused while the check runs
            return list(answers[key][1])                      # a copy: a caller may change the list
        return wrapper

    try:
        for name, function in originals.items():
            setattr(cf_util, name, memo(function))
        yield
    finally:
        for name, function in originals.items():
            setattr(cf_util, name, function)


def cf_check(path: Path, criteria: str = "strict") -> tuple[bool, bool, str]:
    """(passed at ``criteria``, errors occurred, the text report) of ``cchecker.py --test cf:1.8``."""
    with warnings.catch_warnings():     # the plug-ins it loads beside cf warn of their own deprecation
        warnings.simplefilter("ignore", DeprecationWarning)
        CheckSuite.load_all_available_checkers()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.txt"
        with _memoised():
            passed, errors = ComplianceChecker.run_checker(str(path), ["cf:1.8"], 0, criteria,
                                                           output_filename=str(report), output_format="text")
        return bool(passed), bool(errors), report.read_text(encoding="utf-8")


def assert_cf_strict(path: Path) -> None:
    """The file passes ``cchecker.py --test cf:1.8 --criteria strict`` (exit 0, "All tests passed!")."""
    passed, errors, text = cf_check(path, "strict")
    assert passed and not errors and "All tests passed!" in text, text[-3000:]
