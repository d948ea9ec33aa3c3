"""A headless Chromium driven over the Chrome DevTools Protocol, with the standard library only.

Chromium speaks the protocol on a pipe when started with ``--remote-debugging-pipe``: it reads
JSON messages, each ended by a NUL byte, from its file descriptor 3 and writes its answers and
events to descriptor 4 (what Puppeteer and Playwright use). No websocket, no extra package.

Every page request goes through the page's network stack, whose ``Network.requestWillBeSent``
events are recorded for the whole visit: the tests read them to prove that a page asked for
nothing but itself. The flags keep the browser's own services off the network too (no
background networking, component updates, sync, QUIC), and host names resolve to nothing.

Used by tests/test_report_browser.py and tests/screenshot_report.py.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

#: Where Debian's ``chromium`` package puts the browser (``apt-get install chromium``).
CHROMIUM = "/usr/bin/chromium"
#: Longest wait for one answer of the browser (s): starting it and loading a big page take a
#: few seconds on a loaded two-core box; a hang must fail the test, not stall it.
TIMEOUT = 60.0

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    "--disable-dev-shm-usage", "--no-default-browser-check", "--metrics-recording-only",
    # Any host name resolves to nothing: even a request that got out could not reach anyone.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
]


def binary() -> str | None:
    """The Chromium to run: $CHROMIUM, /usr/bin/chromium, or one on PATH; None if there is none."""
    for candidate in (os.environ.get("CHROMIUM"), CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


class Chromium:
    """One headless browser with one page (a tab) attached; use as a context manager."""

    def __init__(self, width: int = 1280, height: int = 900, path: str | None = None):
        path = path or binary()
        if path is None:
            raise FileNotFoundError("no chromium binary (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="wordmine-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # bash puts the pipes on the descriptors 3 and 4 the protocol uses, then becomes Chromium.
        # The child's copies go above 9 first, so that neither is 3 or 4 itself (the first
        # redirection would close the other one); dash reads no descriptor above 9, bash does.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_r, from_browser_w)]
        os.close(to_browser_r)
        os.close(from_browser_w)
        script = f'exec "$0" "$@" 3<&{high[0]} 4>&{high[1]} {high[0]}<&- {high[1]}>&-'
        self.log = os.path.join(self.profile, "chromium.log")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [shutil.which("bash") or "/bin/bash", "-c", script, path, *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
                 "about:blank"],
                pass_fds=high, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )
        for fd in high:
            os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- protocol --

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and wait for its answer; events that come first are kept in ``events``."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def call(self, method: str, params: dict | None = None) -> dict:
        """A command to the page's session."""
        return self.send(method, params, self.session)

    def _read(self) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"chromium did not answer within {TIMEOUT:.0f} s")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                with open(self.log, encoding="utf-8", errors="replace") as f:
                    said = f.read()[-2000:]
                raise RuntimeError(f"chromium closed the protocol pipe (it exited); it said:\n{said}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for(self, method: str) -> dict:
        """The first event ``method`` of the page not yet waited for."""
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(i)
            event = self._read()
            if "method" in event:
                self.events.append(event)

    # -- page --

    def open(self, path: str) -> str:
        """Load a local file and wait for its load event; returns its URL."""
        url = "file://" + os.path.abspath(path)
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")
        return url

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (thrown errors raise here)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def requested(self) -> list[str]:
        """Every URL the page asked for since it was opened (Network.requestWillBeSent events)."""
        self.evaluate("0")  # lets the events sent so far arrive
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def screenshot(self, path: str, full_page: bool = True) -> None:
        """Write a PNG of the page (all of it with ``full_page``)."""
        params = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        data = self.call("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.send("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)
