"""A real SMTP server for tests (aiosmtpd), which can be told to refuse mail for a while."""

import asyncio

import pytest
from aiosmtpd.controller import Controller

from isimedia.tests.support import free_port


class RecordingHandler:
    def __init__(self):
        self.messages = []
        self.refuse_with = None  # e.g. "451 4.3.0 Try again later"
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse_with:
            return self.refuse_with
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture
def smtp_server(settings):
    """Route the portal's e-mail through a real local SMTP server."""
    server = SMTPServer()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        server.controller.stop()
