"""Endpoint catalog: fal's OpenAPI document per endpoint (verbatim) plus our own facts beside it."""

from playground.catalog.loader import CATALOG_DIR, Catalog, load_catalog
from playground.catalog.model import Endpoint, Field, Pricing
from playground.catalog.modes import MODE_NAMES

__all__ = ["CATALOG_DIR", "MODE_NAMES", "Catalog", "Endpoint", "Field", "Pricing", "load_catalog"]
