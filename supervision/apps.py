from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"

    def ready(self) -> None:
        # Supervision's tab and overview panel on every person's record (cohorts never imports us).
        from cohorts.views.person import (
            OverviewPanel,
            register_event_link,
            register_overview_panel,
            register_tab,
        )
        from supervision.views.person import supervision_overview

        register_tab("supervision", "Supervision", "supervision:nominal-supervision", after="timeline")
        register_event_link("supervision.contact", "supervision:contact-detail")
        register_overview_panel(
            OverviewPanel("supervision/person/_overview_panel.html", supervision_overview)
        )
