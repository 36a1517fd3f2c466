"""Storage: SQLModel tables, engine, migrations and queries. The only layer that knows SQL."""
