"""What readers and crawlers fetch: pages, feeds, sitemaps, search, the page
cache and its headers."""
