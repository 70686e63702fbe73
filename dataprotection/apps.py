from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    """The Data Protection Act 2018 Part 3 duties over the whole record: the audit viewer and each
    person's access log, retention review (restrict, erase) and subject access exports. It reads every
    app, as reports does, and nothing reads it."""

    name = "dataprotection"
    verbose_name = "Data protection"

    def ready(self) -> None:
        # "Who has looked at this record" on every person's record (cohorts never imports us).
        from cohorts.views.person import register_tab

        register_tab("access", "Access log", "dataprotection:access-log", after="history")
