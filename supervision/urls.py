from django.urls import path

from supervision.views import appointments, contacts, diary, person

app_name = "supervision"
urlpatterns = [
    path("people/<int:nominal_id>/contacts/new/", contacts.log_contact, name="log-contact"),
    path("people/<int:nominal_id>/supervision/", person.supervision_tab, name="nominal-supervision"),
    path("people/<int:nominal_id>/supervision/standard/", person.set_standard, name="set-standard"),
    path(
        "people/<int:nominal_id>/supervision/enforcement/",
        person.record_enforcement,
        name="record-enforcement",
    ),
    path("people/<int:nominal_id>/appointments/new/", appointments.plan, name="plan-appointment"),
    path("people/<int:nominal_id>/appointments/series/new/", appointments.plan_series, name="plan-series"),
    path("contacts/<int:contact_id>/", contacts.contact_detail, name="contact-detail"),
    path("contacts/<int:contact_id>/outcome/", appointments.record_outcome, name="record-outcome"),
    path("contacts/<int:contact_id>/move/", appointments.move, name="move-appointment"),
    path("contacts/<int:contact_id>/cancel/", appointments.cancel, name="cancel-appointment"),
    path("diary/", diary.my_diary, name="my-diary"),
    path("diary/team/", diary.team_diary, name="team-diary"),
    path("diary/my-diary.ics", diary.my_diary_ics, name="my-diary-ics"),
]
