"""Fixtures for the report run tests: files under a folder of the test's own, and a stand-in pack.

Constants are imported by name (`from tests.reports.conftest import FAKE_PDF`).
"""

import pytest

from reports.models import ReportRun
from reports.pack.build import BuiltPack

FAKE_PDF = b"%PDF-1.7 a stand-in pack"
FAKE_ZIP = b"PK\x03\x04 a stand-in bundle"


@pytest.fixture
def media_root(settings, tmp_path):
    """Each test writes its files to its own folder, so counting them counts this test's alone."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def fake_pack(mocker, media_root):
    """build_pack replaced by one that reports a step of progress and returns a small pack."""
    seen: list[tuple[int, str, str]] = []

    def build(run, *, progress):
        progress(40, "Counting cohorts for City IOM")
        # What the database says mid-build: the progress step is visible to the page.
        fresh = ReportRun.objects.get(pk=run.pk)
        seen.append((fresh.progress, fresh.progress_note, fresh.status))
        return BuiltPack(pdf=FAKE_PDF, csv_zip=FAKE_ZIP, page_count=3)

    mock = mocker.patch("reports.pack.build.build_pack", side_effect=build)
    mock.seen = seen
    return mock
