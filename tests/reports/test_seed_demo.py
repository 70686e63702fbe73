import pytest
from django.core.management import call_command

from cohorts.models import Nominal
from iom.core.models import AuditEvent, Membership, Organisation, Region, Role, Team, User
from supervision.models import Contact

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Region, Organisation, Team, User, Membership, Nominal, Contact, AuditEvent)
    }


def test_it_builds_the_demo_and_a_second_run_changes_nothing(capsys):
    call_command("seed_demo")
    first = counts()
    assert (first["Region"], first["Team"], first["Nominal"]) == (1, 2, 60)
    assert first["Contact"] >= 3 * 60
    assert {role for (role,) in Membership.objects.values_list("role")} == set(Role.values)
    assert Organisation.objects.filter(kind__in=["voluntary_community", "local_authority"]).count() == 2
    output = capsys.readouterr().out
    assert "police.om@demo.iom.example" in output
    assert "password for all: demo-password-iom-2026" in output
    call_command("seed_demo")
    assert counts() == first


def test_every_demo_user_can_sign_in(client):
    call_command("seed_demo")
    for user in User.objects.all():
        assert client.login(email=user.email, password="demo-password-iom-2026"), user.email
