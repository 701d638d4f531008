"""The Starlette application of `kpi serve`: routes, sessions, security headers, error pages.

Every page but the login needs a session; every POST needs the session's CSRF
token; every page asks `pages`, which asks `rights`, what the user may read.
Responses carry a Content-Security-Policy that allows only the application's
own scripts and styles, so even an escaping mistake could not run a script.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..formatting import Language
from . import pages
from .auth import CSRF_FIELD, LoginLimiter, csrf_token, csrf_valid, start_session
from .space import Space
from .users import User, check_password
from .words import LANGUAGES, WORDS, choose_language

HERE = Path(__file__).parent
MAX_PASSWORD = 1024  # characters: a longer one is refused before hashing, so a huge password cannot tie up a worker
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


@dataclass
class Web:
    """What the application serves: the space on disk, its users, the login limiter and the clocks (passed in for tests)."""

    space: Space
    users: Mapping[str, User]
    clock: Callable[[], datetime]
    monotonic: Callable[[], float]
    limiter: LoginLimiter = field(default_factory=LoginLimiter)


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["query"] = lambda **values: urlencode({k: v for k, v in values.items() if v})
    return environment


TEMPLATES = _environment()


def _web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def _user(request: Request) -> User:
    """The logged-in user; a request without one (or whose user left the users file) goes to the login page."""
    login = request.session.get("user")
    user = _web(request).users.get(login) if isinstance(login, str) else None
    if user is None:
        raise HTTPException(303, headers={"location": "/login"})
    return user


def _lang(request: Request, user: User | None) -> Language:
    return choose_language(request.session.get("lang"), user.lang if user else None, request.headers.get("accept-language", ""))


def _render(request: Request, template: str, user: User | None, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    lang = _lang(request, user)
    space = _web(request).space
    page = {
        "w": WORDS[lang], "lang": lang, "user": user, "csrf": csrf_token(request), "csrf_field": CSRF_FIELD,
        "problems": [str(p) for p in space.problems], "loaded_at": space.snapshot.loaded_at.strftime("%Y-%m-%d %H:%M:%S"),
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""), **pages.helpers(lang), **context,
    }
    return HTMLResponse(TEMPLATES.get_template(template).render(page), status_code=status)


async def _form(request: Request) -> Mapping[str, str]:
    """The posted form when its CSRF token is the session's; 403 otherwise."""
    form = await request.form()
    if not csrf_valid(request, form.get(CSRF_FIELD)):
        raise HTTPException(403)
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _page(build: Callable[..., dict[str, Any]]) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Run a page builder off the event loop (it evaluates, explains and reads SQLite), its refusals as HTTP answers."""
    async def run(*args: Any) -> dict[str, Any]:
        try:
            return await run_in_threadpool(build, *args)
        except pages.NotVisible:
            raise HTTPException(404) from None
        except pages.BadFilter:
            raise HTTPException(400) from None
    return run


def _with_store(build: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def run(web: Web, *args: Any) -> dict[str, Any]:
        with web.space.store() as store:
            return build(web.space.current(), *args, store)
    return run


async def login_form(request: Request) -> Response:
    return _render(request, "login.html.j2", None, {"error": ""})


async def login(request: Request) -> Response:
    form = await _form(request)
    web = _web(request)
    name = form.get("user", "")[:200]
    keys = (f"user:{name}", f"address:{request.client.host if request.client else '?'}")
    lang = _lang(request, None)
    if web.limiter.blocked(keys, web.monotonic()):
        return _render(request, "login.html.j2", None, {"error": WORDS[lang]["too_many"]}, 429)
    password = form.get("password", "")
    user = await run_in_threadpool(check_password, web.users, name, password) if len(password) <= MAX_PASSWORD else None
    if user is None:
        web.limiter.failed(keys, web.monotonic())
        return _render(request, "login.html.j2", None, {"error": WORDS[lang]["bad_login"]}, 401)
    web.limiter.succeeded(keys[:1])
    start_session(request, user.login)
    return RedirectResponse("/", 303)


async def logout(request: Request) -> Response:
    await _form(request)
    request.session.clear()
    return RedirectResponse("/login", 303)


async def language(request: Request) -> Response:
    form = await _form(request)
    if form.get("lang") in LANGUAGES:
        request.session["lang"] = form["lang"]
    back = form.get("back", "/")
    return RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/", 303)


async def dashboard(request: Request) -> Response:
    user = _user(request)
    web = _web(request)
    lang = _lang(request, user)

    def build() -> dict[str, Any]:
        return pages.dashboard(web.space.current(), user, lang, pages.read_filters(request.query_params))
    return _render(request, "dashboard.html.j2", user, await _page(build)())


async def kpi(request: Request) -> Response:
    user = _user(request)
    web = _web(request)
    build = _with_store(lambda snapshot, store: pages.kpi_page(snapshot, user, _lang(request, user), request.path_params["name"],
                                                              request.query_params, store))
    return _render(request, "kpi.html.j2", user, await _page(build)(web))


async def alerts(request: Request) -> Response:
    user = _user(request)
    web = _web(request)
    state = request.query_params.get("state") or None
    build = _with_store(lambda snapshot, store: pages.alerts_page(snapshot, user, _lang(request, user), state, store))
    return _render(request, "alerts.html.j2", user, await _page(build)(web))


async def acknowledge(request: Request) -> Response:
    user = _user(request)
    form = await _form(request)
    web = _web(request)
    fingerprint = request.path_params["fingerprint"]

    def record(snapshot: Any, store: Any) -> dict[str, Any]:
        if store is None:
            raise pages.NotVisible(fingerprint)
        pages.visible_alert(store, user, snapshot.pack.definitions, fingerprint)
        if not user.may_acknowledge:
            raise pages.NotVisible(fingerprint)
        store.acknowledge(fingerprint, user.login, web.clock(), form.get("note", "")[:pages.NOTE_LIMIT], form.get("action", "")[:pages.NOTE_LIMIT])
        return {}
    await _page(_with_store(record))(web)
    return RedirectResponse(f"/alerts#a-{fingerprint}", 303)


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)  # noqa: S101 - registered for HTTPException only
    if error.status_code == 303:
        return RedirectResponse(error.headers["location"] if error.headers else "/login", 303)
    login = request.session.get("user")
    user = _web(request).users.get(login) if isinstance(login, str) else None
    kind = "forbidden" if error.status_code == 403 else "not_found"
    return _render(request, "error.html.j2", user, {"kind": kind, "status": error.status_code}, error.status_code)


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *((k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items())]
            await send(message)
        await self.app(scope, receive, sending)


def create_app(web: Web, secret_key: str | None = None, https_only: bool = False) -> Starlette:
    """The application; `secret_key` signs the session cookies (a random one per start when none: sessions end with the server)."""
    routes = [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/lang", language, methods=["POST"]),
        Route("/", dashboard, methods=["GET"]),
        Route("/kpi/{name}", kpi, methods=["GET"]),
        Route("/alerts", alerts, methods=["GET"]),
        Route("/alerts/{fingerprint}/ack", acknowledge, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=secret_key or secrets.token_urlsafe(32), session_cookie="kpi_session",
                   same_site="lax", https_only=https_only, max_age=12 * 3600),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})
    app.state.web = web
    return app
