"""The desk's use cases: a desk with signing on and a frozen clock (closure, survey)."""

from tests.support.lifecycle_fixtures import clock, desk, lifecycle_desk, make_desk  # noqa: F401
