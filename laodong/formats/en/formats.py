"""English UI keeps the Vietnamese dd/mm/yyyy dates the documents use."""

from laodong.formats.vi.formats import *  # noqa: F403
