from django.contrib.auth import views as auth_views
from django.urls import path

from laodong.accounts import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="accounts-login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="accounts-logout"),
    path("password/", views.change_password, name="accounts-password-change"),
    path("two-factor/", views.two_factor_setup, name="accounts-two-factor-setup"),
    path("two-factor/verify/", views.two_factor_verify, name="accounts-two-factor-verify"),
    path(
        "<int:pk>/two-factor/remove/",
        views.remove_two_factor,
        name="accounts-remove-two-factor",
    ),
    path("", views.list_accounts, name="accounts-list-accounts"),
    path("new/", views.create_account, name="accounts-create-account"),
    path("import/", views.import_accounts, name="accounts-import-accounts"),
    path(
        "import/template.xlsx",
        views.download_account_template,
        name="accounts-download-account-template",
    ),
    path("<int:pk>/", views.view_account, name="accounts-view-account"),
    path("<int:pk>/edit/", views.edit_account, name="accounts-edit-account"),
    path("<int:pk>/deactivate/", views.deactivate_account, name="accounts-deactivate-account"),
    path("<int:pk>/reactivate/", views.reactivate_account, name="accounts-reactivate-account"),
    path("<int:pk>/reset-password/", views.reset_password, name="accounts-reset-password"),
]
