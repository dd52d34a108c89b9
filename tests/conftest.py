"""Shared fixtures: a small cast of people who take part in a response.

nurse     a ward nurse (staff), no special rights
manager   the security manager (医療情報システム安全管理責任者)
director  the hospital director (management)
vendor    an engineer of the EHR vendor (external)
admin     the administrator who keeps MedIR's organisation data
"""

import pytest
from django.test import Client

from medir.organisation.models import Department, Organisation, OrganisationKind
from medir.organisation.services import create_person

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_test_settings(settings):
    # Password hashing is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def ward(db):
    return Department.objects.create(name="東4病棟", name_en="East 4 ward")


@pytest.fixture
def ehr_vendor(db):
    return Organisation.objects.create(
        name="架空電子カルテ株式会社", kind=OrganisationKind.VENDOR
    )


def _person(username, display_name, roles, **fields):
    return create_person(
        actor=None,
        display_name=display_name,
        roles=roles,
        username=username,
        password=PASSWORD,
        **fields,
    )


@pytest.fixture
def nurse(db, ward):
    return _person("nurse", "看護師A", ["staff"], department=ward).user


@pytest.fixture
def manager(db):
    return _person("manager", "情報システム責任者B", ["security_manager"]).user


@pytest.fixture
def director(db):
    return _person("director", "病院長C", ["management"]).user


@pytest.fixture
def vendor(db, ehr_vendor):
    return _person(
        "vendor", "ベンダ技術者D", ["external"], organisation=ehr_vendor
    ).user


@pytest.fixture
def admin(db):
    return _person("admin", "管理者E", ["administrator"]).user


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
