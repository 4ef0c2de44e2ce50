"""A Redis server of the test's own, that a test may stop and start again."""

import shutil
import socket
import subprocess
import time

import pytest

from mentorship.celery import app as celery_app

REDIS = shutil.which("redis-server")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path, monkeypatch):
    server = RedisServer(tmp_path)
    server.start()
    previous = celery_app.conf.broker_url
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    celery_app.conf.broker_url = server.url
    celery_app._after_fork()  # drop the connection pools that point at the old broker
    yield server
    if server.process.poll() is None:
        server.stop()
    celery_app.conf.broker_url = previous
    celery_app._after_fork()
