"""Fixtures for the AppTest page tests (helpers they call are in tests/page_support.py)."""

import pytest

from page_support import open_app


@pytest.fixture
def at(request):
    """A fresh app.py switched to the requesting test module's PAGE (a views/ file)."""
    return open_app(request.module.PAGE, timeout=60)
