from django import template
from django.utils.safestring import SafeString

from reports import charts, metrics

register = template.Library()


@register.simple_tag
def flow_chart(flows: metrics.CohortFlows) -> SafeString:
    start = flows.period_start
    return charts.flow_chart(
        [
            charts.FlowColumn(f"{week.week_start.day} {week.week_start:%b}", week.entries, week.exits)
            for week in flows.weeks
        ],
        label=(
            f"Entries and exits each week for 12 weeks from {start.day} {start:%B %Y}: "
            f"{flows.entries} entries and {flows.exits} exits in all."
        ),
    )


@register.simple_tag
def exit_reason_chart(flows: metrics.CohortFlows) -> SafeString:
    return charts.bar_chart(
        [charts.Bar(reason.label, reason.exits) for reason in flows.exits_by_reason],
        label=f"Exits in the last 12 weeks by reason: {flows.exits} in all.",
        colour=charts.PINK,
    )


@register.simple_tag
def worker_chart(workers: list[metrics.WorkerCaseload]) -> SafeString:
    return charts.bar_chart(
        [charts.Bar(worker.name, worker.people) for worker in workers],
        label=f"People allocated to each of {len(workers)} workers.",
    )


@register.simple_tag
def needs_chart(needs: list[metrics.PathwayNeeds]) -> SafeString:
    unmet = sum(pathway.unmet for pathway in needs)
    no_service = sum(pathway.no_service for pathway in needs)
    return charts.bar_chart(
        [charts.Bar(pathway.label, pathway.unmet, pathway.no_service) for pathway in needs],
        key=("Unmet", "of which no service available"),
        label=f"Unmet needs by pathway: {unmet} in all, {no_service} of them with no service available.",
    )
