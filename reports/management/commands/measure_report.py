"""Measure a regional governance pack at region scale: `manage.py measure_report` (run by `make bench`).

Builds the pack for a region (default the `seed_scale` region, Midshire) and a month (default the
last complete one) the way the worker does: a ReportRun of kind regional_pack, requested by the
region's regional lead, then `reports.services.build_report(report_run_id=...)`, the task's body.
The build runs in a child process forked for it, as a Celery prefork worker forks its children,
so its peak memory is its own: the child reports its `ru_maxrss` when it is done.

Prints the wall time (fork to result), the peak resident memory, the page count, the sizes of the
PDF and the CSV bundle, and the time of each progress step the build reports (with the queries it
ran and their time, to tell the database's share from Python's), then PASS or FAIL against the
targets (DESIGN §6: at most 60 s and 600 MB, for a pack of at least 60 pages). It exits non-zero
when a target is missed or the build fails. A pack of fewer pages is reported as it is: the target
is for a 60-page pack, and nothing is padded to reach it.
"""

import multiprocessing
import os
import resource
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone

from iom.core.models import Membership, Region, Role
from reports.management.commands.seed_scale import REGION
from reports.models import ReportRun

MAX_SECONDS = 60.0
MAX_MEGABYTES = 600.0
MIN_PAGES = 60


@dataclass
class Step:
    label: str
    seconds: float = 0.0
    queries: int = 0
    sql_seconds: float = 0.0


@dataclass(frozen=True)
class Query:
    seconds: float
    step: str
    sql: str


