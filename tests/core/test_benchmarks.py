"""The benchmark scripts still run: each builds its own small database and requests its
pages as the user who would use them, and stops with an error if a page does not answer
200. (Their figures are read from the scripts' output, never asserted here.)

Each script makes its own SQLite database whatever the suite runs on, so they run in the
SQLite pass only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]

SMALL_RUNS = {
    "allocation.py": ["--requests", "20", "--workers", "10", "--open-cases", "100"],
    "centres.py": ["--families", "12", "--staff", "40"],
}


@pytest.mark.parametrize("script", sorted(SMALL_RUNS))
def test_the_benchmark_script_measures_its_pages(script):
    if connection.vendor != "sqlite":
        pytest.skip("the scripts build their own SQLite database: run in the SQLite pass")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "TWO_FACTOR_REQUIRED"}
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, f"benchmarks/{script}", *SMALL_RUNS[script], "--repeat", "1"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    table = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert len(table) >= 4, result.stdout
