"""Reference data: offence categories (neighbourhood crime marked) and cohort review intervals."""

from django.db import migrations

OFFENCE_CATEGORIES = [
    ("Burglary (dwelling)", True),
    ("Burglary (non-dwelling)", True),
    ("Robbery (personal)", True),
    ("Robbery (business)", True),
    ("Theft from the person", True),
    ("Theft of a vehicle", True),
    ("Theft from a vehicle", True),
    ("Vehicle interference", True),
    ("Shoplifting", False),
    ("Other theft", False),
    ("Violence against the person", False),
    ("Domestic abuse", False),
    ("Sexual offence", False),
    ("Drug offence", False),
    ("Possession of weapons", False),
    ("Public order", False),
    ("Criminal damage and arson", False),
    ("Fraud", False),
    ("Breach of order or licence", False),
    ("Other", False),
]


def add_reference_data(apps, schema_editor):
    OffenceCategory = apps.get_model("cohorts", "OffenceCategory")
    CohortSetting = apps.get_model("cohorts", "CohortSetting")
    for name, neighbourhood in OFFENCE_CATEGORIES:
        OffenceCategory.objects.get_or_create(name=name, defaults={"is_neighbourhood_crime": neighbourhood})
    for cohort in ("fixed", "flex", "free"):
        CohortSetting.objects.get_or_create(cohort=cohort, defaults={"review_interval_months": 3})


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0003_nominal_record")]
    operations = [migrations.RunPython(add_reference_data, migrations.RunPython.noop)]
