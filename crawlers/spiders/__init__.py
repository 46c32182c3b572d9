"""Spiders of the admon Scrapy project. `site` is the generic one every source uses."""
