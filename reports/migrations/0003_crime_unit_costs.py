"""Seed the unit costs of crime from the Home Office's *The economic and social costs of crime*,
second edition (Heeks, Reed, Tafsiri and Prince, Research Report 99, July 2018), Table 1, in
2015/16 prices.

Only figures found quoted from the report are seeded: the report's Table 1 itself could not be read
when this was written, and these five come from press coverage quoting it (South Wales Echo,
2 August 2019, "The costs are based on crime figures from 2015/16"). Check them against Table 1. A
category without a figure gets no row, and the pack shows it as "no unit cost" and leaves it out of
the sum. Administrators add or correct rows.

Where one of our categories is wider than the report's, the lower of the report's figures is used,
so the estimate errs low, and `cost_category` says which was taken:
- "Sexual offence" takes "Other sexual offences": it also holds rape, which costs far more.
- "Criminal damage and arson" takes "Other criminal damage": arson costs more.

Left without a row:
- The burglaries, business robbery, theft from the person, shoplifting and other theft: the report
  costs them, but the figures were not found in the text read when this was written.
- "Violence against the person": our category holds violence with and without injury; only the cost
  of violence with injury was found, and using it for every assault would overstate.
- "Vehicle interference", "Domestic abuse", "Fraud", "Breach of order or licence", "Other": no
  figure found for a matching category.
- "Drug offence", "Possession of weapons", "Public order": crimes against society, which the report
  leaves out (it costs crimes with a victim).
"""

from decimal import Decimal

from django.db import migrations

SOURCE = (
    "Home Office, The economic and social costs of crime, second edition, Research Report 99 (2018), Table 1"
)
PRICE_YEAR = "2015/16"

# Our category -> (the report's category, pounds per crime).
UNIT_COSTS = {
    "Robbery (personal)": ("Robbery", Decimal("11320")),
    "Theft of a vehicle": ("Theft of vehicle", Decimal("10290")),
    "Theft from a vehicle": ("Theft from vehicle", Decimal("870")),
    "Sexual offence": ("Other sexual offences", Decimal("6520")),
    "Criminal damage and arson": ("Other criminal damage", Decimal("1350")),
}


def seed_unit_costs(apps, schema_editor):
    OffenceCategory = apps.get_model("cohorts", "OffenceCategory")
    CrimeUnitCost = apps.get_model("reports", "CrimeUnitCost")
    for name, (cost_category, cost) in UNIT_COSTS.items():
        category = OffenceCategory.objects.filter(name=name).first()
        if category is None:
            continue  # renamed or removed by an administrator: nothing to cost
        CrimeUnitCost.objects.get_or_create(
            category=category,
            defaults={
                "cost": cost,
                "cost_category": cost_category,
                "source": SOURCE,
                "price_year": PRICE_YEAR,
            },
        )


def remove_unit_costs(apps, schema_editor):
    CrimeUnitCost = apps.get_model("reports", "CrimeUnitCost")
    CrimeUnitCost.objects.filter(category__name__in=list(UNIT_COSTS), source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0004_reference_data"),
        ("reports", "0002_governance_packs"),
    ]
    operations = [migrations.RunPython(seed_unit_costs, remove_unit_costs)]
