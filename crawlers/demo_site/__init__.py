"""The bundled demo town (青禾街道): a classifieds platform, merchant mini-sites, notices and a
set of deliberately broken routes, served on 127.0.0.1 for tests, benchmarks and `admon demo`.

    from crawlers.demo_site import DemoSite
    with DemoSite() as site:
        print(site.url)

Everything the site says is invented; `pages.yaml` and `images.yaml` also record what a
correct detector should say about each page or image (`expect`), which the tests use.
"""

from crawlers.demo_site.content import DemoPage, load_images, load_pages
from crawlers.demo_site.server import DemoSite

__all__ = ["DemoPage", "DemoSite", "load_images", "load_pages"]
