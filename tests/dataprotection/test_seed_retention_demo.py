from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dataprotection.selectors.retention import people_due_for_retention_review
from iom.core.models import User

pytestmark = pytest.mark.django_db


def test_it_refuses_before_the_demo_teams_exist():
    with pytest.raises(CommandError, match="run seed_demo first"):
        call_command("seed_retention_demo", stdout=StringIO())


def test_each_demo_manager_has_people_due_for_review_and_a_second_run_adds_nobody():
    call_command("seed_demo", nominals_per_team=2, stdout=StringIO())
    out = StringIO()
    call_command("seed_retention_demo", stdout=out)
    call_command("seed_retention_demo", stdout=StringIO())
    assert "4 people" in out.getvalue()
    for email in ("manager@demo.iom.example", "manager.county@demo.iom.example"):
        manager = User.objects.get(email=email)
        due = people_due_for_retention_review(user=manager, today=timezone.localdate())
        assert due.count() == 2
