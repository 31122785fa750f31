"""`python -m app serve`: the product in one process tree, in explicit steps.

1. settings; 2. the database: DATABASE_URL, or the embedded PostgreSQL started here;
3. the schema brought to head (Alembic); 4. the sample db.json imported into an empty registry;
5. accounts: the first admin created (development), or required (production);
6. uvicorn serving API + front end (its workers get the URL from step 2).

And the operator's account commands (`create-user`, `set-password`, `create-token`), which work
beside a running service on the same database (they join the embedded server if it runs).
"""

import argparse
import ipaddress
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from app import audit_chain, db_admin
from app.backup import report as backup_report
from app.backup import schedule, service
from app.config import Settings, get_settings
from app.database import run_on_database
from app.db_admin import libpq_url
from app.errors import ConfigurationError, RegistryError
from app.files import write_private
from app.http_protocol import BoundedHttpToolsProtocol
from app.logging_config import configure_logging
from app.metrics import share_between_workers
from app.migration.first_start import import_sample_if_empty
from app.principal import Role
from app.services import auth_service, duplicate_service, user_service

logger = logging.getLogger("app.serve")


def load_settings() -> Settings:
    """Settings, or one plain line naming what is wrong and exit status 2."""
    try:
        return get_settings()
    except ValidationError as error:
        problems = "; ".join(_problem(item) for item in error.errors(include_url=False))
        sys.exit(f"Configuration error: {problems}")


def _problem(item: Any) -> str:
    """One setting's problem, naming its variable unless the message already does."""
    message = str(item["msg"]).removeprefix("Value error, ")
    variable = str(item["loc"][0]).upper() if item.get("loc") else ""
    return message if not variable or variable in message else f"{variable}: {message}"


def serve(args: argparse.Namespace) -> None:
    """Database ready, then uvicorn; the embedded server (if any) stops when this returns."""
    settings = load_settings()
    configure_logging(settings)
    if settings.open_access and not _loopback(args.host):
        sys.exit(f"Refusing to start: OPEN_ACCESS=true is for loopback only, not {args.host}")
    port = settings.port if args.port is None else args.port  # --port wins over PORT
    url = _database(settings)
    # The app (in this process, or in workers that inherit the environment) reads the URL from
    # its settings, so only this process owns the embedded server.
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    # A server that accepts connections but never answers must not hang the start-up.
    setup_url = db_admin.with_connect_timeout(url, settings.db_connect_timeout)
    try:
        db_admin.upgrade_schema(setup_url)
        if not args.no_import:
            import_sample_if_empty(setup_url, settings.sample_data)
    except (OperationalError, psycopg.OperationalError):
        # Serve anyway: requests answer 503 and /health tells until the database is back.
        logger.error(
            "database unreachable at start-up: schema upgrade and sample import skipped "
            "(they run on the next start); serving 503 until the database answers"
        )
    else:
        _first_admin(setup_url, settings, f"http://{_shown_host(args.host)}:{port}")
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler that kills
    # the process before atexit stops the embedded PostgreSQL. Exiting normally lets it run.
    signal.signal(signal.SIGTERM, _exit_normally)
    if args.workers > 1:
        # One /metrics for all workers: each scrape adds up every worker's values (app/metrics.py).
        share_between_workers()
    scheduler = _backup_scheduler(settings, url)
    try:
        run_uvicorn("app.main:create_app", args.host, port, args.workers)
    finally:
        if scheduler is not None:
            scheduler.stop()


def _backup_scheduler(settings: Settings, url: str) -> schedule.Scheduler | None:
    """Daily backups when the data lives in the embedded server on this machine; a managed
    server (DATABASE_URL) has its provider's backups, or `python -m app backup` from cron."""
    if settings.database_url:
        return None
    scheduler = schedule.Scheduler(
        url,
        settings.backup_dir,
        _passphrase(settings),
        settings.backup_keep,
        settings.backup_at_utc,
    )
    scheduler.start()
    return scheduler


