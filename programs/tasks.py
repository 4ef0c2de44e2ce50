from celery import shared_task

from . import services


@shared_task
def close_application_windows() -> int:
    return services.program_close_applications()
