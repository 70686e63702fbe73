"""Demo data for retention review, after seed_demo: seed_demo lives in reports, which may not import
this app (sibling layers), so `make run` calls both."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dataprotection.demo import add_retention_demo
from iom.core.models import Membership, Role, Team

DEMO_TEAMS = ("Northshire City IOM", "Northshire County IOM")


class Command(BaseCommand):
    help = "Two people per demo team who left IOM seven years ago, due for retention review (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = 0
        for name in DEMO_TEAMS:
            team = Team.objects.filter(name=name).first()
            membership = (
                Membership.objects.filter(team=team, role=Role.MANAGER).select_related("user").first()
                if team is not None
                else None
            )
            if team is None or membership is None:
                raise CommandError(f"{name} and its manager are missing: run seed_demo first")
            added += len(add_retention_demo(team=team, manager=membership.user))
        self.stdout.write(
            f"Retention review: {added} people who left IOM seven years ago are due for review."
        )
