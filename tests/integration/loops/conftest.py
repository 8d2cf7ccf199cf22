from tests.support.databases import db, db_url, pg_url  # noqa: F401
