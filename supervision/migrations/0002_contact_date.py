from django.db import migrations


class Migration(migrations.Migration):
    """A contact's day becomes `date`: the same row is now a planned appointment until it has an outcome."""

    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RenameField("contact", "happened_on", "date")]
