"""Importers, exporters and printable documents. Never imports Textual."""
