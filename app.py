"""Flask entry point: `python app.py` serves the web app (see webmap/web.py)."""

from __future__ import annotations


def main() -> None:
    from webmap.web import create_app

    create_app().run(host="127.0.0.1", port=5000)


if __name__ == "__main__":
    main()
