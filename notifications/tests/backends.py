"""A mail server that is down: the outside world, faked for the retry tests."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class DownSMTPBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
