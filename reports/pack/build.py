"""Build a governance pack: work out its scopes, gather their sections, render the PDF and CSV bundle.

The metric modules compute; `reports.pack.render` lays out. This module only says which scopes a
run covers, asks each module for its sections in the pack's order, and reports progress.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from iom.core.models import Region, Team
from reports.models import ReportRun
from reports.pack import PackScope, Section, cohorts, impact, partners, people, supervision
from reports.pack.render import PackContent, PackPart, render_csv_zip, render_pdf

# The pack's order of sections within each scope, and what the progress bar says while each runs.
SECTION_MODULES = (
    (cohorts, "Counting cohorts"),
    (supervision, "Checking contacts and enforcement"),
    (partners, "Following referrals and needs"),
    (impact, "Comparing offending before and after entry"),
    (people, "Describing who is on IOM"),
)

NATION_LABEL = "England and Wales"


@dataclass(frozen=True)
class BuiltPack:
    pdf: bytes
    csv_zip: bytes
    page_count: int


def build_pack(run: ReportRun, *, progress: Callable[[int, str], None]) -> BuiltPack:
    scopes = pack_scopes(run)
    parts: list[PackPart] = []
    # Gathering the figures runs from 5% to 75%, one step per scope and module.
    steps = len(scopes) * len(SECTION_MODULES)
    for scope_index, scope in enumerate(scopes):
        sections: list[Section] = []
        for module_index, (module, doing) in enumerate(SECTION_MODULES):
            done = scope_index * len(SECTION_MODULES) + module_index
            progress(5 + 70 * done // steps, f"{doing} for {scope.label}")
            # Looked up on the module each time, so a test can stand a section in for one.
            sections.extend(module.sections(scope))
        parts.append(PackPart(scope=scope, sections=sections))
    content = PackContent(
        kind=run.get_kind_display(),
        scope_name=run.scope_name,
        period_start=run.period_start,
        period_end=run.period_end,
        built_on=timezone.localdate(),
        requested_by=run.requested_by.full_name if run.requested_by else "",
        parts=parts,
    )
    progress(78, "Writing the CSV bundle")
    csv_zip = render_csv_zip(content)
    progress(80, "Laying out the PDF")
    pdf, page_count = render_pdf(content)
    progress(90, "PDF written")
    return BuiltPack(pdf=pdf, csv_zip=csv_zip, page_count=page_count)


def pack_scopes(run: ReportRun) -> list[PackScope]:
    """Regional pack: each team of the region, then the region. Team pack: the team.
    National summary: each region, then the nation."""
    today = timezone.localdate()

    def scope(label: str, key: str, team_ids: Sequence[int], region_id: int | None) -> PackScope:
        return PackScope(
            label=label,
            key=key,
            team_ids=tuple(team_ids),
            period_start=run.period_start,
            period_end=run.period_end,
            today=today,
            region_id=region_id,
        )

    if run.kind == ReportRun.Kind.TEAM_PACK:
        team = run.team
        if team is None:
            raise ValueError("a team pack names its team")
        return [scope(team.name, f"team-{team.pk}", [team.pk], team.region_id)]
    if run.kind == ReportRun.Kind.REGIONAL_PACK:
        region = run.region
        if region is None:
            raise ValueError("a regional pack names its region")
        teams = list(Team.objects.filter(region=region).order_by("name"))
        return [scope(team.name, f"team-{team.pk}", [team.pk], region.pk) for team in teams] + [
            scope(f"{region.name} (all teams)", f"region-{region.pk}", [t.pk for t in teams], region.pk)
        ]
    regions = list(Region.objects.order_by("name"))
    teams_by_region: dict[int, list[int]] = {region.pk: [] for region in regions}
    for team_id, region_id in Team.objects.order_by("name").values_list("pk", "region_id"):
        teams_by_region[region_id].append(team_id)
    return [
        scope(f"{region.name} (all teams)", f"region-{region.pk}", teams_by_region[region.pk], region.pk)
        for region in regions
    ] + [scope(NATION_LABEL, "nation", [t for ids in teams_by_region.values() for t in ids], None)]
