"""The app served as production serves it, for the production-mode test and the deadline
benchmark: gunicorn with debug off behind Debian's nginx (TLS with a self-signed certificate,
forwarding the client's address), whitenoise's static files, a Celery worker, and a real SMTP
server on loopback (aiosmtpd) that keeps what it is given."""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from mentorship.tests.workers import start_worker

NGINX = "/usr/sbin/nginx"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """A real SMTP server on loopback that keeps what it is given."""

    def __init__(self):
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per SMTP command

        self.messages = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]

    def wait(self, address, count=1, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.to(address)) < count:
            time.sleep(0.1)
        assert len(self.to(address)) >= count, [m["To"] for m in self.messages]
        return self.to(address)[-1]


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


NGINX_CONF = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        server_name localhost;
        ssl_certificate {tmp}/cert.pem;
        ssl_certificate_key {tmp}/key.pem;
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
        }}
    }}
}}
"""


class Stack:
    """Start with `with Stack(tmp, broker_url) as stack:`; `stack.base` is its https address,
    `stack.mailbox` the SMTP server, `stack.errors()` the 5xx answers in gunicorn's log."""

    def __init__(self, tmp: Path, broker_url: str, web_workers: int = 2):
        self.tmp, self.broker_url, self.web_workers = Path(tmp), broker_url, web_workers
        self.mailbox = Mailbox()
        self.app_port, self.tls_port = free_port(), free_port()
        self.base = f"https://localhost:{self.tls_port}"
        db = connection.settings_dict
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_ENV_FILE": "",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "x7!k2" * 12,
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "DJANGO_CSRF_TRUSTED_ORIGINS": self.base,
            "DJANGO_BEHIND_TLS_PROXY": "true",
            "DJANGO_ZEAL": "false",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.mailbox.port}",
            "SITE_URL": self.base,
        }
        self.env.pop("CACHE_URL", None)  # production's own default: the database cache
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Stack:
        tmp = self.tmp
        self.mailbox.controller.start()
        for command in (["createcachetable"], ["collectstatic", "--noinput", "-v", "0"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                env=self.env, cwd=settings.BASE_DIR, check=True,
            )  # fmt: skip
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-keyout", tmp / "key.pem", "-out", tmp / "cert.pem"],
            check=True, capture_output=True,
        )  # fmt: skip
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / folder).mkdir(exist_ok=True)
        (tmp / "nginx.conf").write_text(
            NGINX_CONF.format(tmp=tmp, tls_port=self.tls_port, app_port=self.app_port)
        )
        self.processes = [
            subprocess.Popen(
                [BIN / "gunicorn", "mentorship.wsgi", "--bind", f"127.0.0.1:{self.app_port}",
                 "--workers", str(self.web_workers), "--access-logfile", tmp / "access.log",
                 "--error-logfile", tmp / "gunicorn.log"],
                env=self.env, cwd=settings.BASE_DIR,
            ),
            subprocess.Popen(
                [NGINX, "-p", tmp, "-e", tmp / "error.log", "-c", tmp / "nginx.conf"]
            ),
            start_worker(self.broker_url, "celery", **self.env),
        ]  # fmt: skip
        wait_for_port(self.app_port)
        wait_for_port(self.tls_port)
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            process.terminate()
        # What each printed (the worker's log, for a failing run's message).
        self.output = [
            (process.communicate(timeout=30)[0] or b"").decode(errors="replace")
            for process in self.processes
        ]
        self.mailbox.controller.stop()

    def errors(self) -> list[str]:
        """The requests gunicorn answered with a 5xx."""
        log = self.tmp / "access.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [line for line in lines if re.search(r'" 5\d\d ', line)]
