"""`npm run dev` proxies every path of the API to the back end (vite.config.ts): a path left
out answers with the dev server's own index.html, and the page breaks only there."""

import re

from app.config import REPO_DIR, Settings
from app.main import create_app


def test_the_dev_server_proxies_every_documented_api_path() -> None:
    config = (REPO_DIR / "vite.config.ts").read_text()
    listed = re.search(r"const API_PATHS = \[([^\]]*)\]", config)
    assert listed, "vite.config.ts: API_PATHS not found"
    proxied = set(re.findall(r"'(/[^']*)'", listed[1]))
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1/none"))
    served = {"/" + path.split("/")[1] for path in app.openapi()["paths"]}
    assert served <= proxied, f"add {sorted(served - proxied)} to API_PATHS in vite.config.ts"
