"""The production lock and the development lock pin the same versions of what they share."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE)}


def test_runtime_pins_match_the_development_pins():
    runtime, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {"django", "celery", "psycopg", "weasyprint", "gunicorn"} <= runtime.keys()
    assert {name: version for name, version in runtime.items() if development.get(name) != version} == {}


def test_the_production_lock_carries_no_test_tools():
    assert not {"pytest", "playwright", "mypy", "ruff", "factory-boy"} & pins("requirements.lock").keys()
