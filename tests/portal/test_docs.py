import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = r'(?:env\.str|env\.list|_bool|_int|_fraction|_parsed|_storage)\(\s*"([A-Z_]+)"'


def settings_variables():
    return set(re.findall(READ, (ROOT / "astria_portal" / "settings.py").read_text()))


def test_settings_read_the_variables_we_expect():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ASTRIA_API_KEY"} <= settings_variables()


def test_every_variable_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    missing = [name for name in settings_variables() if not re.search(rf"\b{name}=", example)]
    assert missing == []


def test_every_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in settings_variables() if f"| `{name}` |" not in readme]
    assert missing == []


def test_the_readme_shows_the_two_commands_first():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def scale_out_section():
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Running on several machines", 1)[1].split("\n## ", 1)[0]


def test_the_scale_out_section_names_what_is_shared():
    section = scale_out_section()
    for name in ("DATABASE_URL", "STORAGE_URL", "CACHE_URL", "SECRET_KEY", "PUBLIC_BASE_URL"):
        assert f"`{name}`" in section, name


def test_the_drill_the_readme_describes_runs_in_ci():
    assert "`make drill-scaleout`" in scale_out_section()
    makefile = (ROOT / "Makefile").read_text()
    assert "drill-scaleout: $(STAMP)\n\t$(PY) -m drills two-workers" in makefile
    assert "\nmake drill-scaleout\n" in (ROOT / ".ci" / "run").read_text()


def test_the_stop_times_in_the_readme_are_the_units():
    readme = (ROOT / "README.md").read_text()
    units = ROOT / "deploy" / "systemd"
    for unit, what in (("web", "gunicorn gets"), ("worker", "the worker")):
        text = (units / f"astria-portal-{unit}.service").read_text()
        seconds = re.search(r"^TimeoutStopSec=(\d+)$", text, re.MULTILINE).group(1)
        assert f"{what} {seconds} s" in readme.replace("\n  ", " "), unit
