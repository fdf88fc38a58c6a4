"""The generation of public content, kept in the database for app servers
that share no cache (see reader/pagecache.py)."""
