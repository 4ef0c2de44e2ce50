from celery import shared_task

from . import services


@shared_task
def close_application_windows() -> int:
    return services.program_close_applications()


@shared_task
def apply_retention() -> int:
    return services.retention_apply()
