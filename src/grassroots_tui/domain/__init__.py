"""Pure rules of the committee's work: no database, no Textual, no I/O."""
