import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Coalesce


def from_last_known_change(apps, schema_editor):
    """Until now a row changed last when its outcome was recorded, or else when it was logged."""
    Contact = apps.get_model("supervision", "Contact")
    Contact.objects.update(updated_at=Coalesce("outcome_recorded_at", "logged_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0005_partial_indexes_for_diaries_and_absences"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(from_last_known_change, migrations.RunPython.noop, elidable=True),
    ]
