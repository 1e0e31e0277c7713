"""
browser.py - Debian's Chromium, headless, driven through the DevTools
protocol (python3-websocket): pages loaded to the end, forms filled and
sent as a user would, what the console said, screenshots.
"""

import base64
import json
import pathlib
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket

from harness import TestFailure, _register, _unregister


class Browser:
    def __init__(self):
        if shutil.which("chromium") is None:
            raise TestFailure("chromium is not installed "
                              "(scripts/setup.sh installs it)")
        self.profile = tempfile.mkdtemp(prefix="vigie-chromium-")
        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--hide-scrollbars", "--no-first-run",
             "--remote-debugging-port=0", "--remote-allow-origins=*",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        _register(self.close)
        port_file = pathlib.Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise TestFailure("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        targets = json.load(urllib.request.urlopen(
            f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"],
                                              timeout=60)
        self.next_id = 0
        self.events = []
        # Console messages, exceptions, and what the browser itself logs
        # (a Content Security Policy's refusals, a failed load).
        self.messages = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1280,
                  height=900, deviceScaleFactor=1, mobile=False)

    def _read(self):
        msg = json.loads(self.ws.recv())
        method = msg.get("method")
        if method == "Runtime.consoleAPICalled":
            self.messages.append(
                f"console.{msg['params']['type']}: " + " ".join(
                    str(a.get("value", a.get("description", "")))
                    for a in msg["params"]["args"]))
        elif method == "Runtime.exceptionThrown":
            d = msg["params"]["exceptionDetails"]
            self.messages.append(
                f"exception: {d.get('exception', {}).get('description', d.get('text'))}")
        elif method == "Log.entryAdded":
            e = msg["params"]["entry"]
            if e["level"] in ("error", "warning"):
                self.messages.append(f"{e['level']}: {e['text']} {e.get('url', '')}")
        elif method is not None:
            self.events.append(msg)
        return msg

    def call(self, method, **params):
        self.next_id += 1
        want = self.next_id
        self.ws.send(json.dumps({"id": want, "method": method,
                                 "params": params}))
        while True:
            msg = self._read()
            if msg.get("id") == want:
                if "error" in msg:
                    raise TestFailure(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def _wait_load(self, timeout=30):
        """Waits for the load event; the HTTP status of the last document
        received (after redirections, the page shown)."""
        deadline = time.monotonic() + timeout
        while not any(e["method"] == "Page.loadEventFired"
                      for e in self.events):
            if time.monotonic() > deadline:
                raise TestFailure("the page did not finish loading")
            self._read()
        status = None
        for e in self.events:
            if (e["method"] == "Network.responseReceived"
                    and e["params"]["type"] == "Document"):
                status = e["params"]["response"]["status"]
        self.events.clear()
        return status

    def goto(self, url):
        """Loads url to its load event; the HTTP status of the page."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        return self._wait_load()

    def eval(self, js):
        r = self.call("Runtime.evaluate", expression=js, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise TestFailure(f"{js}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def submit(self, js):
        """Runs js, which sends a form, and waits for the page it leads
        to; its HTTP status."""
        self.events.clear()
        self.eval(js)
        return self._wait_load()

    def screenshot(self, path):
        height = self.eval("document.documentElement.scrollHeight")
        r = self.call("Page.captureScreenshot", format="png",
                      captureBeyondViewport=True,
                      clip={"x": 0, "y": 0, "width": 1280,
                            "height": min(max(height, 600), 6000),
                            "scale": 1})
        pathlib.Path(path).write_bytes(base64.b64decode(r["data"]))

    def cookies(self):
        return self.call("Network.getCookies")["cookies"]

    def close(self):
        _unregister(self.close)
        try:
            self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
