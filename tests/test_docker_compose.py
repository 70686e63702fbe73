"""The production deployment: docker-compose.yml, the Dockerfile and the settings they feed.

No Docker engine runs where the suite runs, so the files are checked by construction: parsed,
cross-checked against the settings, and where a piece can run without Docker (a health probe,
the build's collectstatic, `check --deploy`), run.
"""

import http.server
import os
import re
import secrets
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SETTINGS_FILE = ROOT / "iom" / "settings.py"
README = ROOT / "README.md"

WORKERS = ("worker", "report-worker")
DJANGO_SERVICES = ("migrate", "web", *WORKERS, "beat")
LONG_RUNNING = ("db", "redis", "web", *WORKERS, "beat")
# What iom/settings.py refuses to start without when DJANGO_DEBUG is off.
REQUIRED_IN_PRODUCTION = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL")
WEASYPRINT_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-liberation")

# Compose interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}.
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
REQUIRED_REFERENCE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+):\?[^}]+\}")


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found = compose["services"]
    assert isinstance(found, dict)
    return found


def interpolate(value: str, values: dict[str, str]) -> str:
    """Resolve compose interpolation as `docker compose` would, with `values` as the shell environment."""

    def resolve(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        given = values.get(name)
        if op in (":?", "?"):
            if given is None or (op == ":?" and given == ""):
                raise KeyError(f"compose would refuse to start: {name} is required ({arg})")
            return given
        if op == ":-":
            return given if given else arg
        if op == "-":
            return given if given is not None else arg
        return given or ""

    return INTERPOLATION.sub(resolve, value.replace("$$", "\0")).replace("\0", "$")


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def option(command: list[str], name: str) -> str | None:
    """The value of --name=value or --name value in a command line."""
    for index, part in enumerate(command):
        if part.startswith(f"{name}="):
            return part.split("=", 1)[1]
        if part == name and index + 1 < len(command):
            return command[index + 1]
    return None


def healthcheck_text(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(part) for part in test)


def python_probe(service: dict[str, Any]) -> str:
    """The code of a ["CMD", "python", "-c", CODE] health check."""
    test = service["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], test
    code = test[3]
    compile(code, "<healthcheck>", "exec")
    return str(code)


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> named volume (or host path) for a service's short-syntax volumes."""
    result = {}
    for entry in service.get("volumes", []):
        source, target = str(entry).split(":")[:2]
        result[target] = source
    return result


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = pending + line
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    starts = [index for index, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    return instructions[starts[-1] :]


def collectstatic_run() -> str:
    runs = [args for keyword, args in final_stage() if keyword == "RUN" and "collectstatic" in args]
    assert len(runs) == 1, "the runtime stage must run collectstatic exactly once"
    return runs[0]


def build_time_environment() -> dict[str, str]:
    """The NAME=value assignments in front of `python manage.py collectstatic` on its RUN line."""
    words = shlex.split(collectstatic_run())
    assignments = {}
    for word in words:
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", word):
            break
        name, value = word.split("=", 1)
        assignments[name] = value
    return assignments


def dockerfile_env() -> dict[str, str]:
    values = {}
    for keyword, arguments in final_stage():
        if keyword == "ENV":
            for word in shlex.split(arguments):
                name, _, value = word.partition("=")
                values[name] = value
    return values


def clean_environment(home: Path) -> dict[str, str]:
    """The process environment without anything this suite or a developer's shell configures Django with."""
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "IOM_", "DATABASE_URL", "CELERY_", "PYTEST_"))
    }
    kept["HOME"] = str(home)
    return kept


def production_environment(services: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    """The web service's environment as compose would give it, with the given production-like values."""
    shell = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(45)[:60],
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "DJANGO_ALLOWED_HOSTS": "iom.example.org",
    }
    resolved = {
        name: interpolate(str(value), shell) for name, value in services["web"]["environment"].items()
    }
    resolved.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "IOM_DATA_DIR": str(tmp_path / "data"),
            "IOM_MEDIA_ROOT": str(tmp_path / "media"),
        }
    )
    return resolved


