"""`python -m app serve`: where it listens. Render's start command (no --port) listening on
PORT is run by tests/deploy/test_render_blueprint.py."""

import httpx
import pytest
from sqlalchemy import URL

from tests.servers import free_port, running_server


def test_the_port_flag_wins_over_the_port_variable(database_url: URL) -> None:
    variable = free_port()
    url = database_url.render_as_string(hide_password=False)
    # running_server passes --port with a port of its own and waits until /health answers there.
    with running_server(url, {"PORT": str(variable)}) as server:
        assert httpx.get(f"{server}/health").status_code == 200
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{variable}/health")
