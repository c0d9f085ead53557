"""Endpoint catalog: fal's OpenAPI document per endpoint (verbatim) plus our own facts beside it."""

from playground.catalog.loader import CATALOG_DIR, Catalog, load_catalog
from playground.catalog.model import Endpoint, Field, Pricing

__all__ = ["CATALOG_DIR", "Catalog", "Endpoint", "Field", "Pricing", "load_catalog"]
