from typing import Any

from django import template
from django.core.paginator import Paginator

from iom.core.http import query_with as _query_with

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    return _query_with(context["request"], **changes)


@register.filter
def elided_pages(paginator: Paginator, number: int) -> list[Any]:
    return list(paginator.get_elided_page_range(number, on_each_side=2, on_ends=1))
