"""The ceiling: a hello-world FastAPI route served with the API's own uvicorn settings."""

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
    from benchmarks.processes import serve_factory

    serve_factory("benchmarks.hello:create_app")
