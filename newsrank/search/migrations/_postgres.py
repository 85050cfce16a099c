"""For the search migrations: SQL that only PostgreSQL runs (the loader skips `_` modules)."""


def postgres_only(statements: list[str]):
    """A RunPython function that executes `statements` on PostgreSQL and does nothing elsewhere."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def prefetching(signature: str) -> str:
    """SQL that lets the function `signature` ask for pages ahead (search migration 0010), where
    the platform can (posix_fadvise; PostgreSQL refuses the setting elsewhere)."""
    return f"""
DO $$ BEGIN
    ALTER FUNCTION {signature} SET effective_io_concurrency = 64;
EXCEPTION WHEN invalid_parameter_value THEN NULL;  -- no posix_fadvise here
END $$
"""
