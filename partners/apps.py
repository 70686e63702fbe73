from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Partner organisations, services and referrals (issue 6). The app exists so the layout
    and the import rules are in place from the start; it holds no models yet."""

    name = "partners"
