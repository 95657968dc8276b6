from django import forms
from django.contrib import admin
from django.http import HttpRequest

from lifebuoy.accounts.models import Role, User

from .models import (
    Article,
    ArticleRevision,
    LearnedTerm,
    SuggestionRecord,
    TicketArticleLink,
    VocabularyEntry,
)
from .search import Vocabulary
from .search.text import words


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


def _is_lead(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.is_active and user.role in (Role.LEAD, Role.ADMIN)


SMALL_WORD = "Searches ignore a word like “the”, “not” or “down” on its own; add another word."
NO_MEANING = "Searches ignore words like “the” or “not” here; name at least one other word."


class VocabularyEntryForm(forms.ModelForm[VocabularyEntry]):
    class Meta:
        model = VocabularyEntry
        fields = ("phrase", "means", "is_active", "note")

    def clean_phrase(self) -> str:
        phrase = " ".join(self.cleaned_data["phrase"].lower().split())
        if not Vocabulary.from_pairs([(phrase, "x")]).entries:
            raise forms.ValidationError(SMALL_WORD)
        return phrase

    def clean_means(self) -> str:
        means: str = self.cleaned_data["means"].strip()
        if not words(means):
            raise forms.ValidationError(NO_MEANING)
        return means


@admin.register(VocabularyEntry)
class VocabularyEntryAdmin(admin.ModelAdmin[VocabularyEntry]):
    """Support leads (and admins) keep the vocabulary: customers' words and the articles' words
    for them. A change applies to the next search; no re-indexing is needed."""

    form = VocabularyEntryForm
    list_display = ("phrase", "means", "is_active", "note", "updated_at")
    list_editable = ("means", "is_active")
    list_filter = ("is_active",)
    search_fields = ("phrase", "means", "note")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_lead(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: VocabularyEntry | None = None) -> bool:
        return _is_lead(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_lead(request) or super().has_add_permission(request)

    def has_change_permission(
        self, request: HttpRequest, obj: VocabularyEntry | None = None
    ) -> bool:
        return _is_lead(request) or super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: VocabularyEntry | None = None
    ) -> bool:
        return _is_lead(request) or super().has_delete_permission(request, obj)


@admin.register(LearnedTerm)
class LearnedTermAdmin(admin.ModelAdmin[LearnedTerm]):
    """What the ranking learned, per organization: read-only, for explaining a ranking."""

    list_display = ("term", "article", "organization", "count", "updated_at")
    list_filter = ("organization",)
    search_fields = ("term",)
    readonly_fields = ("organization", "term", "article", "count", "updated_at")
