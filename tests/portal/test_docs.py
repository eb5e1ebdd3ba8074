import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = r'(?:env\.str|env\.list|_bool|_int|_parsed|_storage)\(\s*"([A-Z_]+)"'


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
