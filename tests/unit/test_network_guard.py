import socket

import pytest

from tests.conftest import NetworkAccessError


def test_a_test_cannot_reach_the_network() -> None:
    with socket.socket() as s, pytest.raises(NetworkAccessError):
        s.connect(("93.184.216.34", 80))


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.socket() as client:
            client.connect(server.getsockname())
