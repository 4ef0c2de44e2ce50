"""A mail server that is down: the outside world, faked for the retry tests."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class DownSMTPBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class FlakySMTPBackend(BaseEmailBackend):
    """Fails `failures_left` times, then delivers (into `sent`)."""

    failures_left = 0
    sent: list = []

    def send_messages(self, email_messages):
        cls = type(self)
        if cls.failures_left > 0:
            cls.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        cls.sent.extend(email_messages)
        return len(email_messages)


class SlowFileBackend(BaseEmailBackend):
    """A slow mail server that keeps what it accepted: one line per message in the file
    named by TEST_MAIL_LOG, so a test can count deliveries across processes, and the whole
    message as a JSON line beside it (TEST_MAIL_LOG.json) for a test that follows a link."""

    def send_messages(self, email_messages):
        import json
        import os
        import time
        from pathlib import Path

        log = Path(os.environ["TEST_MAIL_LOG"])
        for message in email_messages:
            time.sleep(0.02)
            with log.open("a") as out:
                out.write(f"{message.to[0]}\t{message.subject}\n")
            with Path(f"{log}.json").open("a") as out:
                whole = {"to": message.to[0], "subject": message.subject, "body": message.body}
                out.write(json.dumps(whole) + "\n")
        return len(email_messages)
