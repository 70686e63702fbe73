from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    """The Data Protection Act 2018 Part 3 duties over the whole record: the audit viewer and each
    person's access log, retention review (restrict, erase) and subject access exports. It reads every
    app, as reports does, and nothing reads it."""

    name = "dataprotection"
    verbose_name = "Data protection"
