"""A small client of the Chrome DevTools protocol, over a websocket, to drive Debian's headless Chromium in tests.

Enough for what the web tests do: isolated browser contexts (one per user,
each with its own cookies), navigation, JavaScript evaluation, real mouse
events, screenshots, and every console error or uncaught exception collected.
Every wait is bounded by a deadline.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--remote-debugging-port=0", "--remote-allow-origins=*",
)
TIMEOUT = 20.0  # seconds any single wait may take


class Browser:
    """Headless Chromium started for a test, and the websocket to it; a context manager."""

    def __init__(self, profile: Path) -> None:
        self._process = subprocess.Popen([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._closing = ExitStack()
        self._closing.callback(self._stop)
        try:
            self._socket = self._closing.enter_context(connect(self._endpoint(), max_size=None, open_timeout=TIMEOUT))
        except BaseException:
            self._closing.close()
            raise
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def _endpoint(self) -> str:
        deadline = time.monotonic() + TIMEOUT
        assert self._process.stderr is not None
        while time.monotonic() < deadline:
            line = self._process.stderr.readline()  # Chromium prints the address at once; EOF if it died
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                return found.group(1)
            if not line and self._process.poll() is not None:
                break
        raise RuntimeError("chromium did not start its DevTools endpoint")

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.close()

    def _stop(self) -> None:
        self._process.kill()
        self._process.wait(timeout=TIMEOUT)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its answer, keeping the events that arrive meanwhile."""
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + TIMEOUT
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == number:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result

    def _receive(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer from chromium in time")
        message: dict[str, Any] = json.loads(self._socket.recv(timeout=remaining))
        if "method" in message:
            self.events.append(message)
        return message

    def wait_for(self, method: str, session: str, since: int) -> dict[str, Any]:
        """The first event `method` of `session` received after `since` events, waiting for it at most TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for event in self.events[since:]:
                if event["method"] == method and event.get("sessionId") == session:
                    return event
            since = len(self.events)
            self._receive(deadline)

    def page(self, width: int = 1280, height: int = 900) -> Page:
        """A new tab in a browser context of its own (its own cookies: one user each)."""
        context = self.send("Target.createBrowserContext")["browserContextId"]
        target = self.send("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        return Page(self, session)


class Page:
    """One tab: navigate, evaluate, move the mouse, take screenshots, read its console errors."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session

    def goto(self, url: str) -> None:
        since = len(self.browser.events)
        self.browser.send("Page.navigate", {"url": url}, self.session)
        self.browser.wait_for("Page.loadEventFired", self.session, since)

    def run(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its value (JSON-serialisable)."""
        answer = self.browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, self.session)
        if "exceptionDetails" in answer:
            raise RuntimeError(answer["exceptionDetails"])
        return answer["result"].get("value")

    def submit(self, expression: str) -> None:
        """Run JavaScript that submits a form, and wait for the page it leads to."""
        since = len(self.browser.events)
        self.run(expression)
        self.browser.wait_for("Page.loadEventFired", self.session, since)

    def centre(self, selector: str) -> tuple[float, float]:
        """The middle of the first element matching `selector`, scrolled into view, in viewport pixels."""
        box = self.run(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
                       " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        return float(box[0]), float(box[1])

    def mouse(self, kind: str, x: float, y: float, clicks: int = 0) -> None:
        params: dict[str, Any] = {"type": kind, "x": x, "y": y}
        if kind != "mouseMoved" or clicks:
            params.update(button="left", clickCount=max(clicks, 1))
        self.browser.send("Input.dispatchMouseEvent", params, self.session)

    def click(self, selector: str) -> None:
        """A real click on an element that leads to another page, and wait for it."""
        x, y = self.centre(selector)
        since = len(self.browser.events)
        self.mouse("mousePressed", x, y, 1)
        self.mouse("mouseReleased", x, y, 1)
        self.browser.wait_for("Page.loadEventFired", self.session, since)

    def screenshot(self, path: Path) -> None:
        height = self.run("document.documentElement.scrollHeight")
        data = self.browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                            "clip": {"x": 0, "y": 0, "width": 1280, "height": min(int(height), 2400), "scale": 1}},
                                 self.session)
        path.write_bytes(base64.b64decode(data["data"]))

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads of this tab."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event["params"]
            if event["method"] == "Runtime.exceptionThrown":
                found.append(str(params["exceptionDetails"]))
            elif event["method"] == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append(str(params["args"]))
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"{params['entry'].get('url', '')}: {params['entry']['text']}")
        return found
