"""The second factor's services: enrolment, codes, recovery codes and the administrator's reset,
each audited in the same transaction."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.core import second_factor
from iom.core import services as core_services
from iom.core.factories import UserFactory
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member
from tests.core.second_factor_helpers import authenticator, code_for

pytestmark = pytest.mark.django_db


def actions(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(user.pk)).order_by("id").values_list("action", flat=True)
    )


def enrolled(user) -> list[str]:
    """Set up an app for the user the way the pages do; their recovery codes."""
    device = second_factor.enrol_authenticator(actor=user)
    check = second_factor.confirm_authenticator(actor=user, code=code_for(device))
    assert check.accepted
    return check.recovery_codes


def test_enrolment_offers_the_same_unconfirmed_app_until_it_is_confirmed():
    user = UserFactory.create()
    first = second_factor.enrol_authenticator(actor=user)
    again = second_factor.enrol_authenticator(actor=user)
    assert first == again
    assert not first.confirmed
    assert second_factor.authenticator_for(user) is None


def test_confirming_with_the_apps_code_sets_it_up_issues_ten_recovery_codes_and_is_audited():
    user = UserFactory.create()
    device = second_factor.enrol_authenticator(actor=user)

    check = second_factor.confirm_authenticator(actor=user, code=code_for(device))

    assert check.accepted
    assert second_factor.authenticator_for(user) == device
    assert len(check.recovery_codes) == 10 == len(set(check.recovery_codes))
    assert second_factor.recovery_codes_left(user) == 10
    event = AuditEvent.objects.get(action="second_factor.enrolled")
    assert (event.actor, event.target_id, event.detail) == (user, str(user.pk), {"recovery_codes": 10})


def test_a_wrong_code_does_not_set_up_the_app_and_is_audited_as_a_failure():
    user = UserFactory.create()
    device = second_factor.enrol_authenticator(actor=user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    check = second_factor.confirm_authenticator(actor=user, code=wrong)

    assert not check.accepted
    assert check.refusal == second_factor.WRONG_CODE
    assert second_factor.authenticator_for(user) is None
    assert actions(user) == ["second_factor.failed"]


def test_someone_with_an_app_cannot_enrol_another_which_would_skip_the_second_factor():
    user = UserFactory.create()
    enrolled(user)
    with pytest.raises(ValidationError):
        second_factor.enrol_authenticator(actor=user)
    with pytest.raises(ValidationError):
        second_factor.confirm_authenticator(actor=user, code="123456")


def test_verifying_with_the_apps_code_is_audited():
    user = UserFactory.create()
    device = authenticator(user)

    check = second_factor.verify_authenticator(actor=user, code=code_for(device))

    assert check.accepted
    assert check.device == device
    assert actions(user) == ["second_factor.verified"]


def test_a_code_works_once():
    user = UserFactory.create()
    device = authenticator(user)
    code = code_for(device)
    assert second_factor.verify_authenticator(actor=user, code=code).accepted
    assert not second_factor.verify_authenticator(actor=user, code=code).accepted


def test_after_a_wrong_code_django_otp_makes_the_app_wait_and_the_page_says_so():
    user = UserFactory.create()
    device = authenticator(user)
    wrong = f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"

    first = second_factor.verify_authenticator(actor=user, code=wrong)
    # Even the right code is not checked while the app waits.
    second = second_factor.verify_authenticator(actor=user, code=code_for(device))

    assert first.refusal == second_factor.WRONG_CODE
    assert not second.accepted
    assert second.refusal.startswith("You have entered too many wrong codes. Wait ")
    failures = AuditEvent.objects.filter(action="second_factor.failed").order_by("id")
    assert [event.detail["throttled"] for event in failures] == [False, True]


def test_a_recovery_code_works_once_in_any_case_and_spacing():
    user = UserFactory.create()
    codes = enrolled(user)
    typed = second_factor.recovery_code_in_groups(codes[3]).upper()

    assert second_factor.use_recovery_code(actor=user, code=typed).accepted
    StaticDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert not second_factor.use_recovery_code(actor=user, code=typed).accepted
    assert second_factor.recovery_codes_left(user) == 9
    used = AuditEvent.objects.get(action="recovery_code.used")
    assert used.detail == {"left": 9}


def test_new_recovery_codes_replace_the_old_ones_and_are_audited():
    user = UserFactory.create()
    old = enrolled(user)

    new = second_factor.issue_recovery_codes(actor=user)

    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)
    assert not second_factor.use_recovery_code(actor=user, code=old[0]).accepted
    assert "recovery_codes.regenerated" in actions(user)


def test_recovery_codes_need_an_app_first():
    with pytest.raises(ValidationError):
        second_factor.issue_recovery_codes(actor=UserFactory.create())


def test_an_administrator_resets_a_second_factor_and_the_reset_names_both():
    administrator = member(Role.ADMINISTRATOR)
    user = UserFactory.create()
    enrolled(user)

    second_factor.reset_second_factor(actor=administrator, user=user)

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="second_factor.reset")
    assert (event.actor, event.target_id) == (administrator, str(user.pk))
    assert event.detail == {"authenticator_apps": 1, "recovery_codes": 10, "api_tokens_revoked": 0}


def test_the_reset_ends_the_persons_sessions():
    user = UserFactory.create()
    epoch = user.session_epoch
    second_factor.reset_second_factor(actor=member(Role.ADMINISTRATOR), user=user)
    user.refresh_from_db()
    assert user.session_epoch == epoch + 1
    assert AuditEvent.objects.filter(action="sessions.ended", target_id=str(user.pk)).exists()


def test_only_an_administrator_may_reset_a_second_factor():
    user = UserFactory.create()
    authenticator(user)
    manager = member(Role.MANAGER, team=build_world().own_team)
    with pytest.raises(PermissionDenied):
        second_factor.reset_second_factor(actor=manager, user=user)
    assert TOTPDevice.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="second_factor.reset").exists()


def test_the_key_is_offered_in_groups_of_four_and_the_qr_code_as_an_image():
    user = UserFactory.create(email="amy@example.org")
    device = TOTPDevice.objects.create(
        user=user, key="3132333435363738393031323334353637383930", confirmed=False
    )
    assert second_factor.secret_in_groups(device) == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    assert second_factor.qr_code_data_uri(device).startswith("data:image/svg+xml;base64,")


def test_the_reset_revokes_the_persons_api_tokens():
    # A token stands in for the second factor: one made by whoever had the phone must stop working.
    administrator = member(Role.ADMINISTRATOR)
    user = member(Role.POLICE_OFFENDER_MANAGER, team=build_world().own_team)
    issued = core_services.create_api_token(actor=user, name="Force data feed", lifetime_days=30)

    second_factor.reset_second_factor(actor=administrator, user=user)

    issued.token.refresh_from_db()
    assert issued.token.revoked_by == administrator
    assert AuditEvent.objects.get(action="second_factor.reset").detail["api_tokens_revoked"] == 1
    assert AuditEvent.objects.filter(action="api_token.revoked", target_id=str(issued.token.pk)).exists()
