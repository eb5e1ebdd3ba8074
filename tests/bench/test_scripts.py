"""The benchmarks that need the whole stack still run, at a tiny size on SQLite."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    result = subprocess.run(
        [sys.executable, "-m", *args, "--sqlite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_uploads_benchmark_reports_memory_and_bytes():
    out = run("bench.uploads", "--photos", "4", "--megabytes", "0.3")

    assert "web process: idle" in out
    assert "MB above idle" in out
    assert "of the bytes uploaded" in out


def test_the_end_to_end_benchmark_reports_calls_and_nothing_lost():
    out = run("bench.e2e", "--people", "1", "--tunes", "1", "--prompts", "1")

    assert "1.00 per tune" in out
    assert "1.00 per prompt" in out
    assert "lost or duplicated: none" in out


def test_the_upload_attack_benchmark_reports_probes_and_attack_answers():
    out = run(
        "bench.upload_attack", "--accounts", "2", "--seconds", "2", "--idle", "1",
        "--photos", "4", "--side", "700", "--distinct",
    )  # fmt: skip

    assert "login page, idle:" in out
    assert "tune list, attack:" in out
    assert "attack requests:" in out
    assert "answers 500, timeouts and broken connections:" in out


def test_the_browser_benchmark_compares_the_tune_page_with_static_files():
    out = run("bench.browser", "--rounds", "1", "--prompts", "2", "--images", "2")

    assert "portal, first visit" in out
    assert "static, second visit" in out
    assert "first visit, portal / static:" in out
    assert "server CPU per first visit, portal / static:" in out
