from django.contrib import admin

from .models import Article, ArticleRevision, SuggestionRecord, TicketArticleLink


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    """Read-mostly: edits belong in the desk editor, which keeps revisions and the index."""

    list_display = ("number", "title", "category", "visibility", "state", "view_count")
    list_filter = ("state", "visibility", "category")
    search_fields = ("title",)
    readonly_fields = [f.name for f in Article._meta.fields]


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin[ArticleRevision]):
    list_display = ("article", "number", "editor", "note", "created_at")
    readonly_fields = ("article", "number", "editor", "snapshot", "changed_fields", "note")


admin.site.register(TicketArticleLink)
admin.site.register(SuggestionRecord)