@dataclass
class Steps:
    """The build's progress steps as they happen: each lasts until the next one starts."""

    steps: list[Step] = field(default_factory=list)
    started: float = 0.0
    queries: int = 0
    sql_seconds: float = 0.0
    timed: list[Query] = field(default_factory=list)

    def start(self, label: str) -> None:
        self.finish()
        self.steps.append(Step(label))
        self.started = time.perf_counter()
        self.queries, self.sql_seconds = 0, 0.0

    def finish(self) -> None:
        if self.steps:
            step = self.steps[-1]
            step.seconds += time.perf_counter() - self.started
            step.queries, step.sql_seconds = self.queries, self.sql_seconds

    def count_query(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            self.queries += 1
            self.sql_seconds += seconds
            self.timed.append(Query(seconds, self.steps[-1].label if self.steps else "", sql))

    def slowest(self, count: int) -> list[Query]:
        return sorted(self.timed, key=lambda query: -query.seconds)[:count]


@dataclass
class Measured:
    """What the child sends back."""

    build_seconds: float
    maxrss_kb: int
    page_count: int
    pdf_size: int
    csv_size: int
    pdf_path: str
    csv_path: str
    steps: list[Step]
    slowest: list[Query]
    built_by: str


class Command(BaseCommand):
    help = "Build a regional governance pack in a child process; print its time, memory, pages and sizes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", default=REGION, help=f"The region's name (default {REGION}).")
        parser.add_argument(
            "--month", default=None, help="The month, as YYYY-MM (default the last complete month)."
        )
        parser.add_argument("--max-seconds", type=float, default=MAX_SECONDS, help="Wall time target.")
        parser.add_argument("--max-mb", type=float, default=MAX_MEGABYTES, help="Peak memory target (MB).")
        parser.add_argument("--min-pages", type=int, default=MIN_PAGES, help="Pages the pack should have.")
        parser.add_argument(
            "--slowest", type=int, default=5, help="Print this many of the slowest queries (default 5)."
        )

    def handle(
        self,
        *args: Any,
        region: str,
        month: str | None,
        max_seconds: float,
        max_mb: float,
        min_pages: int,
        slowest: int,
        **options: Any,
    ) -> None:
        found = Region.objects.filter(name=region).first()
        if found is None:
            raise CommandError(f"No region {region!r} in this database: run `manage.py seed_scale` first")
        period_start, period_end = _month(month, timezone.localdate())
        lead = (
            Membership.objects.filter(role=Role.REGIONAL_LEAD, region=found)
            .select_related("user")
            .order_by("user__email")
            .first()
        )
        run = ReportRun.objects.create(
            kind=ReportRun.Kind.REGIONAL_PACK,
            region=found,
            period_start=period_start,
            period_end=period_end,
            requested_by=lead.user if lead else None,
        )
        self.stdout.write(
            f"Regional governance pack for {found.name}, {period_start:%B %Y} (report run {run.pk}),"
            f" requested by {lead.user.email if lead else 'the schedule'}; built in a child process"
        )
        self.stdout.flush()
        load_before = os.getloadavg()
        started = time.perf_counter()
        outcome = _in_child(run.pk, slowest)
        wall = time.perf_counter() - started
        load_after = os.getloadavg()
        if isinstance(outcome, str):
            self.stderr.write(outcome)
            raise CommandError(f"The pack was not built (report run {run.pk}): see the error above")
        self.print_steps(outcome.steps)
        self.print_slowest(outcome.slowest)
        failed = self.print_figures(outcome, wall, max_seconds, max_mb, min_pages)
        self.stdout.write(
            f"Built by {outcome.built_by}; {outcome.build_seconds:.1f} s in the build itself."
            f" Load average {load_before[0]:.2f} before, {load_after[0]:.2f} after ({os.cpu_count()} CPUs)."
        )
        self.stdout.write(f"PDF: {outcome.pdf_path}\nCSV bundle: {outcome.csv_path}")
        if failed:
            raise CommandError(f"The pack missed {len(failed)} target(s): {', '.join(failed)}")

    def print_steps(self, steps: list[Step]) -> None:
        header = f"  {'step':<72} {'seconds':>8} {'queries':>8} {'SQL s':>7}"
        self.stdout.write(header)
        for step in steps:
            self.stdout.write(
                f"  {step.label[:72]:<72} {step.seconds:>8.2f} {step.queries:>8,} {step.sql_seconds:>7.2f}"
            )
        # The same steps summed over the scopes: which kind of work takes the time.
        totals: dict[str, Step] = defaultdict(lambda: Step(""))
        for step in steps:
            total = totals[step.label.split(" for ")[0]]
            total.seconds += step.seconds
            total.queries += step.queries
            total.sql_seconds += step.sql_seconds
        self.stdout.write("  By kind of step, over all scopes:")
        for label, total in sorted(totals.items(), key=lambda item: -item[1].seconds):
            self.stdout.write(
                f"    {label[:70]:<70} {total.seconds:>8.2f} {total.queries:>8,} {total.sql_seconds:>7.2f}"
            )

    def print_slowest(self, queries: list[Query]) -> None:
        if not queries:
            return
        self.stdout.write("  Slowest queries:")
        for query in queries:
            sql = " ".join(query.sql.split())
            self.stdout.write(
                f"    {query.seconds:6.2f} s  {query.step}: {sql[:400]}{'...' if len(sql) > 400 else ''}"
            )

    def print_figures(
        self, outcome: Measured, wall: float, max_seconds: float, max_mb: float, min_pages: int
    ) -> list[str]:
        failed: list[str] = []
        megabytes = outcome.maxrss_kb / 1024

        def verdict(passed: bool, name: str) -> str:
            if not passed:
                failed.append(name)
            return "PASS" if passed else "FAIL"

        time_verdict = verdict(wall <= max_seconds, "wall time")
        memory_verdict = verdict(megabytes <= max_mb, "peak memory")
        pages_verdict = verdict(outcome.page_count >= min_pages, "pages")
        self.stdout.write(f"Wall time      {wall:10.1f} s    target <= {max_seconds:g} s     {time_verdict}")
        self.stdout.write(f"Peak RSS       {megabytes:10.1f} MB   target <= {max_mb:g} MB   {memory_verdict}")
        self.stdout.write(
            f"Pages          {outcome.page_count:10,}      target >= {min_pages}       {pages_verdict}"
        )
        if outcome.page_count < min_pages:
            self.stdout.write(
                f"  The pack has {outcome.page_count} pages: the target is for a {min_pages}-page pack"
                " (nothing is padded to reach it)."
            )
        self.stdout.write(
            f"PDF size       {outcome.pdf_size:10,} bytes ({outcome.pdf_size / 1_048_576:.2f} MB)"
        )
        self.stdout.write(
            f"CSV zip size   {outcome.csv_size:10,} bytes ({outcome.csv_size / 1_048_576:.2f} MB)"
        )
        return failed


