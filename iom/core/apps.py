from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "iom.core"
    label = "core"
    verbose_name = "People and teams"

    def ready(self) -> None:
        from iom.core import signals  # noqa: F401  (sign-in auditing)
