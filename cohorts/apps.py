from django.apps import AppConfig


class CohortsConfig(AppConfig):
    verbose_name = "Cohorts and nominals"
    name = "cohorts"
