import pytest

from tests.factories import NOW


@pytest.fixture
def now(time_machine):
    """Freeze the clock at NOW, so "scheduled" and "live" mean the same every run."""
    time_machine.move_to(NOW, tick=False)
    return NOW
