from django.urls import path

from . import views
from .auth.spid import SpidAcsView, SpidLoginView, SpidLogoutView, SpidMetadataView, cie_login, logout_view

app_name = "anagrafica"

urlpatterns = [
    path("", views.home, name="home"),
    path("accesso/", views.AccessoView.as_view(), name="login"),
    path("accesso/sviluppo/", views.dev_login, name="dev_login"),
    path("accesso/cns/", views.cns_login, name="cns_login"),
    path("accesso/verifica/", views.secondo_fattore, name="secondo_fattore"),
    path("esci/", logout_view, name="logout"),
    path("spid/login/", SpidLoginView.as_view(), name="spid_login"),
    path("spid/acs/", SpidAcsView.as_view(), name="spid_acs"),
    path("spid/metadata/", SpidMetadataView.as_view(), name="spid_metadata"),
    path("spid/ls/", SpidLogoutView.as_view(), name="spid_ls"),
    path("spid/ls/post/", SpidLogoutView.as_view(), name="spid_ls_post"),
    path("cie/login/", cie_login, name="cie_login"),
    path("cie/metadata/", SpidMetadataView.as_view(cie=True), name="cie_metadata"),
    path("aziende/<int:pk>/", views.azienda_detail, name="azienda_detail"),
    path("censimento/", views.censimento_list, name="censimento_list"),
    path("censimento/nuova/", views.censimento_create, name="censimento_create"),
    path("profilo/", views.profilo, name="profilo"),
    path("profilo/token/", views.profilo_token, name="profilo_token"),
    path("profilo/token/revoca/", views.profilo_token_revoca, name="profilo_token_revoca"),
]
