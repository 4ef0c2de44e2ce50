"""Erasing an account: personal data goes, the counts behind the statistics stay."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.errors import ServiceError


@transaction.atomic
def account_erase(*, user) -> None:
    """Remove or anonymise everything that identifies the person.

    Applications and matches stay, stripped of what the person wrote, so that a program's
    numbers (applicants, pairs, meetings held) stay right; a live match ends.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    from evaluations.models import Answer, Response
    from matching.models import Match, RematchRequest
    from meetings.models import CalendarFeed, Goal, GoalComment
    from notifications.models import Notification
    from programs.models import Application, MentorBankEntry
    from programs.services import applications_anonymise

    if user.is_staff:
        raise ServiceError(
            _("Coordinators' accounts are closed by an administrator, who keeps the audit trail.")
        )
    now = timezone.now()
    applications = Application.objects.filter(applicant=user)
    # Programs bound to archive keep the application and the pair's log until their
    # retention sweep anonymises them; everything else goes now.
    erased = applications.filter(program__archive_on_erasure=False)
    Match.objects.filter(status=Match.Status.PUBLISHED).filter(adept__in=applications).update(
        status=Match.Status.ENDED, ended_at=now, end_reason="account deleted"
    )
    Match.objects.filter(status=Match.Status.PUBLISHED, mentor__in=applications).update(
        status=Match.Status.ENDED, ended_at=now, end_reason="account deleted"
    )
    Match.objects.filter(status=Match.Status.PROPOSED).filter(adept__in=applications).delete()
    Match.objects.filter(status=Match.Status.PROPOSED, mentor__in=applications).delete()
    applications_anonymise(erased)
    Goal.objects.filter(match__adept__in=erased).delete()
    GoalComment.objects.filter(author=user, goal__match__program__archive_on_erasure=False).delete()
    RematchRequest.objects.filter(requested_by=user).delete()
    # Evaluation scores stay in the program's results, no longer tied to anyone; free text
    # could say who wrote it, so it goes.
    Answer.objects.filter(response__respondent=user).exclude(text="").delete()
    Response.objects.filter(respondent=user).update(respondent=None)
    MentorBankEntry.objects.filter(mentor=user).delete()
    Notification.objects.filter(recipient=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()
    user.email = f"deleted-{user.pk}@invalid.example"
    user.full_name = _("Deleted user")
    user.is_active = False
    user.set_unusable_password()
    user.save()
