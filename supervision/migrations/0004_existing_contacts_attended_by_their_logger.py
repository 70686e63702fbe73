from django.db import migrations
from django.db.models import F


def logger_attended(apps, schema_editor):
    """Contacts logged before attendees existed were attended by whoever logged them."""
    Contact = apps.get_model("supervision", "Contact")
    ContactAttendee = apps.get_model("supervision", "ContactAttendee")
    User = apps.get_model("core", "User")
    organisations = dict(User.objects.values_list("id", "organisation_id"))
    batch = []
    for contact_id, user_id in Contact.objects.values_list("id", "logged_by_id").iterator():
        batch.append(
            ContactAttendee(
                contact_id=contact_id, user_id=user_id, organisation_id=organisations.get(user_id)
            )
        )
        if len(batch) == 5000:
            ContactAttendee.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ContactAttendee.objects.bulk_create(batch, ignore_conflicts=True)
    Contact.objects.filter(outcome_recorded_by__isnull=True).exclude(outcome="").update(
        outcome_recorded_by=F("logged_by"), outcome_recorded_at=F("logged_at")
    )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_appointments_standards_enforcement")]

    operations = [migrations.RunPython(logger_attended, migrations.RunPython.noop)]
