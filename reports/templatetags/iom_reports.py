from django import template

from reports import metrics

register = template.Library()


@register.filter
def suppressed(count: int) -> str:
    return metrics.suppressed(count)
