from celery import shared_task

from . import services
from .models import MatchingRun


@shared_task
def run_matching(run_id: int) -> None:
    run = MatchingRun.objects.select_related("program").get(pk=run_id)
    if run.status == MatchingRun.Status.PENDING:  # a redelivered task does not run twice
        services.matching_run(run=run)
