"""The pack's people sections against hand-built data whose right answers are written here.

The period is June 2026 throughout: 1 to 30 June, built on 2 July.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts import services
from cohorts.factories import NominalFactory
from cohorts.models import CohortMembership, Feedback, Goal, Nominal, NominalChange, TimelineEvent
from iom.core.factories import RegionFactory, TeamFactory, UserFactory
from iom.core.models import Role
from reports.models import AreaBaseline
from reports.pack import Chart, PackScope, Paragraph, Section, Table
from reports.pack.people import sections
from supervision.factories import ContactFactory
from tests.actors import member

pytestmark = pytest.mark.django_db

START, END, TODAY = dt.date(2026, 6, 1), dt.date(2026, 6, 30), dt.date(2026, 7, 2)
D = dt.date


@pytest.fixture
def teams():
    region = RegionFactory.create(name="Northshire")
    return TeamFactory.create(name="City IOM", region=region), TeamFactory.create(
        name="County IOM", region=region
    )


def scope(*teams):
    return PackScope("Scope", "scope", tuple(team.pk for team in teams), START, END, TODAY)


def section(key, scope_):
    return next(one for one in sections(scope_) if one.key == key)


def table(section_: Section, key: str) -> Table:
    return next(one for one in section_.tables() if one.key == key)


def words(section_: Section) -> str:
    return " ".join(block.text for block in section_.blocks if isinstance(block, Paragraph))


JANUARY = D(2026, 1, 5)
BORN = D(1990, 1, 1)


def membership(nominal, *, entry=JANUARY, exit=None, status=None, cohort="fixed", proposed_on=None, **fields):
    status = status or (CohortMembership.Status.ENDED if exit else CohortMembership.Status.ACTIVE)
    fields.setdefault("review_due", D(2027, 1, 1) if status == "active" else None)
    fields.setdefault("panel_date", entry)
    return CohortMembership.objects.create(
        nominal=nominal,
        cohort=cohort,
        status=status,
        proposed_by=UserFactory.create(),
        proposed_on=proposed_on or (entry or D(2026, 1, 1)) - dt.timedelta(days=10),
        proposal_reason="Burglary",
        entry_date=entry,
        exit_date=exit,
        exit_reason="completed" if exit else "",
        **fields,
    )


def on_iom(team, ethnicity="white_british", gender="male", born=BORN, **membership_fields):
    nominal = NominalFactory.create(team=team, ethnicity=ethnicity, gender=gender, date_of_birth=born)
    membership(nominal, **membership_fields)
    return nominal


# Who is on IOM ---------------------------------------------------------------------------------------


def _the_seventeen(team):
    """Seventeen people on IOM at the end of June, some only just."""
    people = [
        ("white_british", "male", D(2008, 6, 30)),  # 18 on 30 June
        ("white_british", "male", D(2001, 7, 1)),  # 24: 25 only on 1 July
        ("white_british", "male", D(2001, 6, 30)),  # 25
        ("white_british", "male", D(1995, 1, 1)),
        ("white_british", "male", D(1995, 1, 1)),
        ("white_other", "male", D(1995, 1, 1)),
        ("white_other", "female", D(1995, 1, 1)),
        ("asian_pakistani", "male", D(1995, 1, 1)),
        ("asian_pakistani", "male", D(1985, 1, 1)),
        ("asian_pakistani", "male", D(1985, 1, 1)),
        ("asian_indian", "male", D(1985, 1, 1)),
        ("asian_indian", "female", D(1985, 1, 1)),
        ("black_african", "male", D(1976, 6, 30)),  # 50
        ("black_african", "female", D(1971, 7, 1)),  # 54
        ("other_arab", "male", D(1971, 6, 30)),  # 55
        ("", "not_said", D(2008, 7, 1)),  # 17
        ("not_said", "", None),
    ]
    nominals = [on_iom(team, *person) for person in people]
    # Left the day after the period: still on IOM on 30 June.
    nominals[4].cohort_memberships.update(status="ended", exit_date=D(2026, 7, 1), exit_reason="completed")
    # Moved from Fixed to Flex mid-month: one person, not two.
    nominals[5].cohort_memberships.update(
        status="ended", exit_date=D(2026, 6, 15), exit_reason="moved_cohort"
    )
    membership(nominals[5], entry=D(2026, 6, 15), cohort="flex")
    # Joined on the last day.
    nominals[8].cohort_memberships.update(entry_date=D(2026, 6, 30), panel_date=D(2026, 6, 30))
    return nominals


def _not_on_iom_at_the_end_of_june(team, other_team):
    on_iom(team, exit=D(2026, 6, 30))  # left on the last day
    on_iom(team, ethnicity="black_african", entry=D(2026, 7, 1))  # joined after
    on_iom(team, entry=None, status="proposed")  # awaiting the panel
    on_iom(other_team, ethnicity="black_caribbean")  # another team
    NominalFactory.create(team=team, ethnicity="black_african")  # never on IOM


def _baselines(team, rows, source="Census 2021", year=2021):
    AreaBaseline.objects.bulk_create(
        AreaBaseline(
            team=team, dimension=dimension, category=category, share=Decimal(share), source=source, year=year
        )
        for dimension, category, share in rows
    )


CITY_BASELINE = [
    # Detailed categories and high-level groups may be mixed: both are summed into the groups.
    ("ethnicity", "white_british", "70"),
    ("ethnicity", "white_other", "5"),
    ("ethnicity", "asian_pakistani", "8"),
    ("ethnicity", "asian_indian", "4"),
    ("ethnicity", "black", "6"),
    ("ethnicity", "mixed", "3"),
    ("ethnicity", "other", "4"),
    ("age_band", "18-24", "12"),
    ("age_band", "25-34", "18"),
    ("age_band", "35-44", "16"),
    ("age_band", "45-54", "17"),
    ("age_band", "55+", "37"),
    ("gender", "male", "49"),
    ("gender", "female", "51"),
]


def test_composition_by_ethnicity_against_the_teams_area(teams):
    city, county = teams
    _the_seventeen(city)
    _not_on_iom_at_the_end_of_june(city, county)
    _baselines(city, CITY_BASELINE)
    _baselines(county, [("ethnicity", "white", "90"), ("gender", "male", "10")], source="County figures")

    composition = section("composition", scope(city))

    ethnicity = table(composition, "composition-ethnicity")
    assert ethnicity.columns[1:] == (
        "People on IOM",
        "Share of IOM (%)",
        "Share of the area (%)",
        "Ratio (IOM share / area share)",
    )
    # Shares of the 15 with an ethnicity recorded; shares and ratios only for groups of 5 or more
    # (a share beside the total would give a small count away), and no ratio for nobody.
    assert [list(row) for row in ethnicity.rows] == [
        ["Asian or Asian British", 5, 33.3, 12.0, 2.78],
        ["Black, Black British, Caribbean or African", 2, None, 6.0, None],
        ["Mixed or multiple ethnic groups", 0, 0.0, 3.0, None],
        ["White", 7, 46.7, 75.0, 0.62],
        ["Other ethnic group", 1, None, 4.0, None],
        ["Not recorded", 1, None, None, None],
        ["Prefers not to say", 1, None, None, None],
    ]
    assert list(ethnicity.total or []) == ["All people on IOM", 17, None, None, None]
    assert ethnicity.count_columns == frozenset({1})
    assert ethnicity.shown_rows()[1][1] == "<5"
    chart = next(block for block in composition.blocks if isinstance(block, Chart))
    assert (chart.kind, chart.table_key) == ("grouped", "composition-ethnicity")
    assert chart.labels == ["Asian or Asian British", "Mixed or multiple ethnic groups", "White"]
    assert chart.series == [("IOM", [33.3, 0.0, 46.7]), ("Area", [12.0, 3.0, 75.0])]
    assert composition.headlines == ()  # people on IOM is the cohorts section's headline
    text = words(composition)
    assert "Census 2021 (2021)" in text
    assert "County figures" not in text
    assert "fewer than 5 people" in text
    assert "disproportionality" in text
    assert "widening the net" in text


def test_composition_by_age_on_the_last_day_and_by_gender(teams):
    city, county = teams
    _the_seventeen(city)
    _not_on_iom_at_the_end_of_june(city, county)
    _baselines(city, CITY_BASELINE)

    composition = section("composition", scope(city))

    age = table(composition, "composition-age")
    # 16 with a date of birth; the 17-year-old is shown apart rather than hidden in a band.
    assert [list(row) for row in age.rows] == [
        ["Under 18", 1, None, None, None],
        ["18 to 24", 2, None, 12.0, None],
        ["25 to 34", 6, 37.5, 18.0, 2.08],
        ["35 to 44", 4, None, 16.0, None],
        ["45 to 54", 2, None, 17.0, None],
        ["55 and over", 1, None, 37.0, None],
        ["Not recorded", 1, None, None, None],
    ]
    gender = table(composition, "composition-gender")
    assert [list(row) for row in gender.rows] == [
        ["Male", 12, 80.0, 49.0, 1.63],
        ["Female", 3, None, 51.0, None],
        ["Non-binary", 0, 0.0, None, None],
        ["Another gender", 0, 0.0, None, None],
        ["Prefers not to say", 1, None, None, None],
        ["Not recorded", 1, None, None, None],
    ]


def test_nobody_under_18_means_no_under_18_row(teams):
    city, _ = teams
    on_iom(city, born=D(1990, 1, 1))
    age = table(section("composition", scope(city)), "composition-age")
    assert [row[0] for row in age.rows] == [
        "18 to 24",
        "25 to 34",
        "35 to 44",
        "45 to 54",
        "55 and over",
        "Not recorded",
    ]
    assert age.rows[2][1] == 1


def test_several_teams_are_counted_together_and_not_compared_with_a_combined_area(teams):
    city, county = teams
    _the_seventeen(city)
    _not_on_iom_at_the_end_of_june(city, county)  # gives the county one Black Caribbean person
    _baselines(city, CITY_BASELINE)

    composition = section("composition", scope(city, county))

    ethnicity = table(composition, "composition-ethnicity")
    assert [list(row) for row in ethnicity.rows][:2] == [
        ["Asian or Asian British", 5, 31.2, None, None],
        ["Black, Black British, Caribbean or African", 3, None, None, None],
    ]
    assert list(ethnicity.total or []) == ["All people on IOM", 18, None, None, None]
    chart = next(block for block in composition.blocks if isinstance(block, Chart))
    assert chart.kind == "bar"
    assert [name for name, _ in chart.series] == ["IOM"]
    assert "cannot honestly be combined" in words(composition)


def test_a_team_with_no_baseline_says_so(teams):
    city, _ = teams
    for _ in range(5):
        on_iom(city)
    composition = section("composition", scope(city))
    assert table(composition, "composition-ethnicity").rows[3] == ["White", 5, 100.0, None, None]
    assert "No area population is recorded for this team" in words(composition)


# What service users said ---------------------------------------------------------------------------


def _feedback(nominal, given_on, helps=(), not_helps=()):
    return Feedback.objects.create(
        nominal=nominal,
        given_on=given_on,
        what_helps="Words that stay out of the pack",
        what_does_not_help="More words",
        helps_themes=list(helps),
        does_not_help_themes=list(not_helps),
        recorded_by=UserFactory.create(),
    )


def _goal(nominal, set_on, status="active", changes=()):
    """A goal, and its status changes on the timeline as cohorts.services.set_goal_status writes them."""
    goal = Goal.objects.create(
        nominal=nominal,
        in_their_words="Get my own flat",
        status=status,
        set_on=set_on,
        recorded_by=UserFactory.create(),
    )
    source_type = ContentType.objects.get_for_model(Goal)
    for day, summary in changes:
        TimelineEvent.objects.create(
            nominal=nominal,
            kind=TimelineEvent.Kind.VOICE,
            occurred_on=day,
            summary=f"Goal: {summary}",
            source_type=source_type,
            source_id=goal.pk,
        )
    return goal


def test_feedback_and_its_themes_in_the_period(teams):
    city, county = teams
    first, second = NominalFactory.create(team=city), NominalFactory.create(team=city)
    _feedback(first, D(2026, 6, 1), helps=["housing", "worker"], not_helps=["demands"])
    _feedback(first, D(2026, 6, 30), helps=["housing"])
    _feedback(second, D(2026, 6, 15), not_helps=["demands", "travel"])
    _feedback(first, D(2026, 5, 31), helps=["money"])  # before
    _feedback(second, D(2026, 7, 1), helps=["money"])  # after
    _feedback(NominalFactory.create(team=county), D(2026, 6, 10), helps=["money"])  # another team

    voice = section("voice", scope(city))

    recorded = table(voice, "voice-recorded")
    assert [list(row) for row in recorded.rows][:2] == [
        ["Feedback recorded in the period", 3],
        ["People who gave feedback in the period", 2],
    ]
    themes = table(voice, "voice-themes")
    assert themes.columns == ("Theme", "Said to help", "Said not to help")
    assert [list(row) for row in themes.rows] == [
        ["Relationship with their worker", 1, 0],
        ["Being listened to", 0, 0],
        ["Housing", 2, 0],
        ["Money and benefits", 0, 0],
        ["Work and training", 0, 0],
        ["Health and mental health", 0, 0],
        ["Drugs and alcohol", 0, 0],
        ["Family", 0, 0],
        ["Too many appointments or conditions", 0, 2],
        ["Travel to appointments", 0, 1],
        ["No theme recorded", 1, 1],
    ]
    assert themes.count_columns == frozenset({1, 2})
    assert themes.shown_rows()[2] == ["Housing", "<5", "0"]
    assert voice.headlines == [("Feedback recorded in the period", "<5", "")]
    # Nothing anyone said is printed.
    everything = " ".join(str(cell) for one in voice.tables() for row in one.rows for cell in row)
    assert "words" not in everything.lower()
    assert "Words" not in words(voice)


def test_goals_set_achieved_and_being_worked_on(teams):
    city, county = teams
    person = on_iom(city)
    _goal(person, D(2026, 6, 10))  # set in June, still going: set, active
    _goal(person, D(2026, 5, 1), "achieved", [(D(2026, 6, 20), "achieved")])  # achieved in June
    _goal(person, D(2026, 4, 1), "achieved", [(D(2026, 7, 1), "achieved")])  # achieved after: active at end
    _goal(person, D(2026, 7, 1))  # set after the period
    _goal(person, D(2026, 6, 30), "dropped", [(D(2026, 6, 30), "no longer a goal")])  # set and dropped
    _goal(
        person,
        D(2026, 3, 1),
        "active",
        [(D(2026, 5, 15), "achieved"), (D(2026, 6, 5), "working on it")],  # back to working on it
    )
    _goal(person, D(2026, 1, 1), "achieved")  # no history: as it stands
    _goal(NominalFactory.create(team=county), D(2026, 6, 10), "achieved", [(D(2026, 6, 12), "achieved")])
    # Someone no longer on IOM: their open goal is set in the period, but no one works on it now.
    _goal(NominalFactory.create(team=city), D(2026, 6, 2))

    recorded = table(section("voice", scope(city)), "voice-recorded")

    assert [list(row) for row in recorded.rows][2:] == [
        ["Goals set in the period", 3],
        ["Goals achieved in the period", 1],
        ["Goals being worked on at the period end", 3],
    ]


def test_a_goal_marked_achieved_through_the_service_counts_as_achieved_today(teams):
    """Guards the link between set_goal_status's timeline summary and the pack's count."""
    city, _ = teams
    person = on_iom(city)
    manager = member(Role.MANAGER, team=city)
    today = timezone.localdate()
    goal = services.add_goal(actor=manager, nominal=person, in_their_words="A job", set_on=today)
    services.add_goal(actor=manager, nominal=person, in_their_words="A flat", set_on=today)
    services.set_goal_status(actor=manager, goal=goal, status=Goal.Status.ACHIEVED)

    month = PackScope("City", "team", (city.pk,), today.replace(day=1), today, today)
    recorded = table(section("voice", month), "voice-recorded")

    assert [list(row) for row in recorded.rows][2:] == [
        ["Goals set in the period", 2],
        ["Goals achieved in the period", 1],
        ["Goals being worked on at the period end", 1],
    ]


# Data quality ---------------------------------------------------------------------------------------


def test_data_quality_of_the_caseload_at_the_period_end(teams):
    city, county = teams
    missing_both = on_iom(city)
    missing_both.pnc_id = None
    missing_both.crn = None
    missing_both.save()
    ContactFactory.create(nominal=missing_both, date=D(2026, 6, 29))

    stale = on_iom(city, review_due=D(2026, 6, 1))  # 29 days overdue on 30 June
    _with_pnc(stale, "2001/0000001A")
    ContactFactory.create(nominal=stale, date=D(2026, 4, 2))  # the first of the 90 days

    untouched = on_iom(city, review_due=D(2026, 6, 2))  # 28 days: overdue, not stale
    _with_pnc(untouched, "2001/0000002B")
    _timeline(untouched, D(2026, 4, 1))  # the day before the 90 days
    ContactFactory.create(nominal=untouched, date=D(2026, 7, 1))  # after the period

    awaiting_panel = NominalFactory.create(team=city)  # no PNC ID
    membership(awaiting_panel, entry=None, status="proposed", proposed_on=D(2026, 6, 20))
    NominalChange.objects.create(
        nominal=awaiting_panel,
        version=2,
        field="address_area",
        changed_at=dt.datetime(2026, 6, 25, 9, 0, tzinfo=dt.UTC),
    )

    blank_crn = on_iom(city)
    blank_crn.crn = ""
    blank_crn.save()
    _with_pnc(blank_crn, "2001/0000003C")
    _timeline(blank_crn, D(2026, 5, 10))

    # Not on the caseload on 30 June.
    NominalFactory.create(team=city, crn=None)  # never on IOM
    membership(NominalFactory.create(team=city, crn=None), exit=D(2026, 5, 1))
    membership(
        NominalFactory.create(team=city, crn=None), entry=None, status="proposed", proposed_on=D(2026, 7, 2)
    )
    membership(
        NominalFactory.create(team=city, crn=None),
        entry=None,
        status="not_accepted",
        proposed_on=D(2026, 6, 1),
        panel_date=D(2026, 6, 10),
    )
    Nominal.objects.filter(pk=on_iom(county).pk).update(crn=None)  # another team

    quality = section("data-quality", scope(city))

    figures = table(quality, "data-quality")
    assert [list(row) for row in figures.rows] == [
        ["No CRN (case reference number)", 2],
        ["No PNC ID", 2],
        ["Review more than 28 days overdue", 1],
        ["Record not touched in 90 days", 1],
    ]
    assert list(figures.total or []) == ["People on the caseload", 5]
    assert figures.shown_rows()[0][1] == "<5"
    assert quality.headlines == [("Records not touched in 90 days", "<5", "")]
    assert "90 days" in words(quality)


def _with_pnc(nominal, pnc_id):
    nominal.pnc_id = pnc_id
    nominal.save()


def _timeline(nominal, day):
    TimelineEvent.objects.create(
        nominal=nominal,
        kind=TimelineEvent.Kind.NEED,
        occurred_on=day,
        summary="Need updated",
        source_type=ContentType.objects.get_for_model(TimelineEvent),
        source_id=1,
    )


# Queries ----------------------------------------------------------------------------------------------


def _people(team, count):
    for n in range(count):
        person = on_iom(
            team, ethnicity=["white_british", "asian_indian", ""][n % 3], born=D(1980 + n % 30, 1, 1)
        )
        _feedback(person, D(2026, 6, 3), helps=["housing"])
        _goal(person, D(2026, 6, 3), "achieved", [(D(2026, 6, 4), "achieved")])
        ContactFactory.create(nominal=person, date=D(2026, 6, 5))


def _queries(scope_):
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        sections(scope_)
    return len(queries)


@pytest.mark.parametrize("several_teams", [False, True])
def test_the_queries_do_not_grow_with_the_number_of_people(teams, several_teams):
    city, county = teams
    _baselines(city, CITY_BASELINE)
    _people(city, 2)
    scope_ = scope(city, county) if several_teams else scope(city)
    few = _queries(scope_)
    _people(city, 12)
    _people(county, 6)
    assert _queries(scope_) == few
    # Composition 1 (+1 for one team's baselines), voice 3, data quality 1.
    assert few == (5 if several_teams else 6)