# --- compose: services and health ----------------------------------------------------------------


def test_every_service_is_defined(services):
    assert set(services) >= {"db", "redis", "migrate", "web", "worker", "report-worker", "beat"}


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_have_a_healthcheck_and_restart(services, name):
    service = services[name]
    assert "healthcheck" in service, f"{name} has no healthcheck"
    assert not service["healthcheck"].get("disable", False)
    assert service["healthcheck"]["test"], f"{name}'s healthcheck has no test"
    assert service.get("restart") == "unless-stopped"


def test_migrate_is_a_one_shot_before_everything_that_uses_the_database(services):
    migrate = services["migrate"]
    assert command_of(migrate)[:3] == ["python", "manage.py", "migrate"]
    assert "--noinput" in command_of(migrate)
    assert migrate.get("restart", "no") == "no"
    assert "healthcheck" not in migrate
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", *WORKERS, "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


@pytest.mark.parametrize("name", ["web", *WORKERS, "beat"])
def test_django_processes_wait_for_a_healthy_database_and_broker(services, name):
    depends_on = services[name]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_database_and_broker_healthchecks(services):
    assert "pg_isready" in healthcheck_text(services["db"])
    assert "redis-cli ping" in healthcheck_text(services["redis"])


def test_one_image_built_once_runs_every_django_process(services):
    assert services["web"]["build"] in (".", {"context": "."})
    image = services["web"]["image"]
    for name in DJANGO_SERVICES:
        assert services[name]["image"] == image, name
        if name != "web":
            assert "build" not in services[name], f"{name} would build the same image again"


# --- compose: the Django environment ------------------------------------------------------------


def test_every_django_process_gets_the_same_environment(services):
    web = services["web"]["environment"]
    assert isinstance(web, dict)
    for name in DJANGO_SERVICES:
        assert services[name]["environment"] == web, f"{name}'s environment differs from web's"


def test_the_environment_has_what_the_settings_require_with_debug_off(services):
    environment = services["web"]["environment"]
    assert environment["DJANGO_DEBUG"] == "false"
    for name in REQUIRED_IN_PRODUCTION:
        assert str(environment.get(name, "")).strip(), f"{name} is required when DJANGO_DEBUG is off"
    assert environment.get("CELERY_TASK_ALWAYS_EAGER", "false") == "false"
    allowed_hosts = interpolate(environment["DJANGO_ALLOWED_HOSTS"], {})
    assert "*" not in allowed_hosts


def test_database_url_points_at_the_db_service(services):
    url = urlsplit(interpolate(services["web"]["environment"]["DATABASE_URL"], {"POSTGRES_PASSWORD": "pw"}))
    db = services["db"]["environment"]
    assert url.scheme in ("postgres", "postgresql")
    assert url.hostname == "db"
    assert url.port in (None, 5432)
    assert url.username == db["POSTGRES_USER"]
    assert url.password == "pw", "DATABASE_URL must use the same POSTGRES_PASSWORD as the db service"
    assert url.path == f"/{db['POSTGRES_DB']}"


def test_cache_url_is_the_redis_service_apart_from_the_broker(services):
    environment = services["web"]["environment"]
    cache = urlsplit(interpolate(environment["CACHE_URL"], {}))
    broker = urlsplit(interpolate(environment["CELERY_BROKER_URL"], {}))
    assert cache.scheme == "redis"
    assert cache.hostname == "redis"
    assert cache.port in (None, 6379)
    # A cache may be flushed; the broker's queued tasks must not go with it.
    assert cache.path != broker.path


def test_broker_url_points_at_the_redis_service(services):
    url = urlsplit(interpolate(services["web"]["environment"]["CELERY_BROKER_URL"], {}))
    assert url.scheme == "redis"
    assert url.hostname == "redis"
    assert url.port in (None, 6379)


