"""The ceiling: a hello-world FastAPI route served with the API's own uvicorn settings."""

import sys

from fastapi import FastAPI, Response

BODY = b'{"hello":"world"}'


def create_app() -> FastAPI:
    """No database, no middleware: what Python's HTTP stack alone can answer per second."""
    app = FastAPI()

    @app.get("/hello")
    async def hello() -> Response:
        return Response(BODY, media_type="application/json")

    return app


if __name__ == "__main__":
    from app.__main__ import run_uvicorn

    run_uvicorn("benchmarks.hello:create_app", "127.0.0.1", int(sys.argv[1]), int(sys.argv[2]))
