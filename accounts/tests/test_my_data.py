import json

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from accounts.privacy import excluded_models, exported_models
from matching.models import Match
from meetings.models import Goal, Meeting
from programs.models import Role
from programs.tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_every_model_related_to_a_user_is_exported_or_excluded_with_a_reason():
    related = {"accounts.user"}
    user_model = settings.AUTH_USER_MODEL.lower()
    for model in apps.get_models():
        for field in model._meta.get_fields(include_hidden=True):
            target = getattr(field, "related_model", None)
            is_user = target is not None and target._meta.label_lower == user_model
            if is_user and (field.concrete or field.many_to_many):
                related.add(model._meta.label_lower)
    related -= {"auth.group", "auth.permission"}  # Django's permission tables, unused here
    missing = related - exported_models() - set(excluded_models())
    assert missing == set()
    assert all(reason.strip() for reason in excluded_models().values())


def test_a_person_downloads_everything_about_them_and_nothing_of_others(client, adept):
    mine = ApplicationFactory(applicant=adept, letter="Mitt eget brev", internal_note="INTERNT")
    other = ApplicationFactory(program=mine.program, role=Role.MENTOR, letter="Någon annans")
    match = Match.objects.create(
        program=mine.program, adept=mine, mentor=other, status=Match.Status.PUBLISHED
    )
    Goal.objects.create(match=match, title="Mitt mål")
    Meeting.objects.create(match=match, starts_at=mine.program.applications_close_at, notes="Vi")
    client.force_login(adept)
    response = client.get(reverse("accounts:my_data"))
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["profile"]["email"] == adept.email
    assert [a["letter"] for a in data["applications"]] == ["Mitt eget brev"]
    assert "INTERNT" not in response.content.decode()
    assert "Någon annans" not in response.content.decode()
    assert [g["title"] for g in data["goals"]] == ["Mitt mål"]
    assert [m["notes"] for m in data["meetings"]] == ["Vi"]
    assert data["matches"][0]["mentor"] == other.applicant.full_name


def test_the_export_names_an_applications_focus_areas(client, adept):
    from programs.tests.factories import FocusAreaFactory

    application = ApplicationFactory(applicant=adept)
    application.focus_areas.set([FocusAreaFactory(name_sv="Budget", name_en="Budget")])
    client.force_login(adept)
    response = client.get(reverse("accounts:my_data"))
    assert response.status_code == 200
    assert json.loads(response.content)["applications"][0]["focus_areas"] == ["Budget"]