def _month(month: str | None, today: date) -> tuple[date, date]:
    """The month's first and last days; by default the last complete month before today."""
    if month is None:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as error:
        raise CommandError(f"--month must be YYYY-MM, not {month!r}") from error
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def _in_child(report_run_id: int, slowest: int) -> Measured | str:
    """Build the run in a forked child; its measurements, or the error it met as text."""
    # The child opens its own connection: one shared across a fork would be used by both.
    connections.close_all()
    receiving, sending = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(report_run_id, slowest, sending))
    child.start()
    sending.close()
    try:
        outcome: Measured | str = receiving.recv()
    except EOFError:
        outcome = ""
    child.join()
    if not outcome:
        # It died without a word (killed, out of memory): what the kernel recorded is all there is.
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        outcome = f"The child process exited with status {child.exitcode} (peak RSS {peak:.0f} MB)."
    return outcome


# Connections a forked child inherited: kept referenced so they are never finalized, since closing
# one would end the parent's session on the socket they share.
_INHERITED: list[object] = []


def _forget_inherited_connections() -> None:
    """The child opens its own connection: one it inherited may already be closed, or in use by the
    parent (close_all() in the parent reaches only its own thread's and context's connections)."""
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is not None:
            _INHERITED.append(wrapper.connection)
            wrapper.connection = None


def _child(report_run_id: int, slowest: int, sending: Connection) -> None:
    _forget_inherited_connections()
    try:
        sending.send(_build(report_run_id, slowest))
    except BaseException:  # everything goes back to the parent, as text
        sending.send(traceback.format_exc())
    finally:
        connections.close_all()
        sending.close()


def _build(report_run_id: int, slowest: int) -> Measured:
    """As the worker builds it, with each progress step timed."""
    from reports import services
    from reports.pack import build

    steps = Steps()
    original = build.build_pack
    sizes: dict[str, Any] = {}

    def timed_build_pack(run: ReportRun, *, progress: Callable[[int, str], None]) -> build.BuiltPack:
        def recording(percent: int, note: str) -> None:
            steps.start(note)
            progress(percent, note)

        built = original(run, progress=recording)
        sizes.update(pages=built.page_count, pdf=len(built.pdf), csv=len(built.csv_zip))
        steps.start("Storing the files and finishing the run")
        return built

    # The service may call it through the module or by a name it imported: this child only.
    for module in (build, services):
        if getattr(module, "build_pack", None) is original:
            setattr(module, "build_pack", timed_build_pack)  # noqa: B010
    started = time.perf_counter()
    steps.start("Claiming the run")
    with connection.execute_wrapper(steps.count_query):
        build_report = getattr(services, "build_report", None)
        if build_report is not None:
            build_report(report_run_id=report_run_id)
            built_by = "reports.services.build_report"
        else:
            built_by = "reports.pack.build.build_pack (no services.build_report yet)"
            paths = _build_without_service(report_run_id, timed_build_pack)
    steps.finish()
    build_seconds = time.perf_counter() - started
    run = ReportRun.objects.get(pk=report_run_id)
    if build_report is not None:
        if run.status != ReportRun.Status.SUCCEEDED:
            raise RuntimeError(f"The run ended {run.status}: {run.failure_reason or 'no reason given'}")
        sizes = {"pages": run.page_count or 0, "pdf": run.file_size or 0, "csv": run.csv_size or 0}
        paths = (run.file.path if run.file else "", run.csv_file.path if run.csv_file else "")
    return Measured(
        build_seconds=build_seconds,
        maxrss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        page_count=sizes["pages"],
        pdf_size=sizes["pdf"],
        csv_size=sizes["csv"],
        pdf_path=paths[0],
        csv_path=paths[1],
        steps=steps.steps,
        slowest=steps.slowest(slowest),
        built_by=built_by,
    )


def _build_without_service(report_run_id: int, build_pack: Callable[..., Any]) -> tuple[str, str]:
    """Until the service exists: build the pack and write both files under the media root."""
    run = ReportRun.objects.get(pk=report_run_id)
    built = build_pack(run, progress=lambda percent, note: None)
    folder = Path(settings.MEDIA_ROOT) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    pdf, csv = folder / f"measure-run-{run.pk}.pdf", folder / f"measure-run-{run.pk}.zip"
    pdf.write_bytes(built.pdf)
    csv.write_bytes(built.csv_zip)
    return str(pdf), str(csv)
