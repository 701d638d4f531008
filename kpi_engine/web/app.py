"""The Starlette application of `kpi serve`: routes, sessions, security headers, error pages.

Every page but the login needs a session; every POST needs the session's CSRF
token; every page asks `pages`, which asks `rights`, what the user may read.
Responses carry a Content-Security-Policy that allows only the application's
own scripts and styles, so even an escaping mistake could not run a script.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
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

from ..delivery.store import AlertStore
from ..formatting import Language
from . import pages
from .auth import CSRF_FIELD, LoginLimiter, csrf_token, csrf_valid, start_session
from .space import Snapshot, Space
from .users import User, check_password
from .watch import Watched
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
HTTPS_HEADERS = {"strict-transport-security": "max-age=31536000"}  # sent over HTTPS only, where browsers heed it


@dataclass
class Web:
    """What the application serves: the space on disk, its users, the login limiter and the clocks (passed in for tests)."""

    space: Space
    users: Watched[Mapping[str, User]]
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


def _session_user(request: Request) -> User | None:
    """The user of the session as the users file says now: None when they left it or their password changed."""
    login = request.session.get("user")
    user = _web(request).users.current().get(login) if isinstance(login, str) else None
    return user if user is not None and request.session.get("key") == user.session_key else None


def _user(request: Request) -> User:
    """The logged-in user; a request without one goes to the login page, and a session whose user left the users
    file (or changed password) ends there."""
    user = _session_user(request)
    if user is None:
        if "user" in request.session:
            request.session.clear()
        raise HTTPException(303, headers={"location": "/login"})
    return user


def _lang(request: Request, user: User | None) -> Language:
    return choose_language(request.session.get("lang"), user.lang if user else None, request.headers.get("accept-language", ""))


def _render(request: Request, template: str, user: User | None, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    lang = _lang(request, user)
    web = _web(request)
    space = web.space
    page = {
        "w": WORDS[lang], "lang": lang, "user": user, "csrf": csrf_token(request), "csrf_field": CSRF_FIELD,
        "stale": bool(user and space.problems),  # everyone logged in knows the page may be behind the files...
        # ...and those who see everything read why (a problem may name a KPI or a person outside another user's rights)
        "problems": [str(p) for p in space.problems] if user and user.sees_everything else [],
        "users_problems": [str(p) for p in web.users.problems] if user and user.sees_everything else [],
        "loaded_at": space.snapshot.loaded_at.strftime("%Y-%m-%d %H:%M:%S"),
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""), **pages.helpers(lang), **context,
    }
    return HTMLResponse(TEMPLATES.get_template(template).render(page), status_code=status)


async def _form(request: Request) -> Mapping[str, str]:
    """The posted form when its CSRF token is the session's; 403 otherwise."""
    form = await request.form()
    if not csrf_valid(request, form.get(CSRF_FIELD)):
        raise HTTPException(403)
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def _built(web: Web, build: Callable[[Snapshot, AlertStore | None], dict[str, Any]], with_store: bool = True) -> dict[str, Any]:
    """A page's data, built off the event loop (it evaluates, explains and reads SQLite) from the current snapshot
    and, when asked, the alert store; its refusals become HTTP answers (404 for anything not visible)."""
    def run() -> dict[str, Any]:
        snapshot = web.space.current()
        if not with_store:
            return build(snapshot, None)
        with web.space.store() as store:
            return build(snapshot, store)
    try:
        return await run_in_threadpool(run)
    except pages.NotVisible:
        raise HTTPException(404) from None
    except pages.BadFilter:
        raise HTTPException(400) from None


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
    user = await run_in_threadpool(check_password, web.users.current(), name, password) if len(password) <= MAX_PASSWORD else None
    if user is None:
        web.limiter.failed(keys, web.monotonic())
        return _render(request, "login.html.j2", None, {"error": WORDS[lang]["bad_login"]}, 401)
    web.limiter.succeeded(keys[:1])
    start_session(request, user.login, user.session_key)
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
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back  # never another site ("/\\x" is "//x" to browsers)
    return RedirectResponse(back if local else "/", 303)


async def dashboard(request: Request) -> Response:
    user = _user(request)
    lang = _lang(request, user)
    filters = request.query_params
    context = await _built(_web(request), lambda snapshot, _: pages.dashboard(snapshot, user, lang, pages.read_filters(filters)), with_store=False)
    return _render(request, "dashboard.html.j2", user, context)


async def kpi(request: Request) -> Response:
    user = _user(request)
    lang = _lang(request, user)
    name, query = request.path_params["name"], request.query_params
    context = await _built(_web(request), lambda snapshot, store: pages.kpi_page(snapshot, user, lang, name, query, store))
    return _render(request, "kpi.html.j2", user, context)


async def alerts(request: Request) -> Response:
    user = _user(request)
    lang = _lang(request, user)
    state = request.query_params.get("state") or None
    context = await _built(_web(request), lambda snapshot, store: pages.alerts_page(snapshot, user, lang, state, store))
    return _render(request, "alerts.html.j2", user, context)


async def acknowledge(request: Request) -> Response:
    user = _user(request)
    form = await _form(request)
    web = _web(request)
    fingerprint = request.path_params["fingerprint"]
    note, action = form.get("note", "")[:pages.NOTE_LIMIT], form.get("action", "")[:pages.NOTE_LIMIT]
    await _built(web, lambda snapshot, store: pages.acknowledge(snapshot, user, fingerprint, store, web.clock(), note, action))
    return RedirectResponse(f"/alerts#a-{fingerprint}", 303)


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)  # noqa: S101 - registered for HTTPException only
    if error.status_code == 303:
        return RedirectResponse(error.headers["location"] if error.headers else "/login", 303)
    user = _session_user(request)
    kind = "forbidden" if error.status_code == 403 else "not_found"
    return _render(request, "error.html.j2", user, {"kind": kind, "status": error.status_code}, error.status_code)


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` to every response; over HTTPS (the request's scheme, which uvicorn takes from a trusted
    proxy's X-Forwarded-Proto) or with `secure_cookies`, marks every cookie `Secure` and asks browsers to keep to HTTPS."""

    def __init__(self, app: ASGIApp, secure_cookies: bool = False) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        secure = self.secure_cookies or scope.get("scheme") == "https"

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, _secured(v) if secure and k.lower() == b"set-cookie" else v) for k, v in message.get("headers", [])]
                extra = {**SECURITY_HEADERS, **(HTTPS_HEADERS if scope.get("scheme") == "https" else {})}
                message["headers"] = [*headers, *((k.encode(), v.encode()) for k, v in extra.items())]
            await send(message)
        await self.app(scope, receive, sending)


def _secured(cookie: bytes) -> bytes:
    """A Set-Cookie value with the `Secure` attribute: the browser sends it back over HTTPS only."""
    attributes = [part.strip().lower() for part in cookie.split(b";")[1:]]
    return cookie if b"secure" in attributes else cookie + b"; secure"


def create_app(web: Web, secret_key: str | None = None, secure_cookies: bool = False) -> Starlette:
    """The application; `secret_key` signs the session cookies (a random one per start when none: sessions end with the
    server). Cookies are `Secure` over HTTPS, and always with `secure_cookies` (a proxy that does not say it serves HTTPS)."""
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
        Middleware(SecurityHeaders, secure_cookies=secure_cookies),
        Middleware(SessionMiddleware, secret_key=secret_key or secrets.token_urlsafe(32), session_cookie="kpi_session",
                   same_site="lax", max_age=12 * 3600),  # HttpOnly always; Secure added by SecurityHeaders
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})
    app.state.web = web
    return app
