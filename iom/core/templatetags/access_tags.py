"""The access policy for templates, where a page lists rows the user may act on differently."""

from django import template

from iom.core import access

register = template.Library()


@register.filter
def may_log_contact(user: access.AnyUser, nominal: access.BelongsToTeam) -> bool:
    """Reads the memberships cached on the user, so a row costs no query."""
    return access.can_log_contact(user, nominal)
