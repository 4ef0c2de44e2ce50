import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("superuser", [False, True])
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, superuser):
    staff = UserFactory(is_staff=True, is_superuser=superuser, second_factor=False)
    program = ProgramFactory(slug="p")
    program.coordinators.add(staff)
    client.force_login(staff)
    for url in (reverse("admin:index"), reverse("matching:review", args=["p"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    page = client.get(reverse("mfa_activate_totp"), follow=True).content.decode()
    assert "second factor" in page


def test_staff_with_a_second_factor_open_the_admin(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("admin:index")).status_code == 200


def test_participants_need_none_but_may_turn_it_on(client, adept):
    client.force_login(adept)
    assert client.get(reverse("programs:my_applications")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_a_password_alone_does_not_log_a_coordinator_in(client, coordinator):
    response = client.post(
        reverse("account_login"), {"login": coordinator.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
