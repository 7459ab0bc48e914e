"""Authentication that loads the account's unit with the account: every page needs both."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from laodong.accounts.models import User


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
