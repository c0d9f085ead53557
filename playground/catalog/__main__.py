"""``python -m playground.catalog refresh [--prices] [--check] [--base-url URL] [--catalog-dir DIR] [ENDPOINT ...]``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playground import config
from playground.catalog.loader import CATALOG_DIR
from playground.catalog.refresh import (
    DEFAULT_BASE_URL,
    PRICING_BASE_URL,
    refresh,
    refresh_prices,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playground.catalog",
                                     description="Keep the endpoint catalog in step with fal's OpenAPI documents "
                                                 "and prices.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("refresh", help="fetch each endpoint's OpenAPI document (or, with --prices, its "
                                                  "billing unit and price), show and write changes")
    command.add_argument("endpoints", nargs="*", metavar="ENDPOINT", help="endpoint ids or facts file names (all)")
    command.add_argument("--prices", action="store_true",
                         help="read fal's pricing API instead: the billing unit and unit price of each endpoint")
    command.add_argument("--check", action="store_true", help="only show what would change (exit 1 if anything)")
    command.add_argument("--base-url", default=None,
                         help=f"where fal serves them (default {DEFAULT_BASE_URL}; with --prices {PRICING_BASE_URL})")
    command.add_argument("--catalog-dir", type=Path, default=config.catalog_dir() or CATALOG_DIR,
                         help="the catalog to refresh (default: the shipped one, or PLAYGROUND_CATALOG_DIR)")
    args = parser.parse_args(argv)
    key = config.server_key()
    if args.prices:
        return refresh_prices(args.catalog_dir, args.base_url or PRICING_BASE_URL, args.endpoints, args.check, key=key)
    base_url = args.base_url or config.openapi_base_url() or DEFAULT_BASE_URL
    return refresh(args.catalog_dir, base_url, args.endpoints, args.check, key=key)


if __name__ == "__main__":
    sys.exit(main())
