from celery import shared_task

from . import services


@shared_task
def deliver_pending() -> int:
    return services.notifications_deliver()
