"""Use cases a clerk performs: one transaction each, domain rules + store."""