def test_secrets_come_from_required_variables_never_literals(services):
    django = services["web"]["environment"]
    secret_key = REQUIRED_REFERENCE.fullmatch(django["DJANGO_SECRET_KEY"])
    assert secret_key
    assert secret_key["name"] == "DJANGO_SECRET_KEY"
    db_password = REQUIRED_REFERENCE.fullmatch(services["db"]["environment"]["POSTGRES_PASSWORD"])
    assert db_password
    assert db_password["name"] == "POSTGRES_PASSWORD"
    in_url = re.fullmatch(r"\w+://[^:@/]+:(?P<password>\$\{[^}]*\})@.+", django["DATABASE_URL"])
    assert in_url, "DATABASE_URL's password must be a variable reference"
    password_in_url = REQUIRED_REFERENCE.fullmatch(in_url["password"])
    assert password_in_url
    assert password_in_url["name"] == "POSTGRES_PASSWORD"
    # And nothing anywhere that looks like a secret is written into the file.
    for service_name, service in services.items():
        for name, value in (service.get("environment") or {}).items():
            if re.search(r"SECRET|PASSWORD|TOKEN|_KEY$", name):
                assert REQUIRED_REFERENCE.fullmatch(str(value)), (
                    f"{service_name}: {name} is not ${{{name}:?...}}"
                )


def test_compose_refuses_to_interpolate_without_the_secrets(services):
    with pytest.raises(KeyError, match="DJANGO_SECRET_KEY"):
        interpolate(services["web"]["environment"]["DJANGO_SECRET_KEY"], {"POSTGRES_PASSWORD": "pw"})
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        interpolate(services["web"]["environment"]["DATABASE_URL"], {"DJANGO_SECRET_KEY": "k" * 60})


# --- compose: queues, volumes, the web process -------------------------------------------------


def routed_queue(task_name: str) -> str:
    from iom.celery import app

    return str(app.amqp.router.route({}, task_name)["queue"].name)


def test_workers_consume_the_queues_the_settings_route_to(services):
    default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    assert routed_queue("reports.tasks.build_report_task") == "reports"
    # The monthly scheduler only inserts rows and sends builds: it must not wait behind PDFs.
    assert routed_queue("reports.tasks.schedule_monthly_packs_task") == default_queue
    assert routed_queue("partners.tasks.resend_lost_notices_task") == default_queue
    worker, report_worker = (command_of(services[name]) for name in WORKERS)
    assert command_of(services["worker"])[:4] == ["celery", "-A", "iom", "worker"]
    assert command_of(services["report-worker"])[:4] == ["celery", "-A", "iom", "worker"]
    assert option(worker, "--queues") == default_queue, "the default worker must not take report builds"
    # Packs on their own, one at a time, with the rendering child recycled: rendering never starves
    # other work, and memory it leaves behind does not pile up.
    assert option(report_worker, "--queues") == "reports"
    assert option(report_worker, "--concurrency") == "1"
    assert option(report_worker, "--max-tasks-per-child") == "10"
    assert option(report_worker, "--max-memory-per-child") == str(1024 * 1024)  # KiB


def test_the_development_worker_takes_both_queues():
    """`make run` has a single worker, so it must take report builds as well as everything else."""
    script = (ROOT / "scripts" / "run-dev").read_text()
    (line,) = [line for line in script.splitlines() if "celery" in line and " worker" in line]
    assert option(shlex.split(line.rstrip("\\")), "--queues") == "default,reports"


@pytest.mark.parametrize("name", WORKERS)
def test_worker_healthchecks_ping_their_own_node(services, name):
    node_prefix = (option(command_of(services[name]), "--hostname") or "celery@%h").removesuffix("%h")
    check = healthcheck_text(services[name])
    assert "celery -A iom inspect ping" in check
    # $$ so compose leaves $HOSTNAME for the container's shell instead of filling in the host's.
    assert re.search(rf"(-d|--destination)[ =]{re.escape(node_prefix)}\$\$HOSTNAME\b", check), check


def test_web_workers_and_beat_run_the_right_programs(services):
    web_command = command_of(services["web"])
    assert not web_command or web_command[0] == "gunicorn", "web runs gunicorn (the image's CMD)"
    beat = command_of(services["beat"])
    assert beat[:4] == ["celery", "-A", "iom", "beat"]


