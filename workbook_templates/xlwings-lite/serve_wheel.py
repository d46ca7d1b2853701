"""Serve a folder of wheels to xlwings Lite on this PC: ``python serve_wheel.py dist``.

xlwings Lite runs in Excel's browser engine, which fetches a wheel from another address only when
the answer carries ``Access-Control-Allow-Origin`` naming the add-in's address
(https://addin.xlwings.org, or your own if you host the add-in yourself). Python's own
``http.server`` does not send it; this does. It listens on localhost only: for a whole team, put
the wheel on an internal web server that sends the same header.
"""

from __future__ import annotations

import argparse
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

ADDIN_ORIGIN = "https://addin.xlwings.org"


class WheelHandler(SimpleHTTPRequestHandler):
    origin = ADDIN_ORIGIN

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", self.origin)
        super().end_headers()


def serve(folder: str, port: int = 8765, origin: str = ADDIN_ORIGIN) -> ThreadingHTTPServer:
    handler = functools.partial(type("Handler", (WheelHandler,), {"origin": origin}), directory=folder)
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder holding the wheel (dist)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--origin", default=ADDIN_ORIGIN, help=f"the add-in's address (default {ADDIN_ORIGIN})")
    args = parser.parse_args()
    server = serve(args.folder, args.port, args.origin)
    print(f"Serving {args.folder} at http://localhost:{args.port}/ for {args.origin}; Ctrl+C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