def _exit_normally(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown_host(host: str) -> str:
    return "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host


def _first_admin(url: str, settings: Settings, address: str) -> None:
    """Development: a registry without accounts gets an `admin` whose random password is shown
    once, here, and kept in INITIAL_ADMIN_FILE (0600) until changed at first sign-in.
    Production: no active admin means nobody could manage access, so the service refuses."""
    if settings.production:
        if not run_on_database(url, settings, user_service.has_active_admin):
            sys.exit(
                "Refusing to start: no admin account. Create one with "
                "`python -m app create-user USERNAME --role admin --password-stdin` "
                "(from backend/, with DATABASE_URL set), then start again."
            )
        return
    password = run_on_database(url, settings, user_service.create_first_admin)
    if password is None:
        return
    write_private(settings.initial_admin_file, password + "\n")
    # Printed, never logged: the console of the person starting the service, once.
    print(f"Sign in at {address} as {user_service.FIRST_ADMIN} / {password}", flush=True)
    print(f"(also in {settings.initial_admin_file}; change it at first sign-in)", flush=True)


def _database(settings: Settings) -> str:
    """DATABASE_URL, or the embedded server's; one line (exit status 1) if it is unsafe."""
    try:
        return db_admin.database_url(settings.database_url, settings.pg_data_dir)
    except ConfigurationError as error:
        sys.exit(f"Refusing to start: {error}")


def _operator_database(settings: Settings) -> str:
    """The database the service uses (joining the embedded server), at the code's schema."""
    url = _database(settings)
    db_admin.upgrade_schema(url)
    return url


def _password_from_stdin() -> str:
    """The first line of standard input: a password never appears in a command line."""
    return sys.stdin.readline().rstrip("\r\n")


def account_command(args: argparse.Namespace) -> None:
    """create-user, set-password, create-token: one line of outcome, exit 1 with the reason."""
    settings = load_settings()
    url = _operator_database(settings)
    try:
        if args.command == "create-user":
            password = _password_from_stdin()
            user = run_on_database(
                url,
                settings,
                lambda db: user_service.create_user(
                    db, args.username, Role(args.role), password, must_change=False
                ),
            )
            print(f"Created {user.role} account {user.username!r}; it can sign in now.")
        elif args.command == "set-password":
            password = _password_from_stdin()
            user = run_on_database(
                url, settings, lambda db: user_service.set_password(db, args.username, password)
            )
            print(f"Password of {user.username!r} set; their sessions and tokens have ended.")
        else:
            token = run_on_database(
                url,
                settings,
                lambda db: auth_service.create_token_for(db, args.username, args.name, args.days),
            )
            print(token)  # the only time it is shown
    except RegistryError as error:
        reasons = "; ".join(f"{p.field} {p.message}" for p in error.problems)
        sys.exit(f"{args.command}: {error.detail}{' (' + reasons + ')' if reasons else ''}")


def _passphrase(settings: Settings) -> str | None:
    secret = settings.backup_passphrase
    return secret.get_secret_value() if secret is not None else None


def backup_command(args: argparse.Namespace) -> None:
    """backup: one archive and its manifest; exit 1 with the reason if it failed."""
    settings = load_settings()
    url = _database(settings)
    folder = args.to or settings.backup_dir
    if folder.resolve() == settings.backup_dir.resolve():
        # The service's own folder: recorded for /health and pruned to BACKUP_KEEP.
        outcome = schedule.attempt(url, folder, _passphrase(settings), settings.backup_keep)
        if not outcome.ok or outcome.archive is None:
            sys.exit(f"backup: {outcome.error}")
        archive = folder / outcome.archive
    else:
        try:
            archive, _ = service.back_up(url, folder, _passphrase(settings))
        except (service.BackupError, OSError) as error:
            sys.exit(f"backup: {error}")
    print(backup_report.made(archive))


def restore_command(args: argparse.Namespace) -> None:
    """restore / restore --verify-only: a report of what was checked; exit 1 with the reason."""
    settings = load_settings()
    passphrase = _passphrase(settings)
    try:
        if args.verify_only:
            print(backup_report.verified(args.archive, service.verify(args.archive, passphrase)))
            return
        url = libpq_url(args.database_url) if args.database_url else _database(settings)
        restored = service.restore(args.archive, url, passphrase, args.force)
    except (service.BackupError, OSError) as error:
        sys.exit(f"restore: {error}")
    except ValueError as error:  # a --database-url that is not PostgreSQL's
        sys.exit(f"restore: {error}")
    except psycopg.OperationalError:  # its message can quote the URL: never repeat it
        sys.exit("restore: the database is unreachable")
    verdict = run_on_database(url, settings, audit_chain.verify)
    print(backup_report.restored(args.archive, restored, audit_chain.report(verdict)[1]))


def audit_verify_command() -> None:
    """audit-verify: recompute the audit chain; exit 1 naming the first broken event."""
    settings = load_settings()
    url = _operator_database(settings)
    status, line = audit_chain.report(run_on_database(url, settings, audit_chain.verify))
    print(line)
    sys.exit(status)


def find_duplicates_command(args: argparse.Namespace) -> None:
    """find-duplicates: check every patient not yet checked for probable duplicates now (the
    server does it in the background; after a large import this is quicker to watch)."""
    settings = load_settings()
    url = libpq_url(args.database_url) if args.database_url else _operator_database(settings)
    started = time.monotonic()
    checked = run_on_database(url, settings, duplicate_service.check_all)
    print(f"checked {checked} patients in {time.monotonic() - started:.1f} s")


def run_uvicorn(factory: str, host: str, port: int, workers: int) -> None:
    """The production server settings, shared with the benchmark's yardsticks."""
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http=BoundedHttpToolsProtocol,  # httptools, with a bound on request heads (431)
        server_header=False,  # no `server: uvicorn`: naming the software helps an attacker
        access_log=False,
        log_config=None,  # uvicorn's loggers propagate to app.logging_config's handler
        timeout_graceful_shutdown=10,
    )


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (also installed as `patient-registry`)."""
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="run the API and the front end")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, help="default: PORT, else 8000")
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--no-import", action="store_true", help="skip the sample db.json import")
    create = sub.add_parser("create-user", help="create a staff account (password on stdin)")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    reset = sub.add_parser("set-password", help="set an account's password (read from stdin)")
    reset.add_argument("username")
    for command in (create, reset):
        command.add_argument(
            "--password-stdin", action="store_true", required=True, help="read it from stdin"
        )
    token = sub.add_parser("create-token", help="print a new personal API token of an account")
    token.add_argument("username")
    token.add_argument("--name", default="command line")
    token.add_argument("--days", type=int, default=30)
    sub.add_parser("audit-verify", help="check the audit trail's hash chain (exit 1 if broken)")
    backup = sub.add_parser("backup", help="write a backup archive and its manifest")
    backup.add_argument(
        "--to", type=Path, metavar="FOLDER", help="default: BACKUP_DIR (backend/.data/backups)"
    )
    restore = sub.add_parser("restore", help="restore a backup archive into an empty database")
    restore.add_argument("archive", type=Path, metavar="PATH")
    restore.add_argument("--database-url", metavar="URL", help="default: the service's database")
    restore.add_argument(
        "--force", action="store_true", help="replace everything in a database that is not empty"
    )
    restore.add_argument(
        "--verify-only", action="store_true", help="check the archive; restore nothing"
    )
    find = sub.add_parser("find-duplicates", help="check new and changed patients for duplicates")
    find.add_argument("--database-url", metavar="URL", help="default: the service's database")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "serve":
        serve(args)
    elif args.command == "audit-verify":
        audit_verify_command()
    elif args.command == "backup":
        backup_command(args)
    elif args.command == "restore":
        restore_command(args)
    elif args.command == "find-duplicates":
        find_duplicates_command(args)
    else:
        account_command(args)


if __name__ == "__main__":
    main(sys.argv[1:])
