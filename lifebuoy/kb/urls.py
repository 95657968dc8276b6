"""Two URL sets: the agent editor under /desk/kb/ ("kb") and the portal pages under
/portal/kb/ ("kb_portal"). Both are included from config/urls.py."""

from django.urls import path

from .views import desk, portal

desk_patterns = [
    path("", desk.kb_list_view, name="list"),
    path("new/", desk.kb_create_view, name="create"),
    path("review/", desk.kb_review_view, name="review"),
    path("link/<int:ticket_id>/", desk.kb_link_view, name="link"),
    path("<str:key>/", desk.kb_detail_view, name="detail"),
    path("<str:key>/edit/", desk.kb_edit_view, name="edit"),
    path("<str:key>/state/", desk.kb_state_view, name="state"),
    path("<str:key>/reviewed/", desk.kb_reviewed_view, name="reviewed"),
    path("<str:key>/revisions/<int:number>/restore/", desk.kb_restore_view, name="restore"),
]

portal_patterns = [
    path("", portal.kb_home_view, name="home"),
    path("solved/", portal.kb_solved_view, name="solved"),
    path("<str:key>/", portal.kb_article_view, name="article"),
]
