"""The Textual app. Nothing here is imported by `domain`, `store`, `services` or `io`.

Modules the first frame needs import neither SQLModel nor the services at module top:
the database is opened in a worker thread (see `app.GrassrootsApp`).
"""
