"""`kpi serve` (the shared web space) and `kpi users add` (its users file).

The web stack (Starlette, uvicorn, argon2-cffi) is the optional `web` extra and
is imported only when one of these commands runs, so every other command
starts as fast as before and works without it.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from ..errors import KpiError
from .common import EXIT_INVALID, EXIT_USAGE, FACTS, PACK, Exit, echo_text, print_problems, summary
from .language import environment_language

_MISSING = "kpi serve needs the web extra: pip install 'kpi-rules[web]' ({error})"


def _web_stack() -> None:
    """Refuse with one line, not a traceback, when the `web` extra is not installed."""
    try:
        import argon2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        echo_text(_MISSING.format(error=error), err=True)
        raise Exit(EXIT_USAGE) from None


def _now() -> datetime:
    return datetime.now(UTC)


@click.command(name="serve")
@PACK
@FACTS
@click.option("--state", type=click.Path(dir_okay=False), help="The alert store (SQLite) shared with kpi notify: alerts, history, acknowledgements.")
@click.option("--users", "users_file", type=click.Path(dir_okay=False, exists=True), required=True, help="The users file (kpi users add writes it).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (put a TLS reverse proxy in front to open it further).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--secure-cookies", is_flag=True, help="Session cookie Secure even when the proxy does not say it serves HTTPS (automatic when it does).")
def serve_command(pack: str, facts_files: tuple[str, ...], state: str | None, users_file: str, host: str, port: int, secure_cookies: bool) -> None:
    """Serve the pack's dashboards to the people of the users file.

    Each person sees the KPIs they own and those of their audiences (the DAF
    and admins see everything), drills into any of them, and acknowledges
    alerts. The pack, facts and users file are reloaded when they change on disk. Sessions
    are signed with $KPI_WEB_SECRET (random per start when unset).

    \b
    Example:
      kpi serve examples/company --facts examples/facts/monthly.csv --state alerts.db --users users.yaml
    """
    _web_stack()
    import uvicorn

    from ..web.app import Web, create_app
    from ..web.space import Space
    from ..web.users import watched_users

    try:
        users = watched_users(users_file, _now)
        space = Space(Path(pack), [Path(f) for f in facts_files], Path(state) if state else None, _now)
    except KpiError as error:
        lang = environment_language()
        print_problems(error.problems, lang=lang)
        click.echo(summary("problems", len(error.problems), lang), err=True)
        raise Exit(EXIT_INVALID) from None
    secret = os.environ.get("KPI_WEB_SECRET")
    app = create_app(Web(space, users, _now, time.monotonic), secret_key=secret, secure_cookies=secure_cookies)
    click.echo(f"kpi serve: http://{host}:{port}/ ({len(users.value)} users; Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@click.group(name="users")
def users_command() -> None:
    """Manage the users file of kpi serve."""


@users_command.command(name="add")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("login")
@click.option("--name", default="", help="The name shown on the pages (default: the login).")
@click.option("--role", type=click.Choice(["admin", "daf", "owner", "viewer"]), required=True, help="admin, daf: everything; owner, viewer: their own.")
@click.option("--owner-role", "owner_roles", multiple=True, help="A KPI owner role this person answers for (repeatable).")
@click.option("--audience", "audiences", multiple=True, help="An audience of the pack this person reads (repeatable).")
@click.option("--entity", "entities", multiple=True, help="An entity this person reads (repeatable; none: every entity).")
@click.option("--lang", type=click.Choice(["fr", "en"]), help="Language of the pages (default: the browser's).")
def add_command(file: str, login: str, name: str, role: str, owner_roles: tuple[str, ...], audiences: tuple[str, ...],
                entities: tuple[str, ...], lang: str | None) -> None:
    """Add or replace a user; the password is read from the terminal (asked twice) or from standard input, never from the command line.

    \b
    Example:
      kpi users add users.yaml claire --name "Claire Martin" --role daf
      printf '%s\\n' "$PASSWORD" | kpi users add users.yaml lea --role owner --owner-role commercial --audience operations
    """
    _web_stack()
    from ..web.users import User, UsersError, add_user, hash_password

    interactive = sys.stdin.isatty()
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True) if interactive else sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        echo_text("kpi: the password must have at least 8 characters", err=True)
        raise Exit(EXIT_USAGE)
    user = User(login, name or login, hash_password(password), role, owner_roles, audiences, entities, lang)  # type: ignore[arg-type]  # choices checked by click
    try:
        add_user(file, user)
    except UsersError as error:
        print_problems(error.problems)
        raise Exit(EXIT_INVALID) from None
    click.echo(f"{file}: user '{login}' saved ({role})")