def test_web_and_both_workers_mount_one_media_volume(services, compose):
    media_root = services["web"]["environment"]["IOM_MEDIA_ROOT"]
    sources = {name: mounts(services[name]).get(media_root) for name in ("web", *WORKERS)}
    assert None not in sources.values(), f"IOM_MEDIA_ROOT {media_root} is not mounted everywhere: {sources}"
    assert len(set(sources.values())) == 1, sources
    (volume,) = set(sources.values())
    assert volume in (compose.get("volumes") or {}), "the media volume must be a named volume"


def test_static_files_collected_at_build_are_not_hidden_by_a_volume(services):
    static_root = "/app/staticfiles"  # settings' default: the code folder (WORKDIR /app) + staticfiles
    assert ("WORKDIR", "/app") in final_stage()
    for name in DJANGO_SERVICES:
        for target in mounts(services[name]):
            assert not (static_root + "/").startswith(target.rstrip("/") + "/"), (
                f"{name} mounts {target} over STATIC_ROOT {static_root}"
            )


def test_beat_keeps_its_schedule_on_a_writable_volume(services):
    schedule = option(command_of(services["beat"]), "--schedule")
    assert schedule, "beat needs --schedule on a volume"
    directory = schedule.rsplit("/", 1)[0]
    assert directory in mounts(services["beat"]), f"{directory} is not a volume in beat"
    # The image creates the mount point owned by the app user, so a fresh volume is writable.
    prepared = " ".join(args for keyword, args in final_stage() if keyword == "RUN" and "mkdir" in args)
    assert directory in prepared
    assert "chown" in prepared


def test_web_is_published_on_8000_and_probes_readyz_without_curl(services):
    assert "8000:8000" in [str(port) for port in services["web"]["ports"]]
    code = python_probe(services["web"])
    assert "urllib" in code
    assert "curl" not in healthcheck_text(services["web"])
    for needed in ("/readyz", "DJANGO_ALLOWED_HOSTS", "'Host'"):
        assert needed in code


class _Probe(http.server.BaseHTTPRequestHandler):
    status = 200
    seen: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:
        type(self).seen.append((self.path, self.headers.get("Host")))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def probe_server() -> Iterator[tuple[int, type[_Probe]]]:
    handler = type("Probe", (_Probe,), {"seen": [], "status": 200})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()


def test_web_healthcheck_sends_an_allowed_host_and_fails_when_not_ready(services, probe_server, tmp_path):
    port, handler = probe_server
    code = python_probe(services["web"])
    assert "127.0.0.1:8000" in code, "the probe must call gunicorn inside the container"
    code = code.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    env = {**clean_environment(tmp_path), "DJANGO_ALLOWED_HOSTS": ".example.org,iom.example.net"}

    def run() -> int:
        return subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, timeout=30
        ).returncode

    assert run() == 0
    assert handler.seen == [("/readyz", "example.org")]
    handler.status = 503
    assert run() != 0


