"""Spiders of the gleaner Scrapy project."""
