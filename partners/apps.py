from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Partner organisations' services, referrals to them, and partners' access to referred people."""

    name = "partners"

    def ready(self) -> None:
        # The Referrals tab and overview panel on every person's record, and timeline entries that
        # open their referral (cohorts never imports us).
        from cohorts.views.person import (
            OverviewPanel,
            register_event_link,
            register_overview_panel,
            register_tab,
        )
        from partners.views.referrals import referrals_overview

        register_tab("referrals", "Referrals", "partners:nominal-referrals", after="needs")
        register_event_link("partners.referral", "partners:referral-detail")
        register_overview_panel(OverviewPanel("partners/person/_overview_panel.html", referrals_overview))
