"""``python -m playground.catalog refresh [--check] [--base-url URL] [--catalog-dir DIR] [ENDPOINT ...]``"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from playground.catalog.loader import CATALOG_DIR
from playground.catalog.refresh import DEFAULT_BASE_URL, refresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playground.catalog",
                                     description="Keep the endpoint catalog in step with fal's OpenAPI documents.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("refresh", help="fetch each endpoint's OpenAPI document, show and write changes")
    command.add_argument("endpoints", nargs="*", metavar="ENDPOINT", help="endpoint ids or facts file names (all)")
    command.add_argument("--check", action="store_true", help="only show what would change (exit 1 if anything)")
    command.add_argument("--base-url", default=os.environ.get("PLAYGROUND_OPENAPI_BASE_URL", DEFAULT_BASE_URL),
                         help=f"where fal's documents are served (default {DEFAULT_BASE_URL})")
    command.add_argument("--catalog-dir", type=Path,
                         default=Path(os.environ.get("PLAYGROUND_CATALOG_DIR") or CATALOG_DIR),
                         help="the catalog to refresh (default: the shipped one, or PLAYGROUND_CATALOG_DIR)")
    args = parser.parse_args(argv)
    return refresh(args.catalog_dir, args.base_url, args.endpoints, args.check,
                   key=(os.environ.get("FAL_KEY") or "").strip() or None)


if __name__ == "__main__":
    sys.exit(main())
