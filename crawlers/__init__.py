"""The Scrapy project (`scrapy.cfg` → `crawlers.settings`): a generic site spider, its
items, middlewares and the pipeline that hands captures to `monitor.intake`, plus the
bundled demo town under `crawlers.demo_site`.

Spiders only extract; rules, OCR and SQL happen behind the pipeline (design.md).
"""
