from celery import shared_task

from . import services
from .planning import plan_all


@shared_task
def deliver_pending() -> int:
    return services.notifications_deliver()


@shared_task
def plan_notifications() -> int:
    """The hourly planning sweep: reminders, milestone notices, evaluation invitations and
    digests due now."""
    planned = plan_all()
    if planned:
        services.kick_delivery()
    return planned
