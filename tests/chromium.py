"""Headless Chromium for the rendering tests and the user guide's pictures (``docs/images/render_report.py``).

``render(page)`` loads an HTML page as a person's browser would, at a given window width, and gives back the DOM
the browser built, the network requests the page made (from Chromium's net log) and measurements of the laid-out
page taken by a small script added to a copy of the page (the page itself has none): how wide the page is against
the window, which elements stick out past the window's right edge, and for each chart (``<svg>``) its labels that
overlap one another or are cut off at its edge, and how many data marks it drew with a size. Every ``<details>``
is opened first, so a list a person opens is measured too.

``screenshot(page, png)`` takes a picture of the window (``css`` is added to the copy, to show one part of the
page); ``decode_png`` reads it back without a third-party library, for checking that it is not blank.

Chromium is found as ``chromium``, ``chromium-browser`` or ``google-chrome``; :data:`CHROMIUM` is None where none
is there or starts (the tests skip). ``.ci/run`` installs it where it can.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path


def _find() -> str | None:
    """The first Chromium found that starts (Ubuntu's ``chromium-browser`` may be a stub asking for snap)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            try:
                if subprocess.run([path, "--version"], capture_output=True, timeout=30).returncode == 0:
                    return path
            except (OSError, subprocess.TimeoutExpired):
                pass
    return None


CHROMIUM = _find()

#: headless, and nothing that would reach out on its own (updates, sync, first-run pages, QUIC); the scroll bars
#: hidden so that the pictures show the page only
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         # and no name is looked up: whatever Chromium or a page asks for goes nowhere (the net log still shows it)
         "--host-resolver-rules=MAP * ~NOTFOUND")

#: added at the end of a copy of the page: measures the laid-out page and writes the result as JSON into
#: ``<pre id="cin-xl-probe">``, which ``--dump-dom`` then shows
PROBE = r"""
(function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  var root = document.documentElement, width = root.clientWidth;
  function name(el) {
    var cls = typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "";
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls;
  }
  function path(el) {
    var parts = [];
    for (var e = el; e && e !== document.body; e = e.parentElement) {
      if (e.id || e === el) parts.unshift(name(e));
      if (e.id) break;
    }
    return parts.join(" ");
  }
  var wide = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5 && !(el.parentElement && wide.indexOf(el.parentElement) >= 0
        && el.parentElement.getBoundingClientRect().right >= r.right)) wide.push(el);
  });
  var charts = [];
  document.querySelectorAll("svg").forEach(function (svg, n) {
    var box = svg.getBoundingClientRect();
    var labels = Array.prototype.map.call(svg.querySelectorAll("text"), function (t) {
      var r = t.getBoundingClientRect();
      return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    }).filter(function (l) { return l.right > l.left; });
    var overlaps = [], cut = [];
    labels.forEach(function (a, i) {
      if (a.left < box.left - 0.5 || a.right > box.right + 0.5 || a.top < box.top - 0.5 || a.bottom > box.bottom + 0.5)
        cut.push(a.text);
      labels.slice(i + 1).forEach(function (b) {
        var x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        var y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 2) overlaps.push([a.text, b.text]);
      });
    });
    var marks = Array.prototype.filter.call(svg.querySelectorAll("circle, rect, polyline"), function (m) {
      var r = m.getBoundingClientRect();
      return r.width > 0 || r.height > 0;
    }).length;
    charts.push({n: n, label: svg.getAttribute("aria-label") || (svg.querySelector("title") || {}).textContent || "",
                 width: box.width, height: box.height, marks: marks, labels: labels.length,
                 overlaps: overlaps, cut: cut});
  });
  var out = document.createElement("pre");
  out.id = "cin-xl-probe";
  out.textContent = JSON.stringify({scrollWidth: root.scrollWidth, clientWidth: width,
                                    wide: wide.slice(0, 20).map(function (el) {
                                      return path(el) + " to " + Math.round(el.getBoundingClientRect().right) + "px";
                                    }), charts: charts});
  document.body.appendChild(out);
})();
"""


@dataclass
class Rendered:
    #: the DOM Chromium built (``--dump-dom``), with the probe's ``<pre>`` at the end
    dom: str
    #: the probe's measurements: scrollWidth, clientWidth, wide (elements past the right edge), charts
    probe: dict
    #: every http(s) or ws(s) URL the page requested, from the net log
    requests: list[str]


def _run(args: list[str], timeout: float = 90) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None, "Chromium is not installed"
    with tempfile.TemporaryDirectory(prefix="cin-xl-chromium-") as profile:  # a new empty profile each time
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              timeout=timeout, check=True)


