"""The world (tests/actors.py) and a manager of its own team, which most data protection tests act in
and as. A module that needs them otherwise defines its own."""

import pytest

from iom.core.models import Role
from tests.actors import build_world, member


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def manager(world):
    return member(Role.MANAGER, team=world.own_team)
