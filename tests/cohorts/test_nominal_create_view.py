import pytest

from cohorts.models import Alias, Nominal
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def form(**changes):
    data = {
        "given_name": "Ellie",
        "family_name": "Scott",
        "date_of_birth": "",
        "gender": "",
        "ethnicity": "",
        "address_area": "",
        "crn": "",
        "pnc_id": "",
        "nomis_number": "",
        "cro_number": "",
        "statutory_status": "licence",
        "aliases": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def signed_in(client, world):
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    return client


def test_the_page_names_the_team_the_person_joins(signed_in):
    response = signed_in.get("/people/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "City IOM" in html
    assert 'name="given_name"' in html
    assert 'name="version"' not in html


def test_adding_a_person_opens_their_record(signed_in, world):
    response = signed_in.post(
        "/people/new/",
        form(
            date_of_birth="17/11/1990",
            crn="x123456",
            pnc_id="2012/0052494Q",
            aliases="Ell Scott\n\n  Elle  \nEll Scott",
        ),
    )
    nominal = Nominal.objects.get(given_name="Ellie")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{nominal.pk}/"
    assert (nominal.team, nominal.crn, nominal.statutory_status, str(nominal.date_of_birth)) == (
        world.own_team,
        "X123456",
        "licence",
        "1990-11-17",
    )
    assert list(Alias.objects.filter(nominal=nominal).values_list("name", flat=True)) == ["Ell Scott", "Elle"]
    assert AuditEvent.objects.filter(action="nominal.created", nominal_id=nominal.pk).exists()
    html = signed_in.get(response["Location"]).content.decode()
    assert "Ellie Scott added to City IOM" in html
    assert "Record created" in html


def test_missing_names_and_status_are_field_errors(signed_in):
    response = signed_in.post("/people/new/", form(given_name="", family_name=" ", statutory_status=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_given_name">Enter the given name</a>' in html
    assert '<a href="#id_family_name">Enter the family name</a>' in html
    assert '<a href="#id_statutory_status_0">Select the statutory status</a>' in html
    assert Nominal.objects.count() == 2


def test_bad_identifiers_are_shown_against_their_fields_and_nothing_is_saved(signed_in):
    response = signed_in.post("/people/new/", form(pnc_id="2012/0052494A", nomis_number="A1234"))
    html = response.content.decode()
    message = "The PNC ID&#x27;s check letter is wrong: check the number (it should end in Q)"
    assert f'<a href="#id_pnc_id">{message}</a>' in html
    assert '<a href="#id_nomis_number">Enter a NOMIS number as a letter' in html
    assert 'id="id_pnc_id_error"' in html
    assert not Nominal.objects.filter(given_name="Ellie").exists()
    assert not AuditEvent.objects.filter(action="nominal.created").exists()


def test_a_duplicate_in_the_team_links_to_the_existing_record_as_a_real_link(signed_in, world):
    response = signed_in.post("/people/new/", form(crn=world.nominal.crn))
    assert response.status_code == 200
    html = response.content.decode()
    link = f'<a class="govuk-link" href="/people/{world.nominal.pk}/">Dean Robson</a>'
    # In the field's error message, as markup, not as text; the summary links to the field instead.
    assert html.count(link) == 1
    assert "&lt;a class" not in html
    error = f"CRN {world.nominal.crn} is already recorded for {link}"
    assert f'<span class="govuk-visually-hidden">Error:</span> {error}</p>' in html
    assert Nominal.objects.count() == 2


def test_a_duplicate_in_another_team_names_neither_the_person_nor_their_team(signed_in, world):
    response = signed_in.post("/people/new/", form(crn=world.other_nominal.crn))
    html = response.content.decode()
    assert (
        f"CRN {world.other_nominal.crn} is already recorded for another person. "
        "Ask your IOM manager to resolve the duplicate." in html
    )
    assert "County IOM" not in html
    assert f"/people/{world.other_nominal.pk}/" not in html
    assert "Kerr" not in html


def test_the_existing_persons_name_is_escaped_inside_the_link(signed_in, world):
    world.nominal.given_name = '<script>alert("x")</script>'
    world.nominal.save()
    html = signed_in.post("/people/new/", form(crn=world.nominal.crn)).content.decode()
    assert '<script>alert("x")</script>' not in html
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Robson"
    assert f'<a class="govuk-link" href="/people/{world.nominal.pk}/">{escaped}</a>' in html


def test_what_the_user_typed_is_escaped_when_the_form_comes_back(signed_in, world):
    html = signed_in.post(
        "/people/new/", form(given_name="<script>alert(1)</script>", crn=world.nominal.crn)
    ).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_success_message_escapes_the_name(signed_in):
    response = signed_in.post("/people/new/", form(given_name="<b>Bold</b>"), follow=True)
    html = response.content.decode()
    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; Scott added to City IOM" in html


@pytest.mark.parametrize("role", [Role.PARTNER, Role.NATIONAL, Role.ADMINISTRATOR])
def test_people_without_a_team_cannot_find_the_page(client, world, role):
    client.force_login(member(role))
    assert client.get("/people/new/").status_code == 404
    assert client.post("/people/new/", form()).status_code == 404
    assert Nominal.objects.count() == 2


def test_a_regional_lead_cannot_find_the_page(client, world):
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    assert client.get("/people/new/").status_code == 404


def test_the_error_summary_does_not_nest_the_link_to_the_existing_record(signed_in, world):
    html = signed_in.post("/people/new/", form(crn=world.nominal.crn)).content.decode()
    start = html.index("govuk-error-summary__list")
    summary = html[start : html.index("</ul>", start)]
    assert summary.count("<a ") == summary.count("</a>") == 1
