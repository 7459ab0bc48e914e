"""What the register tells the apps above it, which it does not import.

`person_left` is sent inside the closing transaction with `person`, `acting_user` and
`version`: collection excludes the person's forms not yet collected in open campaigns, so
that progress no longer counts them."""

from django.dispatch import Signal

person_left = Signal()