def test_beat_healthcheck_reaches_the_broker(services, tmp_path):
    code = python_probe(services["beat"])
    env = {
        **clean_environment(tmp_path),
        **production_environment(services, tmp_path),
        "CELERY_BROKER_URL": "memory://",
    }
    ok = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0, ok.stderr
    env["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    down = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert down.returncode != 0


# --- Dockerfile -------------------------------------------------------------------------------


def test_dockerfile_builds_assets_in_a_node_stage():
    instructions = dockerfile_instructions()
    stages = [args for keyword, args in instructions if keyword == "FROM"]
    assert stages[0].startswith("node:20-bookworm-slim")
    assert stages[-1].startswith("python:3.13-slim-bookworm")
    runs = " ".join(args for keyword, args in instructions if keyword == "RUN")
    assert "npm ci" in runs
    assert "npm run" in runs
    copies = [args for keyword, args in final_stage() if keyword == "COPY"]
    assert any(args.startswith("--from=") and "build/static" in args for args in copies)


def test_dockerfile_installs_the_weasyprint_libraries():
    installs = " ".join(
        args for keyword, args in final_stage() if keyword == "RUN" and "apt-get install" in args
    ).split()
    for package in WEASYPRINT_PACKAGES:
        assert package in installs, f"{package} is not installed"
    assert "--no-install-recommends" in installs
    runs = " ".join(args for keyword, args in final_stage() if keyword == "RUN")
    assert re.search(r"pip install (--no-cache-dir )?-r requirements\.lock", runs)


def test_dockerfile_runs_as_a_non_root_user():
    users = [args for keyword, args in final_stage() if keyword == "USER"]
    assert users, "the runtime stage never switches user"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def test_dockerfile_starts_gunicorn_on_8000_with_an_access_log():
    stage = final_stage()
    assert ("EXPOSE", "8000") in stage
    (cmd,) = [args for keyword, args in stage if keyword == "CMD"][-1:]
    command = yaml.safe_load(cmd)  # exec form is a JSON array, and JSON is YAML
    assert isinstance(command, list), "CMD must be exec form so gunicorn is PID 1 and gets SIGTERM"
    assert command[:2] == ["gunicorn", "iom.wsgi:application"]
    assert option(command, "--bind") == "0.0.0.0:8000"
    assert option(command, "--access-logfile") == "-"
    assert option(command, "--workers") or dockerfile_env().get("WEB_CONCURRENCY"), "no worker count"


def test_dockerfile_collects_static_files_with_debug_off():
    env = build_time_environment()
    assert env.get("DJANGO_DEBUG") == "false", "collectstatic must use the manifest storage production uses"
    assert len(env.get("DJANGO_SECRET_KEY", "")) >= 50
    for name in REQUIRED_IN_PRODUCTION:
        assert env.get(name), f"settings would not import at build time without {name}"
    assert "--noinput" in collectstatic_run()


def test_the_dockerfile_collectstatic_succeeds(tmp_path):
    """Replays the build's collectstatic: with DEBUG off the manifest storage fails on a missing file."""
    assert (ROOT / "build" / "static" / "css" / "app.css").exists(), "build the assets first (make assets)"
    env = {
        **clean_environment(tmp_path),
        **build_time_environment(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'build.sqlite3'}",
        "IOM_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "data" / "staticfiles"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "data" / "staticfiles" / "staticfiles.json").exists()


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {line.strip().strip("/") for line in DOCKERIGNORE.read_text().splitlines()}
    for entry in (".venv", "node_modules", "build", "var", ".env", ".git", "test-results"):
        assert entry in ignored, entry
    assert ignored & {"__pycache__", "**/__pycache__"}


# --- settings: deploy check and documentation ------------------------------------------------


def test_check_deploy_passes_with_the_compose_environment(services, tmp_path):
    env = {
        **clean_environment(tmp_path),
        **production_environment(services, tmp_path),
        "DJANGO_SETTINGS_MODULE": "iom.settings",
    }
    assert env["DJANGO_DEBUG"] == "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    ids = sorted(set(re.findall(r"\(([\w.]+\.[EW]\d+)\)", output)))
    assert result.returncode == 0, f"check --deploy found {ids}:\n{output}"


def environment_variables_read_by_settings() -> set[str]:
    source = SETTINGS_FILE.read_text()
    names = set(re.findall(r"""\benv\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))
    for secret in re.findall(r"""\b_secret\(\s*["']([A-Z][A-Z0-9_]*)["']""", source):
        names |= {secret, f"{secret}_FILE"}  # _secret reads NAME or the file named by NAME_FILE
    return names


def test_readme_configuration_table_lists_every_environment_variable():
    names = environment_variables_read_by_settings()
    assert set(REQUIRED_IN_PRODUCTION) <= names, (
        "the settings scan found too little; has settings.py changed?"
    )
    rows = [line for line in README.read_text().splitlines() if line.lstrip().startswith("|")]
    table = "\n".join(row for row in rows if not re.fullmatch(r"[\s|:-]*", row))
    missing = sorted(name for name in names if not re.search(rf"(?<![A-Z0-9_]){name}(?![A-Z0-9_])", table))
    assert not missing, f"README.md's configuration table does not list: {', '.join(missing)}"
