"""The web pages' tests: a desk with signing on, a frozen clock, the routes on a real test server."""

from tests.support.lifecycle_fixtures import clock, desk, lifecycle_desk, make_desk  # noqa: F401