def _copy(page: Path, suffix: str, extra: str) -> Path:
    """A copy of ``page`` in its own folder (so that its relative links resolve alike) with ``extra`` added to the
    end of its body."""
    text = page.read_text(encoding="utf-8")
    at = text.rindex("</body>")
    copy = page.with_name(f".{page.stem}-{suffix}.html")
    copy.write_text(text[:at] + extra + text[at:], encoding="utf-8")
    return copy


def render(page: Path, *, width: int = 1280, height: int = 900) -> Rendered:
    """``page`` loaded in headless Chromium with a window ``width`` by ``height`` pixels (see the module's doc)."""
    copy = _copy(page, "probe", f"<script>{PROBE}</script>")
    netlog = copy.with_suffix(".netlog.json")
    try:
        done = _run([f"--window-size={width},{height}", f"--log-net-log={netlog}", "--dump-dom", copy.as_uri()])
        dom = done.stdout.decode("utf-8")
        found = re.search(r'<pre id="cin-xl-probe">(.*?)</pre>', dom, re.S)
        assert found, "the probe did not run: " + done.stderr.decode("utf-8", "replace")[-2000:]
        from html import unescape

        probe = json.loads(unescape(found.group(1)))
        return Rendered(dom, probe, page_requests(json.loads(netlog.read_text(encoding="utf-8", errors="replace"))))
    finally:
        copy.unlink(missing_ok=True)
        netlog.unlink(missing_ok=True)


def page_requests(netlog: dict) -> list[str]:
    """The URLs the page asked for, from a Chromium net log: the requests made for a ``file://`` page (its
    network isolation key names ``file://``), not Chromium's own (time, updates, accounts: no origin)."""
    start = netlog["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted({e["params"]["url"] for e in netlog["events"]
                   if e["type"] == start and "file://" in e.get("params", {}).get("network_isolation_key", "")
                   and not e["params"]["url"].startswith("file:")})


def page_height(page: Path, *, width: int = 1280, css: str = "") -> int:
    """How tall ``page`` is, in pixels, in a window ``width`` pixels wide, with ``css`` added: the height that
    :func:`screenshot` needs to take all of it."""
    script = ('var h = document.createElement("pre"); h.id = "cin-xl-height"; '
              "h.textContent = Math.ceil(document.documentElement.getBoundingClientRect().height); "
              "document.body.appendChild(h);")
    copy = _copy(page, "height", (f"<style>{css}</style>" if css else "") + f"<script>{script}</script>")
    try:
        dom = _run([f"--window-size={width},800", "--dump-dom", copy.as_uri()]).stdout.decode("utf-8")
    finally:
        copy.unlink(missing_ok=True)
    found = re.search(r'<pre id="cin-xl-height">(\d+)</pre>', dom)
    assert found, "the page's height was not measured"
    return int(found.group(1))


def screenshot(page: Path, png: Path, *, width: int = 1280, height: int = 900, css: str = "", script: str = "",
               scale: float = 1) -> Path:
    """A PNG of the top ``width`` by ``height`` pixels of ``page`` (times ``scale``), with ``css`` and ``script``
    added to a copy of it."""
    copy = _copy(page, "shot", (f"<style>{css}</style>" if css else "") + (f"<script>{script}</script>" if script else ""))
    try:
        _run([f"--window-size={width},{height}", f"--force-device-scale-factor={scale}",
              f"--screenshot={png.resolve()}", copy.as_uri()])
    finally:
        copy.unlink(missing_ok=True)
    return png


@dataclass
class Image:
    width: int
    height: int
    #: one ``bytearray`` a row, ``channels`` bytes a pixel (8 bits each)
    rows: list[bytearray]
    channels: int

    def grey(self, x: int, y: int) -> int:
        """The pixel's brightness, 0 to 255 (alpha ignored)."""
        px = self.rows[y][x * self.channels:(x + 1) * self.channels]
        return px[0] if self.channels < 3 else (px[0] * 299 + px[1] * 587 + px[2] * 114) // 1000


def decode_png(data: bytes) -> Image:
    """An 8-bit, non-interlaced PNG (what Chromium writes) as rows of pixels."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
    if header is None:
        raise ValueError("no IHDR")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or interlace or colour not in (0, 2, 4, 6):
        raise ValueError(f"PNG kind not read here: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw, stride = zlib.decompress(b"".join(chunks)), width * bpp
    prev, rows = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif kind == 4:
            for i in range(stride):
                a, b = (line[i - bpp] if i >= bpp else 0), prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return Image(width, height, rows, bpp)


def variance(image: Image, step: int = 4) -> float:
    """The variance of the brightness over every ``step``-th pixel both ways: 0 for a blank picture."""
    values = [image.grey(x, y) for y in range(0, image.height, step) for x in range(0, image.width, step)]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)
