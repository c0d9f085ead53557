"""Every tab renders exactly its schema's fields, compared against the raw OpenAPI documents."""

import json

import pytest

from playground.catalog import CATALOG_DIR


def _raw_input_properties(endpoint_id):
    """Read the shipped document directly (not through our parser): $ref, then anyOf [X, null]."""
    for path in (CATALOG_DIR / "openapi").glob("*.json"):
        doc = json.loads(path.read_text())
        if doc["info"]["x-fal-metadata"]["endpointId"] == endpoint_id:
            ref = doc["paths"][f"/{endpoint_id}"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
            props = {}
            for name, prop in schema["properties"].items():
                inner = next((o for o in prop.get("anyOf", []) if o.get("type") != "null"), {})
                props[name] = {**inner, **{k: v for k, v in prop.items() if k != "anyOf"}}
            return props, set(schema.get("required", []))
    raise AssertionError(endpoint_id)


TAB_CHROME = {"preset", "retired", "title", "run", "cancel", "estimate", "price", "code", "video", "status", "result",
              "logs", "details", "advanced"}


@pytest.fixture(scope="module")
def rendered(catalog):
    """Every endpoint tab as a visitor's session builds it (tabs are built on first sight, not at start-up)."""
    import gradio as gr

    from playground.service import Playground
    from playground.ui.endpoint_tab import build_endpoint_tab
    from playground.ui.presets import PresetSaver

    playground = Playground(catalog, "unused")
    with gr.Blocks() as demo:
        session, saver = gr.State({}), PresetSaver(playground.tabs)
        for endpoint in catalog.values():
            with gr.Column():
                build_endpoint_tab(playground.tabs, playground.sessions, endpoint, session, saver)
    return {c["props"].get("elem_id"): c for c in demo.config["components"] if c["props"].get("elem_id")}


@pytest.mark.parametrize("endpoint_id", sorted(__import__("playground.catalog").catalog.load_catalog()))
def test_tab_fields_match_schema(catalog, rendered, endpoint_id):
    endpoint = catalog[endpoint_id]
    props, required = _raw_input_properties(endpoint_id)
    prefix = endpoint.slug + "-"
    for name, prop in props.items():
        base = prefix + name
        if "enum" in prop:
            c = rendered[base]
            assert c["type"] == "dropdown"
            assert [choice[1] for choice in c["props"]["choices"]] == prop["enum"]
            assert c["props"]["value"] == prop.get("default", prop["enum"][0])
        elif prop["type"] == "boolean":
            assert rendered[base]["type"] == "checkbox" and rendered[base]["props"]["value"] == prop["default"]
        elif name == "seed":  # a text box: empty while Random is ticked, never a rounded number
            assert rendered[base]["type"] == "textbox" and rendered[base]["props"].get("value") == ""
            assert rendered[base + "-random"]["props"]["value"] is True  # never sends seed 0 by accident
        elif prop["type"] == "integer":
            c = rendered[base]
            assert c["type"] == "slider"
            assert (c["props"]["minimum"], c["props"]["maximum"]) == (prop["minimum"], prop["maximum"])
            assert (base + "-enabled" in rendered) == ("default" not in prop and name not in required)
        elif name.endswith("image_url"):
            assert rendered[base + "-upload"]["type"] == "image" and rendered[base + "-url"]["type"] == "textbox"
        elif prop["type"] == "array":
            assert rendered[base + "-upload"]["type"] == "file"
            assert rendered[base + "-upload"]["props"]["file_count"] == "multiple"
        else:
            assert rendered[base]["type"] == "textbox"
        label_holder = rendered[base + "-upload"] if base + "-upload" in rendered else rendered[base]
        label, info = label_holder["props"]["label"], label_holder["props"].get("info") or ""
        stem = prop["title"].removesuffix(" Urls").removesuffix(" Url")
        assert stem in label and "Url" not in label  # fal's title, without the schema's words
        assert label.endswith("*") == (name in required)
        assert "[minimum" not in info and "[minimum" not in (rendered.get(base + "-url", {}).get("props", {}).get("info")
                                                              or "")
    rendered_roots = {eid.removeprefix(prefix).split("-")[0] for eid in rendered if eid.startswith(prefix)}
    assert rendered_roots - TAB_CHROME == set(props)  # every schema field, and nothing else
