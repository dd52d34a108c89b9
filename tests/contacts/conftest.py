import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def in_english():
    """Messages built outside a request are asserted in English."""
    with translation.override("en"):
        yield
