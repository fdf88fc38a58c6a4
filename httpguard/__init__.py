"""Guards at the HTTP edge that both apps rely on.

Small and dependency-free: who the client is (``clients``), requests refused
before any view or query sees them and headers every response carries
(``middleware``), and the error pages' views (``views``). The articles and
newsletter apps may import it; it imports neither.
"""
