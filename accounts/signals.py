import time

from allauth.usersessions.models import UserSession
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from .middleware import LOGIN_AT
from .models import User


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    request.session[LOGIN_AT] = time.time()


@receiver(post_save, sender=User)
def end_sessions_of_disabled_users(sender, instance, **kwargs):
    """A user who is disabled is logged out everywhere at once."""
    if not instance.is_active:
        for session in UserSession.objects.filter(user=instance):
            session.end()
