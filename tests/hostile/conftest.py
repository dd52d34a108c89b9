import pytest

from tests.incidents.factories import confirmed_attack


@pytest.fixture(autouse=True)
def hostile_data_dir(settings, tmp_path):
    # Evidence files land in a folder of their own.
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def incident(nurse, manager):
    return confirmed_attack(nurse, manager)
