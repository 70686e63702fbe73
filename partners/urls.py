from django.urls import path

from partners.views import directory, inbox, referrals

app_name = "partners"
urlpatterns = [
    # The team's side: a person's referrals, making one, following it up.
    path("people/<int:nominal_id>/referrals/", referrals.nominal_referrals, name="nominal-referrals"),
    path("people/<int:nominal_id>/referrals/new/", referrals.referral_create, name="referral-create"),
    path(
        "people/<int:nominal_id>/referrals/no-service/", referrals.record_no_service, name="record-no-service"
    ),
    path("referrals/", referrals.team_referrals, name="team-referrals"),
    path("referrals/<int:referral_id>/", referrals.referral_detail, name="referral-detail"),
    path("referrals/<int:referral_id>/edit/", referrals.referral_edit, name="referral-edit"),
    path("referrals/<int:referral_id>/send/", referrals.referral_send, name="referral-send"),
    path("referrals/<int:referral_id>/withdraw/", referrals.referral_withdraw, name="referral-withdraw"),
    # The partner's side: referrals to us.
    path("referrals-to-us/", inbox.inbox, name="inbox"),
    path("referrals-to-us/<int:referral_id>/", inbox.inbox_detail, name="inbox-detail"),
    path("referrals-to-us/<int:referral_id>/accept/", inbox.accept, name="accept"),
    path("referrals-to-us/<int:referral_id>/decline/", inbox.decline, name="decline"),
    path("referrals-to-us/<int:referral_id>/updates/new/", inbox.add_update, name="add-update"),
    path("referrals-to-us/<int:referral_id>/sessions/new/", inbox.record_session, name="record-session"),
    path("referrals-to-us/<int:referral_id>/complete/", inbox.complete, name="complete"),
    # The partner directory.
    path("directory/", directory.directory, name="directory"),
    path("directory/services/new/", directory.service_create, name="service-create"),
    path("directory/services/<int:service_id>/", directory.service_detail, name="service-detail"),
    path("directory/services/<int:service_id>/edit/", directory.service_edit, name="service-edit"),
    path("directory/organisations/new/", directory.organisation_create, name="organisation-create"),
]
