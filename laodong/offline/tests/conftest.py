"""The work list of the collection tests: Thôn 1 holds An and Bình, Thôn 2 Cường."""

from laodong.collection.tests.test_workflow import items  # noqa: F401 (fixture)
