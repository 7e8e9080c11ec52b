import hashlib
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from baeji.credentials import contexts, schemas
from baeji.credentials.errors import ContextError, SchemaError

# The digests published with the standards; a changed file must fail here, not go unnoticed.
PINNED = {
    "https://www.w3.org/ns/credentials/v2": (
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    ),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": (
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"
    ),
    "https://w3id.org/security/multikey/v1": (
        "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597"
    ),
    "https://w3id.org/security/data-integrity/v2": (
        "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4"
    ),
}


def test_every_bundled_context_matches_its_pinned_digest():
    package = resources.files("baeji.credentials.contexts")
    table = contexts.manifest()
    assert len(table) >= 20
    for url, entry in table.items():
        digest = hashlib.sha256(package.joinpath(entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], url


@pytest.mark.parametrize("url,sha256", sorted(PINNED.items()))
def test_published_digests_are_the_ones_pinned(url, sha256):
    assert contexts.manifest()[url]["sha256"] == sha256


def test_loader_serves_bundled_context_as_static():
    doc = contexts.document_loader(contexts.OB_V3P0)
    assert doc["documentUrl"] == contexts.OB_V3P0
    assert doc["tag"] == "static"
    assert "@context" in doc["document"]


def test_loader_refuses_any_other_url():
    with pytest.raises(ContextError, match="not bundled"):
        contexts.document_loader("https://example.org/evil-context.json")


def test_schemas_are_pinned_and_loadable():
    schema = schemas.get_schema(schemas.OB_V3P0_ACHIEVEMENT_CREDENTIAL)
    assert schema["$id"] == schemas.OB_V3P0_ACHIEVEMENT_CREDENTIAL
    with pytest.raises(SchemaError):
        schemas.get_schema("https://example.org/schema.json")


def test_credentials_package_never_imports_django():
    # Import every module of the core in a fresh interpreter and check Django stayed out.
    root = Path(__file__).resolve().parents[2] / "src" / "baeji" / "credentials"
    modules = sorted(
        "baeji.credentials." + ".".join(p.relative_to(root).with_suffix("").parts)
        for p in root.rglob("*.py")
    )
    modules = [m.removesuffix(".__init__") for m in modules]
    code = (
        "import importlib, json, sys\n"
        f"for m in {json.dumps(modules)}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] == 'django')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
