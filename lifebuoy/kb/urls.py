"""Two URL sets: the agent editor under /desk/kb/ ("kb") and the portal pages under
/portal/kb/ ("kb_portal"). Both are included from config/urls.py."""

from django.urls import path

from . import views

desk_patterns = [
    path("", views.kb_list_view, name="list"),
    path("new/", views.kb_create_view, name="create"),
    path("review/", views.kb_review_view, name="review"),
    path("link/<int:ticket_id>/", views.kb_link_view, name="link"),
    path("<str:key>/", views.kb_detail_view, name="detail"),
    path("<str:key>/edit/", views.kb_edit_view, name="edit"),
    path("<str:key>/state/", views.kb_state_view, name="state"),
    path("<str:key>/reviewed/", views.kb_reviewed_view, name="reviewed"),
    path("<str:key>/revisions/<int:number>/restore/", views.kb_restore_view, name="restore"),
]

portal_patterns = [
    path("", views.portal_kb_home_view, name="home"),
    path("solved/", views.portal_kb_solved_view, name="solved"),
    path("<str:key>/", views.portal_kb_article_view, name="article"),
]
