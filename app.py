"""Flask entry point: `python app.py [--host H] [--port P]` serves the web app (see webmap/web.py)."""

from __future__ import annotations

import argparse

from webmap.web import create_app as create_app  # a WSGI server: gunicorn "app:create_app()"
from webmap.web import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="the patrol web app (same as `patrol serve`)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    serve(host=args.host, port=args.port)


if __name__ == "__main__":
    main()
