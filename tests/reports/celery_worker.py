"""Real Celery worker processes for the worker tests, sharing the test database and broker.

Imported by the tests to start workers; run as `python -m tests.reports.celery_worker <worker
options>` it is the worker itself: the usual `celery -A iom worker`, with two test-only knobs read
from the environment, so that production code carries no test hooks:

- IOM_TEST_HOLD_BUILD=<path>: the first pack build stops before it starts, after writing the run's
  id and its process id to <path>, and waits there (until the test kills it), so "killed
  mid-build" is deterministic. Later builds, as the marker then exists, run straight through.
- IOM_TEST_LEASE_SECONDS=<seconds>: the claim's lease (production: 15 minutes).
- IOM_TEST_VISIBILITY_TIMEOUT=<seconds>: how long Redis waits before delivering an unacknowledged
  task again (production: an hour, longer than any build), and a restore sweep every second.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database, as a URL a worker process can open."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_environment(settings: Any, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iom.test_settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "IOM_DATA_DIR": str(settings.DATA_DIR),
        "IOM_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


def start_worker(options: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A worker in a session of its own, so the test can kill it with all its pool processes."""
    with log.open("a") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.reports.celery_worker", *options],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no warm shutdown, no chance to hand the task back, as when a container is OOM-killed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_process_group(process)


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(
        f"gave up after {seconds:.0f} s waiting for {what}; worker log:\n{log.read_text()[-4000:]}"
    )


def forget_queued_reports() -> None:
    """Empty the reports queue and Redis's unacknowledged set: a message left by an earlier session
    would name a run id that this session's fresh database may reuse."""
    from iom.celery import app

    with app.connection_for_write() as connection:
        channel: Any = connection.default_channel
        channel.queue_purge("reports")
        channel.client.delete(channel.unacked_key, channel.unacked_index_key, channel.unacked_mutex_key)


def _hold_the_build(marker: Path) -> None:
    from reports.pack import build

    real_build_pack = build.build_pack

    def held_build_pack(run: Any, *, progress: Callable[[int, str], None]) -> Any:
        if not marker.exists():  # only the first attempt is held; the marker says where it runs
            marker.write_text(f"{run.pk} {os.getpid()}")
            time.sleep(600)  # the test kills the worker long before this ends
        return real_build_pack(run, progress=progress)

    build.build_pack = held_build_pack  # services call build.build_pack, so they get this one


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom.test_settings")
    django.setup()
    from iom.celery import app

    # The test settings run tasks in-process; a real worker sends what it sends (a retry) to the
    # broker, or a retry's countdown would be ignored.
    app.conf.task_always_eager = False
    if hold := os.environ.get("IOM_TEST_HOLD_BUILD"):
        _hold_the_build(Path(hold))
    if lease := os.environ.get("IOM_TEST_LEASE_SECONDS"):
        from reports import services

        services.LEASE = timedelta(seconds=float(lease))
    if visibility := os.environ.get("IOM_TEST_VISIBILITY_TIMEOUT"):
        app.conf.broker_transport_options = {
            **app.conf.broker_transport_options,
            "visibility_timeout": float(visibility),
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }
    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
