from django.urls import path

from cohorts.views import caseload, cohort, facts, importer, record, restriction, team

app_name = "cohorts"
urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("export.csv", caseload.caseload_export, name="caseload-export"),
    path("new/", caseload.nominal_create, name="nominal-create"),
    path("import/", importer.tracker_import, name="tracker-import"),
    path("import/<str:token>/", importer.tracker_import_confirm, name="tracker-import-confirm"),
    path("panel/", cohort.panel, name="panel"),
    path("panel/<int:membership_id>/", cohort.panel_decision, name="panel-decision"),
    path("restricted/open/", restriction.break_glass_search, name="break-glass-search"),
    path("restricted/break-glass-log/", restriction.break_glass_log, name="break-glass-log"),
    path("<int:nominal_id>/", record.overview, name="nominal-detail"),
    path("<int:nominal_id>/timeline/", record.timeline, name="nominal-timeline"),
    path("<int:nominal_id>/history/", record.history, name="nominal-history"),
    path("<int:nominal_id>/details/", record.details_edit, name="details-edit"),
    path("<int:nominal_id>/aliases/new/", record.alias_create, name="alias-create"),
    path("<int:nominal_id>/cohort/", cohort.cohort_tab, name="nominal-cohort"),
    path("<int:nominal_id>/cohort/propose/", cohort.propose, name="cohort-propose"),
    path("<int:nominal_id>/cohort/review/", cohort.review, name="cohort-review"),
    path("<int:nominal_id>/team/", team.team_tab, name="nominal-team"),
    path("<int:nominal_id>/team/allocate/", team.allocate, name="allocate"),
    path("<int:nominal_id>/restriction/", restriction.restriction, name="restriction"),
    path("<int:nominal_id>/restriction/lift/", restriction.restriction_lift, name="restriction-lift"),
    path(
        "<int:nominal_id>/restriction/allow-list/<int:user_id>/remove/",
        restriction.allow_list_remove,
        name="allow-list-remove",
    ),
    path("<int:nominal_id>/break-glass/", restriction.break_glass, name="break-glass"),
    *facts.urlpatterns,
]
