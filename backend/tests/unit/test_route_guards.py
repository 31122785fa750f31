"""Every route asks who is calling, through a dependency in its signature (`ActorDep`,
`AdminDep`, ... in app/api/deps.py), unless it is in PUBLIC with its reason. A route added
without one fails here before any request is sent."""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.api import deps
from app.main import ROUTERS

# The dependencies that refuse a caller who is not signed in (the docs: an admin in production).
GUARDS: set[Callable[..., Any]] = {
    deps.get_staff,
    deps.get_account,
    deps.get_member,
    deps.get_docs_reader,
}
PUBLIC = {
    ("GET", "/health"): "load balancers send no credentials; the version only for an admin",
    ("POST", "/auth/login"): "signing in",
    ("POST", "/auth/logout"): "ends whatever session the cookie names, if any",
    ("GET", "/metrics"): "its own bearer token, METRICS_TOKEN, checked by the route",
}


def calls(dependant: Dependant) -> Iterator[Callable[..., Any] | None]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from calls(dependency)


def test_every_route_but_the_public_ones_needs_a_signed_in_caller() -> None:
    routes = [route for module in ROUTERS for route in module.router.routes]
    api_routes = [route for route in routes if isinstance(route, APIRoute)]
    assert len(api_routes) == len(routes)  # nothing beside them escapes the check
    unguarded = {
        (method, route.path)
        for route in api_routes
        if not GUARDS & set(calls(route.dependant))
        for method in route.methods or ()
    }
    assert unguarded == set(PUBLIC)
