"""Helpers shared by the scripts that write the docs' tables of figures from run outputs (docs_olympic.py,
docs_ensembles.py): reading a CSV table, and a figure written for prose (significant digits, no exponent, a
typographic minus)."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def fig(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits, without exponent for the magnitudes of these tables."""
    if not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - int(np.floor(np.log10(abs(value)))))
    return f"{value:.{decimals}f}".replace("-", "−")


def write_doc(path: Path, text: str, force: bool) -> None:
    """Write a generated document atomically (never over an existing file without ``force``) and say so."""
    from airmodel.files import atomic_file

    with atomic_file(path, force=force) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    print(f"wrote {path}")
